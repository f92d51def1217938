#include "gateway/stages/value_template.hpp"

#include "gateway/request_target.hpp"
#include "gateway/workspace.hpp"

namespace flotilla::gateway {

std::string_view host_without_port(std::string_view host) noexcept {
  if (!host.empty() && host.front() == '[') {  // [v6]:port
    const std::size_t close = host.find(']');
    if (close != std::string_view::npos) return host.substr(0, close + 1);
    return host;
  }
  const std::size_t colon = host.rfind(':');
  if (colon != std::string_view::npos) host = host.substr(0, colon);
  if (host.size() > 1 && host.back() == '.') host.remove_suffix(1);
  return host;
}

void append_expanded(std::string& out, const config::ValueTemplate& value, RequestContext& ctx) {
  for (const config::TemplatePart& part : value.parts) {
    if (!part.variable) {
      out += part.literal;
      continue;
    }
    switch (*part.variable) {
      case config::Variable::scheme:
        out += ctx.scheme();
        break;
      case config::Variable::host: {  // as nginx's $host: the name without a port, lowercase
        const std::string_view host = host_without_port(ctx.head.host);
        const std::size_t at = out.size();
        out += host;
        for (std::size_t i = at; i < out.size(); ++i) {
          if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] + ('a' - 'A'));
        }
        break;
      }
      case config::Variable::remote_addr:
        out += ctx.client_ip;
        break;
      case config::Variable::request_id:
        out += request_id(ctx);
        break;
      case config::Variable::request_uri:  // path and query (origin-form)
        out += origin_form(ctx.head, ctx.ws.target);
        break;
    }
  }
}

}  // namespace flotilla::gateway
