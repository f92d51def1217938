// Splits alert-expression text into PromQL tokens with their byte offsets. Standard library only;
// knows nothing of grammar (expr_parser.cpp decides what a token means where it stands).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace flotilla::promql {

// A syntax error at a byte offset of the expression; caught by parse_alert_expr.
struct ExprSyntaxError : std::runtime_error {
  ExprSyntaxError(std::size_t at, const std::string& message)
      : std::runtime_error(message), offset(at) {}
  std::size_t offset;
};

enum class TokenKind {
  end,
  identifier,  // metric names, label names, keywords, function names
  number,
  string,    // the unquoted, unescaped value
  duration,  // only inside [...]: the text, e.g. "5m"
  left_paren,
  right_paren,
  left_brace,
  right_brace,
  left_bracket,
  right_bracket,
  comma,
  assign,      // =
  not_equal,   // !=
  regex,       // =~
  not_regex,   // !~
  equal,       // ==
  greater,     // >
  less,        // <
  greater_eq,  // >=
  less_eq,     // <=
  plus,
  minus,
  star,
  slash,
  percent,
  caret,
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::string text;  // identifier/number/duration text, or the string's value
  std::size_t offset = 0;
};

class ExprLexer {
 public:
  explicit ExprLexer(std::string_view text) : text_(text) {}

  // The next token; after '[' the parser asks for a duration with next_duration().
  Token next();
  Token next_duration();

 private:
  void skip_space();
  Token read_string(char quote);
  Token read_number();

  std::string_view text_;
  std::size_t pos_ = 0;
};

// "an identifier 'rate'", "'('", "the end of the expression": for error messages.
std::string describe(const Token& token);

}  // namespace flotilla::promql
