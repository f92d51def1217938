// How a CLI command reaches a running flotilla: --admin URL, else the admin socket of the
// config (-c, default ./flotilla.yaml), else the embedded demo's ./flotilla.sock; plus the
// shared error reporting, so every remote command words failures and exit codes alike.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "admin/client.hpp"
#include "app/commands.hpp"

namespace flotilla::app {

struct AdminLocation {
  admin::ClientTarget target;
  std::string hint;  // appended to "cannot reach" messages: where the address came from
};

// Where to send requests. The config is loaded with the real loader; when it has errors (e.g.
// `flotilla reload` after a bad edit) the socket is still read leniently from its `admin:`
// section, so the running flotilla can be told about them. nullopt with `error` when --admin
// is malformed or an explicit -c file does not exist.
std::optional<AdminLocation> locate_admin(const RemoteOptions& options, std::string& error);

// Runs `body` with a client for `options`; prints errors as "flotilla <command>: ..." and maps
// them to exit statuses: unreachable 69, a failed exchange 1, a bad --admin / -c /
// --token-file 2.
int with_admin_client(const RemoteOptions& options, std::string_view command,
                      const std::function<int(const admin::Client&)>& body);

// Reports an HTTP error answer (4xx/5xx) of the admin API; returns kExitFailure. A 401 adds how
// to authenticate.
int report_http_error(std::string_view command, const admin::ClientResponse& response);
// Prints `message` as "flotilla <command>: message" on stderr and returns `code`.
int fail(std::string_view command, std::string_view message, int code);
// The server's JSON as --json shows it: pretty-printed, verbatim.
void print_json(const nlohmann::json& value);

// GET /api/v1/status through the admin client of `options` (for `flotilla top`).
StatusFetcher admin_status_fetcher(const RemoteOptions& options);

// "a b/c" → "a%20b%2Fc": a service name or cursor inside a URL.
std::string url_encode(std::string_view text);

}  // namespace flotilla::app
