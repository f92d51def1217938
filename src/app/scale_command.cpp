// `flotilla scale web=5 [api=2 ...]`: set replica counts (scale-down drains before stopping,
// server side). Assignments are all checked before any is sent.
#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/human_format.hpp"
#include "app/remote.hpp"
#include "config/units.hpp"

namespace flotilla::app {
namespace {

struct Assignment {
  std::string service;
  std::uint32_t replicas = 0;
};

std::optional<Assignment> parse_assignment(std::string_view text, std::string& error) {
  const std::size_t eq = text.find('=');
  if (eq == 0 || eq == std::string_view::npos) {
    error = fmt::format("'{}': expected SERVICE=REPLICAS, e.g. web=5", text);
    return std::nullopt;
  }
  const auto replicas = config::parse_integer(text.substr(eq + 1), 0, 100000);
  if (!replicas) {
    error = fmt::format("'{}': {}", text, replicas.error());
    return std::nullopt;
  }
  return Assignment{std::string(text.substr(0, eq)), static_cast<std::uint32_t>(*replicas)};
}

}  // namespace

int scale_command(const ScaleOptions& options) {
  std::vector<Assignment> assignments;
  for (const std::string& text : options.assignments) {
    std::string error;
    auto assignment = parse_assignment(text, error);
    if (!assignment) return fail("scale", error, kExitUsage);
    assignments.push_back(std::move(*assignment));
  }
  return with_admin_client(options.remote, "scale", [&](const admin::Client& client) {
    nlohmann::json answers = nlohmann::json::array();
    int status = kExitOk;
    for (const Assignment& assignment : assignments) {
      const admin::ClientResponse response =
          client.post(fmt::format("/api/v1/services/{}/scale", url_encode(assignment.service)),
                      {{"replicas", assignment.replicas}});
      if (!response.ok()) {
        status = report_http_error("scale", response);
        continue;
      }
      if (options.remote.json) {
        answers.push_back(response.json);
      } else {
        fmt::print("{}: {} → {} replicas\n", field_text(response.json, "service"),
                   field_text(response.json, "previous"), field_text(response.json, "replicas"));
        // An autoscaled service takes the count within its [min, max], and says so.
        if (response.json.contains("note")) fmt::print("  {}\n", field_text(response.json, "note"));
      }
    }
    if (options.remote.json && !answers.empty()) {
      print_json(answers.size() == 1 ? answers[0] : answers);
    }
    return status;
  });
}

}  // namespace flotilla::app
