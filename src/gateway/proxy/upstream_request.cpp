#include "gateway/proxy/upstream_request.hpp"

#include <array>

#include "gateway/downstream.hpp"
#include "gateway/forwarded_headers.hpp"
#include "gateway/h2/h2c_upgrade.hpp"
#include "gateway/pipeline/request_body.hpp"
#include "gateway/request_target.hpp"
#include "gateway/worker.hpp"
#include "gateway/workspace.hpp"

namespace flotilla::gateway {
namespace {

void run_upstream_request_stages(RequestContext& ctx, HeaderEdits& edits) {
  if (ctx.snapshot && ctx.listener_index < ctx.snapshot->listeners.size()) {
    for (const auto& stage : ctx.snapshot->listeners[ctx.listener_index].chain.upstream_request) {
      stage->on_upstream_request(ctx, edits);
    }
  }
  for (const auto& stage : ctx.route->chain.upstream_request)
    stage->on_upstream_request(ctx, edits);
}

// Mutual TLS: the client's verified certificate subject, in the listener's header (a line of that
// name the client sent itself never goes through: the upstream trusts this header).
void pass_client_certificate(RequestContext& ctx, HeaderEdits& edits) {
  if (!ctx.snapshot || ctx.listener_index >= ctx.snapshot->listeners.size()) return;
  const std::string& name = ctx.snapshot->listeners[ctx.listener_index].client_subject_header;
  if (name.empty()) return;
  edits.remove(name);
  const tls::Connection* session = ctx.downstream.secure() ? ctx.downstream.tls() : nullptr;
  if (!session || !session->peer_verified()) return;
  ctx.scratch.text = session->peer_subject();
  edits.add(name, ctx.scratch.text);
}

}  // namespace

bool upgrade_forwarded(const http::RequestHead& head) noexcept {
  return head.upgrade && !h2::asks_for_h2c(head);
}

void prepare_upstream_head(Exchange& exchange) {
  RequestContext& ctx = exchange.ctx;
  const http::RequestHead& head = ctx.head;
  Workspace& ws = ctx.ws;
  HeaderEdits& edits = ctx.scratch.upstream_edits;
  edits.clear();

  // X-Forwarded-For gets the hop this connection came from; X-Real-IP the client it resolved to.
  std::array<char, 46> peer{};
  const std::string_view peer_ip(peer.data(), ctx.downstream.format_peer(peer));
  const std::uint64_t forwarded =
      write_forwarded_headers(head, {ctx.client_ip, ctx.downstream.secure(), peer_ip},
                              request_id(ctx), edits.lines_buffer());
  // Expect is answered here (100 Continue once the body is read), never forwarded.
  std::uint64_t drop = forwarded | http::header_bit(http::HeaderId::kExpect);
  // The upstream sees the host the request was routed on, in one Host line: an absolute-form
  // target's authority replaces Host (RFC 9112 §3.2.2), and a request without a host (HTTP/1.0,
  // or an empty Host) goes out as HTTP/1.1, which requires one.
  if (head.host.empty() || head.target_form == http::TargetForm::kAbsolute) {
    std::string_view host =
        head.host.empty() ? std::string_view(exchange.upstream.state.spec().name) : head.host;
    host.remove_prefix(host.rfind('@') + 1);  // "user@host": userinfo is not part of Host
    edits.add("Host", host);
    drop |= http::header_bit(http::HeaderId::kHost);
  }
  pass_client_certificate(ctx, edits);
  // An h2c upgrade was flotilla's to take or ignore (RFC 7540 §3.2): passed on, it would let a
  // client talk HTTP/2 to the upstream past every route and stage ("h2c smuggling").
  if (head.upgrade && !upgrade_forwarded(head)) edits.remove("HTTP2-Settings");
  run_upstream_request_stages(ctx, edits);
  // A chunked body goes upstream re-framed by us: `Transfer-Encoding: chunked` exactly, chunk
  // sizes in minimal hex, no extensions, only trailers the codec checked (HTTP/2's; HTTP/1's
  // are dropped while decoding) — so no upstream parser can read the
  // framing differently from the way we did (the body itself is decoded and re-encoded).
  exchange.chunked_body = head.framing == http::BodyFraming::kChunked;
  if (exchange.chunked_body) edits.add("Transfer-Encoding", "chunked");

  ws.added_lines[0] = edits.lines();
  http::ForwardOptions options;
  // An upstream is an origin server: it gets origin-form, as from any client (RFC 9112 §3.2.1).
  if (head.target_form == http::TargetForm::kAbsolute)
    options.target = origin_form(head, ws.target);
  options.added = {ws.added_lines.data(), 1};
  options.drop = drop | edits.drop_ids();
  options.drop_names = edits.drop_names();
  options.drop_underscore_aliases = kForwardingHeaders;
  options.reframe = exchange.chunked_body;
  options.keep_upgrade = upgrade_forwarded(head);
  options.force_http11 = true;
  exchange.head_pieces = ws.writer.write(head, options);
}

}  // namespace flotilla::gateway
