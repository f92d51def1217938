// Recognises the method and header names the proxy acts on, once, during the parse.
// Pure functions over views; must never allocate.
#pragma once

#include <string_view>

#include "http/message.hpp"

namespace flotilla::http {

// Exact (case-sensitive, RFC 9110 §9.1) match of the standard methods; kOther otherwise.
Method method_from(std::string_view text) noexcept;
std::string_view to_string(Method method) noexcept;

// Case-insensitive match of a field name against the names in HeaderId; kOther otherwise.
HeaderId header_id_from(std::string_view name) noexcept;

// The HeaderId a name becomes with every `_` read as `-`, as CGI/WSGI-style servers fold both
// into `HTTP_X_REAL_IP`; kOther when that names nothing known (or the name has no `_`).
HeaderId underscore_alias_of(std::string_view name) noexcept;

}  // namespace flotilla::http
