// Test helper: header fields written as "Name: value" lines, kept alive for a test's lifetime.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "cache/fields.hpp"

namespace flotilla::cache::testing {

class FieldRows {
 public:
  FieldRows(std::initializer_list<std::string_view> lines) {
    for (std::string_view line : lines) lines_.emplace_back(line);
    for (const std::string& line : lines_) {
      const std::size_t colon = line.find(':');
      std::string_view value = std::string_view(line).substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      fields_.push_back({std::string_view(line).substr(0, colon), value});
    }
  }
  operator Fields() const { return fields_; }  // NOLINT: implicit on purpose

 private:
  std::vector<std::string> lines_;
  std::vector<Field> fields_;
};

}  // namespace flotilla::cache::testing
