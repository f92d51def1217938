// Where requests end: completes the request's metrics record from the RequestEnd and records it
// once in the worker's metric shard and access log (Worker::finish_request, worker_observe.cpp).
#include "gateway/request_end.hpp"

#include "gateway/worker.hpp"

namespace flotilla::gateway {

void finish_request(Worker& worker, const RequestEnd& end) {
  if (!end.record || !end.record->open) return;
  observe::RequestRecord& record = *end.record;
  // 0 stays 0: the shard and the access log count a request without an answer as 499.
  record.status = static_cast<std::uint16_t>(end.status);
  // record.route was resolved when the request was routed: a snapshot installed since may
  // renumber the routes, so end.route is not looked up again here.
  if (end.attempts > record.attempts) record.attempts = end.attempts;
  worker.finish_request(record, end.client_ip);
}

}  // namespace flotilla::gateway
