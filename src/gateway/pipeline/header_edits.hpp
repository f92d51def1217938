// Header changes made to one message on its way through the gateway: fields of the received head
// to drop (by id or by any name) and field lines to add. The proxy's own lines (Via,
// X-Request-Id, X-Forwarded-*) and the stages' rules both land here, in order. Reused from the
// request's workspace: no allocation once warmed up. Never parses or writes a head itself.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace flotilla::gateway {

class HeaderEdits {
 public:
  HeaderEdits() {
    drop_names_.reserve(8);
    lines_.reserve(512);
  }

  void clear() noexcept {
    drop_ids_ = 0;
    drop_names_.clear();
    lines_.clear();
  }

  // Fields of the received head that must not go out. `name` must outlive the message (a
  // config string or a literal).
  void drop(http::HeaderId id) noexcept { drop_ids_ |= http::header_bit(id); }
  void drop(std::string_view name);
  // Appends `name: value` (CRLF added).
  void add(std::string_view name, std::string_view value);
  // Starts a line whose value the caller appends to lines() (then calls end_line()).
  std::string& begin_line(std::string_view name);
  void end_line() { lines_ += "\r\n"; }
  // Drops every received field `name` and every line added so far with that name.
  void remove(std::string_view name);
  // remove(name), then add(name, value): the field has exactly this value.
  void set(std::string_view name, std::string_view value) {
    remove(name);
    add(name, value);
  }
  // Appends complete field lines (each ending in CRLF).
  void add_lines(std::string_view lines) { lines_ += lines; }

  // Whether a line named `name` was added (case-insensitive).
  bool added(std::string_view name) const noexcept;
  // The value (trimmed) of the last line named `name` added so far; false when there is none.
  // The view is valid until the lines change.
  bool added_value(std::string_view name, std::string_view& value) const noexcept;

  std::uint64_t drop_ids() const noexcept { return drop_ids_; }
  std::span<const std::string_view> drop_names() const noexcept { return drop_names_; }
  std::string_view lines() const noexcept { return lines_; }
  std::string& lines_buffer() noexcept { return lines_; }

 private:
  std::uint64_t drop_ids_ = 0;
  std::vector<std::string_view> drop_names_;
  std::string lines_;
};

// Case-insensitive ASCII comparison of two header names.
bool same_header_name(std::string_view a, std::string_view b) noexcept;

}  // namespace flotilla::gateway
