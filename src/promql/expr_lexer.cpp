#include "promql/expr_lexer.hpp"

#include <cctype>

namespace flotilla::promql {
namespace {

bool is_identifier_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}

bool is_identifier_char(char c) {
  return is_identifier_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

void ExprLexer::skip_space() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++pos_;
    } else if (c == '#') {  // PromQL comments run to the end of the line
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    } else {
      break;
    }
  }
}

Token ExprLexer::next() {
  skip_space();
  Token token;
  token.offset = pos_;
  if (pos_ >= text_.size()) return token;
  const char c = text_[pos_];
  const char after = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
  auto single = [&](TokenKind kind, std::size_t length = 1) {
    token.kind = kind;
    token.text = std::string(text_.substr(pos_, length));
    pos_ += length;
    return token;
  };
  if (is_identifier_start(c)) {
    std::size_t end = pos_;
    while (end < text_.size() && is_identifier_char(text_[end])) ++end;
    return single(TokenKind::identifier, end - pos_);
  }
  if (is_digit(c) || (c == '.' && is_digit(after))) return read_number();
  switch (c) {
    case '"':
    case '\'':
    case '`':
      return read_string(c);
    case '(':
      return single(TokenKind::left_paren);
    case ')':
      return single(TokenKind::right_paren);
    case '{':
      return single(TokenKind::left_brace);
    case '}':
      return single(TokenKind::right_brace);
    case '[':
      return single(TokenKind::left_bracket);
    case ']':
      return single(TokenKind::right_bracket);
    case ',':
      return single(TokenKind::comma);
    case '+':
      return single(TokenKind::plus);
    case '-':
      return single(TokenKind::minus);
    case '*':
      return single(TokenKind::star);
    case '/':
      return single(TokenKind::slash);
    case '%':
      return single(TokenKind::percent);
    case '^':
      return single(TokenKind::caret);
    case '=':
      if (after == '=') return single(TokenKind::equal, 2);
      if (after == '~') return single(TokenKind::regex, 2);
      return single(TokenKind::assign);
    case '!':
      if (after == '=') return single(TokenKind::not_equal, 2);
      if (after == '~') return single(TokenKind::not_regex, 2);
      break;
    case '>':
      if (after == '=') return single(TokenKind::greater_eq, 2);
      return single(TokenKind::greater);
    case '<':
      if (after == '=') return single(TokenKind::less_eq, 2);
      return single(TokenKind::less);
    default:
      break;
  }
  throw ExprSyntaxError(pos_, std::string("unexpected character '") + c + "'");
}

Token ExprLexer::next_duration() {
  skip_space();
  Token token;
  token.offset = pos_;
  std::size_t end = pos_;
  while (end < text_.size() && std::isalnum(static_cast<unsigned char>(text_[end]))) ++end;
  if (end == pos_) throw ExprSyntaxError(pos_, "expected a duration such as 5m after '['");
  token.kind = TokenKind::duration;
  token.text = std::string(text_.substr(pos_, end - pos_));
  pos_ = end;
  return token;
}

Token ExprLexer::read_string(char quote) {
  Token token;
  token.kind = TokenKind::string;
  token.offset = pos_;
  ++pos_;
  while (pos_ < text_.size() && text_[pos_] != quote) {
    char c = text_[pos_];
    if (c == '\n' && quote != '`') break;
    if (c == '\\' && quote != '`') {  // Go escapes; raw `...` strings have none
      if (pos_ + 1 >= text_.size()) break;
      const char escaped = text_[++pos_];
      switch (escaped) {
        case 'n':
          c = '\n';
          break;
        case 't':
          c = '\t';
          break;
        case 'r':
          c = '\r';
          break;
        case '\\':
        case '"':
        case '\'':
          c = escaped;
          break;
        default:
          throw ExprSyntaxError(pos_ - 1,
                                std::string("unknown escape sequence '\\") + escaped + "'");
      }
    }
    token.text += c;
    ++pos_;
  }
  if (pos_ >= text_.size() || text_[pos_] != quote) {
    throw ExprSyntaxError(token.offset, "unterminated string");
  }
  ++pos_;
  return token;
}

Token ExprLexer::read_number() {
  Token token;
  token.kind = TokenKind::number;
  token.offset = pos_;
  std::size_t end = pos_;
  while (end < text_.size() && (is_digit(text_[end]) || text_[end] == '.')) ++end;
  if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
    std::size_t exp = end + 1;
    if (exp < text_.size() && (text_[exp] == '+' || text_[exp] == '-')) ++exp;
    if (exp < text_.size() && is_digit(text_[exp])) {
      end = exp;
      while (end < text_.size() && is_digit(text_[end])) ++end;
    }
  }
  if (end < text_.size() && is_identifier_char(text_[end])) {
    throw ExprSyntaxError(pos_, "invalid number '" +
                                    std::string(text_.substr(pos_, end + 1 - pos_)) +
                                    "' (durations go inside [...], e.g. x[5m])");
  }
  token.text = std::string(text_.substr(pos_, end - pos_));
  pos_ = end;
  return token;
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::end:
      return "the end of the expression";
    case TokenKind::identifier:
      return "'" + token.text + "'";
    case TokenKind::number:
      return "the number " + token.text;
    case TokenKind::string:
      return "a string";
    case TokenKind::duration:
      return "the duration " + token.text;
    default:
      return "'" + token.text + "'";
  }
}

}  // namespace flotilla::promql
