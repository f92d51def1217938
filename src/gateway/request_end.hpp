// The one place every request ends, proxied or answered by the gateway itself: its metrics
// record (status, route, endpoint, attempts, bytes, filled in along the way) is recorded once in
// the worker's metric shard and, when enabled, the access log. Must stay cheap and
// allocation-free: it runs on the worker thread for every request.
#pragma once

#include <string_view>

#include "observe/metric_shard.hpp"

namespace flotilla::gateway {

class Worker;

// Records `record` if it is open (and closes it). A status of 0 — the connection ended before
// any response was written — is counted and logged as 499 (nginx's convention).
void finish_request(Worker& worker, observe::RequestRecord& record, std::string_view client_ip);

}  // namespace flotilla::gateway
