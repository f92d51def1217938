// JSON reply construction for the demo app: one serialisation rule for every endpoint.
#include "demo/json_response.hpp"

#include <string>

namespace flotilla::demo {

Reply json_reply(int status, const nlohmann::json& body) {
  Reply reply;
  reply.status = status;
  // Header values are echoed back and may carry obs-text that is not UTF-8: replace, don't throw.
  reply.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return reply;
}

Reply json_error(int status, std::string_view message) {
  return json_reply(status, {{"error", std::string(message)}, {"status", status}});
}

}  // namespace flotilla::demo
