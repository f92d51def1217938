#include "gateway/request_end.hpp"

#include "gateway/worker.hpp"

namespace flotilla::gateway {

void finish_request(Worker& worker, observe::RequestRecord& record, std::string_view client_ip) {
  if (!record.open) return;
  worker.finish_request(record, client_ip);
}

}  // namespace flotilla::gateway
