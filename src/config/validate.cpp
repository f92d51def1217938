// Cross-section validation. A value that failed to parse was left at its default (empty name,
// no ports, port 0), and every check below skips those, so one mistake is reported once.
#include "config/validate.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "config/did_you_mean.hpp"
#include "config/parse_sections.hpp"
#include "config/units.hpp"

namespace flotilla::config {
namespace {

template <class Item>
std::vector<std::string> names_of(const std::vector<Item>& items) {
  std::vector<std::string> names;
  for (const Item& item : items) names.push_back(item.name);
  return names;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string unknown_reference(std::string_view kind, const std::string& name,
                              const std::vector<std::string>& known) {
  if (known.empty()) return fmt::format("unknown {0} '{1}' (no {0}s are defined)", kind, name);
  return fmt::format("unknown {} '{}'{}", kind, name, did_you_mean(name, known));
}

bool is_wildcard_address(const Address& a) {
  return a.host == "0.0.0.0" || a.host == "::";
}
bool is_local(const Address& a) {
  return is_wildcard_address(a) || a.host.starts_with("127.") || a.host == "localhost" ||
         a.host == "::1";
}

// Would binding both fail? Port 0 asks the kernel for a free port, so it never collides.
bool binds_overlap(const Address& a, const Address& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == Address::Kind::unix_socket) return a.path == b.path;
  if (a.port == 0 || a.port != b.port) return false;
  return a.host == b.host || is_wildcard_address(a) || is_wildcard_address(b);
}

bool in_range(std::uint16_t port, const PortRange& range) {
  return port >= range.first && port <= range.last;
}

// The path of listen[i]'s address: its `address:` key, or the item itself for the shorthand.
std::string listener_path(const LoadContext& ctx, std::size_t i) {
  const std::string path = fmt::format("listen[{}].address", i);
  return ctx.position(path).line > 0 ? path : fmt::format("listen[{}]", i);
}

void check_route_targets(const Spec& spec, LoadContext& ctx) {
  if (ctx.is_invalid("upstreams")) return;  // names unknown: any verdict would be a guess
  const std::vector<std::string> upstreams = names_of(spec.upstreams);
  for (std::size_t i = 0; i < spec.routes.size(); ++i) {
    const auto* proxy = std::get_if<ProxyAction>(&spec.routes[i].action);
    if (proxy == nullptr || proxy->upstream.empty() || contains(upstreams, proxy->upstream)) {
      continue;
    }
    const std::string path = fmt::format("routes[{}].upstream", i);
    ctx.error(
        ctx.position(path),
        fmt::format("{}: {}", path, unknown_reference("upstream", proxy->upstream, upstreams)));
  }
}

void check_upstream_services(const Spec& spec, LoadContext& ctx) {
  if (ctx.is_invalid("services")) return;
  const std::vector<std::string> services = names_of(spec.services);
  for (const Upstream& upstream : spec.upstreams) {
    if (!upstream.service) continue;
    const std::string path = fmt::format("upstreams.{}.service", upstream.name);
    const auto service =
        std::find_if(spec.services.begin(), spec.services.end(),
                     [&](const Service& s) { return s.name == *upstream.service; });
    if (service == spec.services.end()) {
      ctx.error(
          ctx.position(path),
          fmt::format("{}: {}", path, unknown_reference("service", *upstream.service, services)));
    } else if (!service->ports &&
               ctx.position(fmt::format("services.{}.ports", service->name)).line == 0) {
      ctx.error(ctx.position(path),
                fmt::format("{}: service '{}' has no ports, so there is nothing to proxy to "
                            "(give it 'ports: 8000-8099')",
                            path, service->name));
    }
  }
}

void check_port_ranges(const Spec& spec, LoadContext& ctx) {
  for (std::size_t j = 0; j < spec.services.size(); ++j) {
    const Service& later = spec.services[j];
    if (!later.ports) continue;
    for (std::size_t i = 0; i < j; ++i) {
      const Service& earlier = spec.services[i];
      if (!earlier.ports || earlier.ports->first > later.ports->last ||
          later.ports->first > earlier.ports->last) {
        continue;
      }
      const std::string path = fmt::format("services.{}.ports", later.name);
      ctx.error(ctx.position(path), fmt::format("{}: {} overlaps the ports of service '{}' ({})",
                                                path, format_port_range(*later.ports), earlier.name,
                                                format_port_range(*earlier.ports)));
      break;
    }
  }
}

// A gateway or admin address on a port the supervisor hands out to instances.
void check_against_service_ports(const Spec& spec, LoadContext& ctx, const Address& address,
                                 SourcePos pos, const std::string& path) {
  if (address.kind != Address::Kind::tcp || !is_local(address)) return;
  for (const Service& service : spec.services) {
    if (service.ports && in_range(address.port, *service.ports)) {
      ctx.error(pos, fmt::format("{}: port {} is inside the ports of service '{}' ({})", path,
                                 address.port, service.name, format_port_range(*service.ports)));
      return;
    }
  }
}

void check_listeners(const Spec& spec, LoadContext& ctx) {
  const SourcePos admin_pos = ctx.position("admin.listen");
  for (std::size_t j = 0; j < spec.listeners.size(); ++j) {
    const Address& address = spec.listeners[j].address;
    const std::string path = listener_path(ctx, j);
    const SourcePos pos = ctx.position(path);
    for (std::size_t i = 0; i < j; ++i) {
      const Address& earlier = spec.listeners[i].address;
      if (!binds_overlap(earlier, address)) continue;
      ctx.error(pos, earlier == address
                         ? fmt::format("{}: duplicate listen address '{}' (also listen[{}])", path,
                                       format_address(address), i)
                         : fmt::format("{}: '{}' conflicts with listen[{}] ('{}')", path,
                                       format_address(address), i, format_address(earlier)));
      break;
    }
    if (binds_overlap(spec.admin.listen, address)) {
      const std::string admin = format_address(spec.admin.listen);
      if (admin_pos.line > 0) {
        ctx.error(admin_pos, fmt::format("admin.listen: '{}' conflicts with {} ('{}')", admin, path,
                                         format_address(address)));
      } else {
        ctx.error(pos, fmt::format("{}: '{}' conflicts with the admin listener '{}' (move it with "
                                   "admin.listen)",
                                   path, format_address(address), admin));
      }
    }
    check_against_service_ports(spec, ctx, address, pos, path);
  }
  if (admin_pos.line > 0) {
    check_against_service_ports(spec, ctx, spec.admin.listen, admin_pos, "admin.listen");
    return;
  }
  // The default admin address was not written anywhere: blame the port range instead.
  for (const Service& service : spec.services) {
    if (service.ports && in_range(spec.admin.listen.port, *service.ports)) {
      const std::string path = fmt::format("services.{}.ports", service.name);
      ctx.error(ctx.position(path),
                fmt::format("{}: {} includes port {} of the admin listener (set admin.listen to "
                            "move it)",
                            path, format_port_range(*service.ports), spec.admin.listen.port));
    }
  }
}

// redirect_https sends clients to the first TLS listener, so there must be one. A listener whose
// `tls:` failed to parse still counts (its own error is enough).
void check_redirect_https(const Spec& spec, LoadContext& ctx) {
  if (ctx.is_invalid("listen")) return;
  bool any_tls = false;
  for (std::size_t i = 0; i < spec.listeners.size(); ++i) {
    any_tls |= spec.listeners[i].tls.has_value() ||
               ctx.position(fmt::format("listen[{}].tls", i)).line > 0;
  }
  if (any_tls) return;
  for (std::size_t i = 0; i < spec.listeners.size(); ++i) {
    if (!spec.listeners[i].redirect_https) continue;
    const std::string path = fmt::format("listen[{}].redirect_https", i);
    ctx.error(ctx.position(path),
              fmt::format("{}: no TLS listener to redirect to (add a listener with 'tls:')", path));
  }
}

bool sets_sts(const std::optional<HeaderRules>& headers) {
  if (!headers) return false;
  auto edits = [](const std::vector<HeaderEdit>& list) {
    return std::any_of(list.begin(), list.end(), [](const HeaderEdit& edit) {
      return header_names_equal(edit.name, "Strict-Transport-Security");
    });
  };
  return edits(headers->response.set) || edits(headers->response.add);
}

// `hsts:` writes Strict-Transport-Security; a header rule writing it too would race with it.
void check_hsts_headers(const Spec& spec, LoadContext& ctx) {
  std::optional<std::size_t> first_hsts;
  for (std::size_t i = 0; i < spec.listeners.size(); ++i) {
    if (!spec.listeners[i].hsts) continue;
    if (!first_hsts) first_hsts = i;
    if (!sets_sts(spec.listeners[i].headers)) continue;
    const std::string path = fmt::format("listen[{}].headers", i);
    ctx.error(ctx.position(path),
              fmt::format("{}: sets Strict-Transport-Security, which listen[{}].hsts already "
                          "sends; keep one of the two",
                          path, i));
  }
  if (!first_hsts) return;
  for (std::size_t j = 0; j < spec.routes.size(); ++j) {
    if (!sets_sts(spec.routes[j].headers)) continue;
    const std::string path = fmt::format("routes[{}].headers", j);
    ctx.error(ctx.position(path),
              fmt::format("{}: sets Strict-Transport-Security, which listen[{}].hsts already "
                          "sends; keep one of the two",
                          path, *first_hsts));
  }
}

std::string describe_match(const RouteMatch& match) {
  return fmt::format("host {}, path {}", match.host.empty() ? "any" : match.host, match.path);
}

void check_routes(const Spec& spec, LoadContext& ctx) {
  if (!spec.routes.empty() && spec.listeners.empty() && ctx.position("listen").line == 0) {
    ctx.error(ctx.position("routes"), "routes: there is no 'listen' address to serve them on");
  }
  for (std::size_t j = 0; j < spec.routes.size(); ++j) {
    if (ctx.has_invalid(fmt::format("routes[{}]", j))) continue;
    for (std::size_t i = 0; i < j; ++i) {
      if (ctx.has_invalid(fmt::format("routes[{}]", i))) continue;
      const RouteMatch& a = spec.routes[i].match;
      const RouteMatch& b = spec.routes[j].match;
      if (a.host != b.host || a.path != b.path) continue;
      ctx.error(spec.routes[j].pos,
                fmt::format("routes[{}]: same match as routes[{}] ({}), so it can never be used", j,
                            i, describe_match(b)));
      break;
    }
  }
}

}  // namespace

// `$PORT` / `${PORT}` in `text`, not `$PORTS` or `$PORT_B`.
bool mentions_port_variable(std::string_view text) {
  for (std::size_t at = text.find("$PORT"); at != std::string_view::npos;
       at = text.find("$PORT", at + 1)) {
    const std::size_t end = at + 5;
    if (end == text.size()) return true;
    const char next = text[end];
    if (!((next >= 'A' && next <= 'Z') || (next >= 'a' && next <= 'z') ||
          (next >= '0' && next <= '9') || next == '_')) {
      return true;
    }
  }
  return text.find("${PORT}") != std::string_view::npos;
}

// A worker (no ports) has no port to give: `$PORT` would silently become empty.
void check_port_variable(const Spec& spec, LoadContext& ctx) {
  for (const Service& service : spec.services) {
    if (service.ports) continue;
    bool mentioned = false;
    for (const std::string& arg : service.command.argv) mentioned |= mentions_port_variable(arg);
    for (const auto& [name, value] : service.env) mentioned |= mentions_port_variable(value);
    if (!mentioned) continue;
    const std::string path = fmt::format("services.{}.command", service.name);
    ctx.error(ctx.position(path),
              fmt::format("services.{}: uses $PORT but has no ports to give it (add "
                          "'ports: 8000-8099', or drop $PORT for a worker)",
                          service.name));
  }
}

void validate(const Spec& spec, LoadContext& ctx) {
  check_route_targets(spec, ctx);
  check_port_variable(spec, ctx);
  check_upstream_services(spec, ctx);
  check_port_ranges(spec, ctx);
  check_listeners(spec, ctx);
  check_redirect_https(spec, ctx);
  check_hsts_headers(spec, ctx);
  check_routes(spec, ctx);
}

}  // namespace flotilla::config
