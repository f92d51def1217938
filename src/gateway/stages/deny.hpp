// The 403/405 answers of the access stages (access_rules, method_list, request_filter), counted
// in flotilla_requests_denied_total{route,reason}. Used by those stages only.
#pragma once

#include <string_view>

#include "gateway/pipeline/request_context.hpp"
#include "gateway/pipeline/stage.hpp"
#include "observe/metric_shard.hpp"

namespace flotilla::gateway {

// Fills ctx.answer with `status` (an error body with `detail`, `extra_lines` as given) and
// counts the denial on the request's route (the unrouted series before routing).
Verdict deny_request(RequestContext& ctx, observe::DenyReason reason, int status,
                     std::string_view detail, std::string_view extra_lines = {});

}  // namespace flotilla::gateway
