// `flotilla certs`: the certificates a running flotilla serves (domains, issuer, expiry, source:
// file or ACME, next renewal, the last renewal error); `flotilla certs renew DOMAIN` starts an
// ACME order for that domain's certificate now. Both through the admin API.
#include <fmt/core.h>
#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/human_format.hpp"
#include "app/remote.hpp"
#include "app/table.hpp"

namespace flotilla::app {
namespace {

std::string text_of(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "-";
  return value.dump();
}

// " (ARI)" when the time comes from the ACME server's renewal window.
std::string ari_note(const nlohmann::json& one) {
  const auto window = one.find("renewal_window");
  return window != one.end() && window->is_object() ? " (ARI)" : "";
}

}  // namespace

std::string render_certificates(const nlohmann::json& certificates) {
  Table table({"DOMAINS", "SOURCE", "ISSUER", "EXPIRES", "NEXT RENEWAL", "STATE"});
  if (!certificates.is_array()) return table.render();
  for (const nlohmann::json& one : certificates) {
    if (!one.is_object()) continue;
    std::vector<std::string> domains;
    for (const nlohmann::json& name : one.value("domains", nlohmann::json::array())) {
      domains.push_back(text_of(name));
    }
    std::string state = "ok";
    if (one.value("temporary", false)) state = "temporary (self-signed)";
    if (one.value("waiting", false)) state = "waiting for an order slot";
    if (one.value("ordering", false)) state = "ordering";
    if (one.value("failures", 0) > 0) {
      state = fmt::format("renewal failing ({}x): {}", one.value("failures", 0),
                          text_of(one.value("last_error", nlohmann::json(nullptr))));
    }
    const std::string source = text_of(one.value("source", nlohmann::json(nullptr)));
    table.add_row(
        {fmt::format("{}", fmt::join(domains, ",")),
         source == "file" ? "file " + text_of(one.value("file", nlohmann::json(""))) : source,
         text_of(one.value("issuer", nlohmann::json(nullptr))),
         text_of(one.value("not_after", nlohmann::json(nullptr))),
         text_of(one.value("next_renewal", nlohmann::json(nullptr))) + ari_note(one), state});
  }
  return table.render();
}

int certs_command(const RemoteOptions& options) {
  return with_admin_client(options, "certs", [&](const admin::Client& client) {
    const admin::ClientResponse response = client.get("/api/v1/certificates");
    if (!response.ok()) return report_http_error("certs", response);
    const nlohmann::json certificates =
        response.json.is_object() ? response.json.value("certificates", nlohmann::json::array())
                                  : nlohmann::json::array();
    if (options.json) {
      print_json(certificates);
      return kExitOk;
    }
    if (certificates.empty()) {
      fmt::print("no TLS certificates\n");
      return kExitOk;
    }
    fmt::print("{}", render_certificates(certificates));
    return kExitOk;
  });
}

int certs_renew_command(const RemoteOptions& options, const std::string& domain) {
  return with_admin_client(options, "certs renew", [&](const admin::Client& client) {
    const admin::ClientResponse response =
        client.post(fmt::format("/api/v1/certificates/{}/renew", domain));
    if (!response.ok()) return report_http_error("certs renew", response);
    if (options.json) {
      print_json(response.json);
      return kExitOk;
    }
    fmt::print("{}: renewal started (flotilla certs shows how it went)\n", domain);
    return kExitOk;
  });
}

}  // namespace flotilla::app
