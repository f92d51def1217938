// The admin API's request and response as handlers see them: owned copies (a handler may
// suspend while the connection's buffer moves on), plus the JSON helpers every handler uses.
// Plain types and free functions; must never touch a socket or know about routing.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace flotilla::admin {

struct AdminRequest {
  std::string method;  // as received ("GET"); HEAD is dispatched to the GET handler
  std::string path;    // target path, not decoded, without the query
  std::map<std::string, std::string> query;  // percent-decoded; the first of repeated names wins
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  std::string body;
  std::map<std::string, std::string> params;  // `{name}` segments of the route, percent-decoded
  // May change things: it came over the unix socket, or over TCP with the valid bearer token.
  bool trusted = false;

  // First header named `name` (case-insensitive), nullopt when absent.
  std::optional<std::string_view> header(std::string_view name) const;
  // Decoded query parameter, nullopt when absent.
  std::optional<std::string_view> query_param(std::string_view name) const;
  // Path parameter of the matched route ("" when the route has no such segment).
  const std::string& param(std::string_view name) const;
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields, written as given
};

// `body` serialized compactly, with a trailing newline (friendly to curl in a terminal).
AdminResponse json_response(int status, const nlohmann::json& body);
// {"error": message}.
AdminResponse error_response(int status, std::string_view message);

// The request body as a JSON object (an empty body is `{}`), or the 400 to answer instead.
struct JsonBody {
  nlohmann::json value;                // an object when ok()
  std::optional<AdminResponse> error;  // set when the body is not a JSON object
  bool ok() const { return !error.has_value(); }
};
JsonBody parse_json_body(const AdminRequest& request);

}  // namespace flotilla::admin
