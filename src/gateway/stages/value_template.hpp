// Expands a config::ValueTemplate ($scheme, $host, $remote_addr, $request_id, $request_uri) for
// one request, appending to a caller's string (no allocation once it has grown). Pure.
#pragma once

#include <string>

#include "config/spec.hpp"
#include "gateway/pipeline/request_context.hpp"

namespace flotilla::gateway {

void append_expanded(std::string& out, const config::ValueTemplate& value, RequestContext& ctx);

// The request's host without a port (and without the root's trailing dot), in the case it was
// sent ($host lowercases it).
std::string_view host_without_port(std::string_view host) noexcept;

}  // namespace flotilla::gateway
