#include "gateway/pipeline/request_context.hpp"

#include "gateway/client_address.hpp"
#include "gateway/downstream.hpp"
#include "gateway/snapshot.hpp"
#include "gateway/worker.hpp"
#include "gateway/workspace.hpp"

namespace flotilla::gateway {
namespace {

// 16 lowercase hex digits.
void append_hex(std::string& out, std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char text[16];
  for (int i = 15; i >= 0; --i, value >>= 4) text[i] = kDigits[value & 0xF];
  out.append(text, sizeof text);
}

}  // namespace

std::string_view RequestContext::scheme() const noexcept {
  return downstream.scheme();
}

net::IpAddress resolve_request_client(const Downstream& downstream, const GatewaySnapshot* snapshot,
                                      std::uint32_t listener_index, const http::RequestHead& head,
                                      Workspace& ws) noexcept {
  net::IpAddress client = downstream.peer();
  if (snapshot && listener_index < snapshot->listeners.size()) {
    client =
        resolve_client_address(client, snapshot->listeners[listener_index].trusted_proxies, head);
  }
  ws.client_ip_size = client.format(ws.client_ip);
  return client;
}

std::string_view request_id(RequestContext& ctx) {
  std::string& id = ctx.scratch.request_id;
  if (!id.empty()) return id;
  // The client's id is kept, unless it named it in Connection (then it is hop-by-hop and
  // dropped, and the upstream must still get one).
  for (const http::Header& header : ctx.head.headers) {
    if (header.id == http::HeaderId::kXRequestId && !header.value.empty() &&
        !header.connection_option) {
      id.assign(header.value);
      ctx.record.request_id = id;
      return id;
    }
  }
  upstream::Prng& rng = ctx.worker.rng();
  append_hex(id, rng.next());
  append_hex(id, rng.next());
  ctx.record.request_id = id;
  return id;
}

}  // namespace flotilla::gateway
