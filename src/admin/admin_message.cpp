// Accessors of the admin request and the JSON helpers shared by every admin handler.
#include "admin/admin_message.hpp"

#include <algorithm>

namespace flotilla::admin {
namespace {

char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
}

bool same_name(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

}  // namespace

std::optional<std::string_view> AdminRequest::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (same_name(field, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<std::string_view> AdminRequest::query_param(std::string_view name) const {
  const auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

const std::string& AdminRequest::param(std::string_view name) const {
  static const std::string kEmpty;
  const auto it = params.find(std::string(name));
  return it == params.end() ? kEmpty : it->second;
}

AdminResponse json_response(int status, const nlohmann::json& body) {
  AdminResponse response;
  response.status = status;
  // Replace invalid UTF-8 (a log line, a command) rather than throw while answering.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.body += '\n';
  return response;
}

AdminResponse error_response(int status, std::string_view message) {
  return json_response(status, nlohmann::json{{"error", message}});
}

JsonBody parse_json_body(const AdminRequest& request) {
  JsonBody result;
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    result.value = nlohmann::json::object();
    return result;
  }
  try {
    result.value = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
    std::string_view what = e.what();
    if (const auto end = what.find("] "); what.starts_with("[json.") && end != what.npos) {
      what.remove_prefix(end + 2);
    }
    result.error = error_response(400, "request body is not valid JSON: " + std::string(what));
    return result;
  }
  if (!result.value.is_object()) {
    result.error = error_response(400, "request body must be a JSON object");
  }
  return result;
}

}  // namespace flotilla::admin
