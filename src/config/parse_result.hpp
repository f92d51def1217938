// A tiny expected-like result for the pure value parsers: a value or one precise error message.
// It carries no position: callers that know where the text came from add that.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace flotilla::config {

struct ParseError {
  std::string message;
};

template <class T>
class ParseResult {
 public:
  ParseResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  ParseResult(ParseError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<0>(state_); }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  const std::string& error() const { return std::get<1>(state_).message; }

 private:
  std::variant<T, ParseError> state_;
};

inline ParseError parse_error(std::string message) {
  return ParseError{std::move(message)};
}

}  // namespace flotilla::config
