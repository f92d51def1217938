// The path a request is routed by, normalised as nginx does before location matching:
// percent-escapes decoded, `.` / `..` segments resolved, runs of `/` merged. Only routing (and
// the listener's health/ready paths) see it; the upstream gets the target the client sent.
// Without it `/public/../admin` would take the `/public/` route to an upstream that resolves
// the dots itself and serves /admin.
#pragma once

#include <string>
#include <string_view>

namespace flotilla::gateway {

// `path` itself when it is already normal (the usual case: one scan, no copy); otherwise the
// normal form, written into `scratch` (kept by the caller, so its capacity is reused). A `..`
// above the root stays at the root (RFC 3986 §5.2.4); a malformed escape is kept as is.
std::string_view route_path(std::string_view path, std::string& scratch);

}  // namespace flotilla::gateway
