// Word splitting per POSIX "Quoting" (2.2): '...' is literal; in "..." a backslash escapes only
// $ ` " \ and newline; elsewhere a backslash escapes any character.
#include "config/command_line.hpp"

#include <fmt/format.h>

namespace flotilla::config {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_shell_operator(char c) {
  return c == '|' || c == '&' || c == ';' || c == '<' || c == '>' || c == '(' || c == ')' ||
         c == '`';
}

}  // namespace

ParseResult<std::vector<std::string>> split_command_line(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (is_space(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const std::size_t close = text.find('\'', i + 1);
      if (close == std::string_view::npos) return parse_error("unterminated single quote");
      word += text.substr(i + 1, close - i - 1);
      i = close + 1;
    } else if (c == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size() &&
            std::string_view("$`\"\\\n").find(text[i + 1]) != std::string_view::npos) {
          ++i;
        }
        word += text[i++];
      }
      if (i >= text.size()) return parse_error("unterminated double quote");
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) return parse_error("trailing backslash");
      word += text[i + 1];
      i += 2;
    } else if (is_shell_operator(c)) {
      return parse_error(fmt::format(
          "'{}' is shell syntax; set 'shell: true' to run the command through /bin/sh", c));
    } else {
      word += c;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return parse_error("empty command");
  return words;
}

}  // namespace flotilla::config
