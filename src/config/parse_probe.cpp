// `probes:` of a service — startup, readiness and liveness checks with Kubernetes' semantics
// and defaults. Exactly one kind per probe: http, tcp or exec.
#include <fmt/format.h>

#include "config/parse_sections.hpp"

namespace flotilla::config {
namespace {

constexpr std::uint32_t kMaxThreshold = 1000;

const std::vector<std::string_view> kProbeKeys{"http",
                                               "tcp",
                                               "exec",
                                               "initial_delay",
                                               "period",
                                               "timeout",
                                               "success_threshold",
                                               "failure_threshold"};

// http: /path | {path, status, port}
void read_http(LoadContext& ctx, const Entry& entry, Probe& probe) {
  probe.kind = ProbeKind::http;
  ctx.use_feature("http_probe", entry.key_pos, entry.path);
  if (!entry.value.IsMap()) {
    if (auto path = convert(ctx, entry, url_path_type())) probe.http_path = std::move(*path);
    return;
  }
  const MapReader http(ctx, entry, {"path", "status", "port"});
  http.read("path", probe.http_path, url_path_type());
  http.read_list("status", probe.http_status, http_status_type(), /*allow_single=*/true);
  http.read("port", probe.port, port_type());
}

ValueType<bool> tcp_flag_type() {
  return {"true or a mapping with 'port'", [](std::string_view text) -> ParseResult<bool> {
            if (text == "true") return true;
            return parse_error(fmt::format("expected true or {{port: N}}, got '{}'", text));
          }};
}

// tcp: true | {port}
void read_tcp(LoadContext& ctx, const Entry& entry, Probe& probe) {
  probe.kind = ProbeKind::tcp;
  ctx.use_feature("tcp_probe", entry.key_pos, entry.path);
  if (!entry.value.IsMap()) {
    convert(ctx, entry, tcp_flag_type());
    return;
  }
  const MapReader tcp(ctx, entry, {"port"});
  tcp.read("port", probe.port, port_type());
}

void read_exec(LoadContext& ctx, const Entry& entry, Probe& probe) {
  probe.kind = ProbeKind::exec;
  ctx.use_feature("exec_probe", entry.key_pos, entry.path);
  if (auto command = parse_command(ctx, entry, /*shell=*/false)) probe.exec = std::move(*command);
}

void parse_probe(const MapReader& probes, std::string_view which, bool has_ports,
                 std::optional<Probe>& out) {
  const auto r = probes.child(which, kProbeKeys);
  if (!r) return;
  LoadContext& ctx = r->ctx();
  Probe probe;
  if (const Entry* kind = r->exactly_one({"http", "tcp", "exec"})) {
    if (kind->name == "http") read_http(ctx, *kind, probe);
    if (kind->name == "tcp") read_tcp(ctx, *kind, probe);
    if (kind->name == "exec") read_exec(ctx, *kind, probe);
    if (probe.kind != ProbeKind::exec && !probe.port && !has_ports) {
      ctx.error(kind->key_pos, fmt::format("{}: the service has no ports to probe; give the "
                                           "probe a port or use exec",
                                           kind->path));
    }
  }
  r->read("initial_delay", probe.initial_delay, duration_type());
  r->read("period", probe.period, positive_duration_type());
  r->read("timeout", probe.timeout, positive_duration_type());
  r->read("success_threshold", probe.success_threshold, count_type(1, kMaxThreshold));
  r->read("failure_threshold", probe.failure_threshold, count_type(1, kMaxThreshold));
  if (which != "readiness" && probe.success_threshold != 1) {
    ctx.error(r->find("success_threshold")->value_pos,
              fmt::format("{}.success_threshold: must be 1 for {} probes (as in Kubernetes)",
                          r->path(), which));
  }
  out = std::move(probe);
}

}  // namespace

void parse_probes(const MapReader& service, bool has_ports, Probes& out) {
  const auto probes = service.child("probes", {"startup", "readiness", "liveness"});
  if (!probes) return;
  parse_probe(*probes, "startup", has_ports, out.startup);
  parse_probe(*probes, "readiness", has_ports, out.readiness);
  parse_probe(*probes, "liveness", has_ports, out.liveness);
}

}  // namespace flotilla::config
