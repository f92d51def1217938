// Value templates: header values and redirect targets with variables ("https://$host$request_uri")
// parsed once, at load time, into literal runs and variables. Pure text → parts: no YAML, no
// positions, no request; expanding the parts per request is the gateway's job.
#pragma once

#include <span>
#include <string_view>

#include "config/parse_result.hpp"
#include "config/spec.hpp"
#include "config/value_types.hpp"

namespace flotilla::config {

// What each variable expands to (nginx's meanings):
//   $scheme       "http" or "https", as the client connected
//   $host         the request's host (Host header or absolute-form target) without its port,
//                 lowercase; the listener's address when the request has none
//   $remote_addr  the client's IP address
//   $request_id   the request's X-Request-Id (the one sent upstream)
//   $request_uri  the request target as the client sent it, query included
// The names in Variable order, without the '$': "scheme", "host", ...
std::span<const std::string_view> variable_names();
std::string_view variable_name(Variable variable);

// "$" followed by a letter or '_' starts a variable name, which runs over letters, digits and
// '_' ("$host$request_uri" is two variables; "$hostname" is one, unknown). Any other '$' is a
// literal ("$5", "a$", "$$" → "$$"). An unknown name is an error naming the known ones.
// Adjacent literal text becomes one part; "" gives no parts.
// In the config file, ${VAR} (environment) and "$$" (→ "$") are expanded before this parse.
ParseResult<ValueTemplate> parse_value_template(std::string_view text);

// A header value: may be empty; no control characters (a line break would inject a header)
// except horizontal tab.
ValueType<ValueTemplate> header_value_type();
// A redirect target (Location): not empty, no spaces or control characters.
ValueType<ValueTemplate> redirect_target_type();

}  // namespace flotilla::config
