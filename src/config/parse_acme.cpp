// `acme:` — certificates flotilla obtains and renews itself over RFC 8555: the top-level
// defaults and a listener's `tls.acme`, completed from them once the file is read, with the
// certificate's paths under state_dir. Paths and names only: never reads or writes a file.
#include <algorithm>

#include <fmt/format.h>

#include "config/parse_sections.hpp"

namespace flotilla::config {
namespace {

const std::vector<std::string_view> kAcmeKeys{"email",   "domains",   "directory",
                                              "ca_root", "challenge", "retry_initial"};
// The top level also says how many orders may run at once (one order per domain).
const std::vector<std::string_view> kTopLevelAcmeKeys{
    "email",     "domains",       "directory",          "ca_root",
    "challenge", "retry_initial", "max_parallel_orders"};

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// A DNS name a certificate is requested for: no wildcard (HTTP-01 and TLS-ALPN-01 cannot
// prove one), no IP address, no port.
ValueType<std::string> domain_type() {
  return {"a domain name", [](std::string_view text) -> ParseResult<std::string> {
            const bool chars = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
              return is_label_char(c) || c == '.';
            });
            const bool numeric = std::all_of(text.begin(), text.end(), [](char c) {
              return (c >= '0' && c <= '9') || c == '.';
            });
            if (!chars || numeric || text.front() == '.' || text.back() == '.' ||
                text.find("..") != std::string_view::npos) {
              return parse_error(fmt::format(
                  "invalid domain '{}': use a host name such as www.example.com (no wildcard, IP "
                  "address or port)",
                  text));
            }
            std::string lower(text);
            for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
            return lower;
          }};
}

ValueType<std::string> directory_type() {
  return {"an https:// URL", [](std::string_view text) -> ParseResult<std::string> {
            if (!text.starts_with("https://") || text.size() <= 8 ||
                text.find_first_of(" \t\r\n\"\\") != std::string_view::npos) {
              return parse_error(
                  fmt::format("invalid ACME directory '{}': expected an https:// URL such as {}",
                              text, kLetsEncryptDirectory));
            }
            return std::string(text);
          }};
}

ValueType<std::string> email_type() {
  return {"an email address", [](std::string_view text) -> ParseResult<std::string> {
            const std::size_t at = text.find('@');
            if (at == std::string_view::npos || at == 0 || at + 1 == text.size() ||
                text.find_first_of(" \t\r\n\",<>") != std::string_view::npos) {
              return parse_error(fmt::format("invalid email address '{}'", text));
            }
            return std::string(text);
          }};
}

}  // namespace

void parse_acme(const MapReader& parent, Acme& out, bool top_level) {
  const auto acme = parent.child("acme", top_level ? kTopLevelAcmeKeys : kAcmeKeys);
  if (!acme) return;
  out.pos = acme->pos();
  acme->read("email", out.email, email_type());
  if (acme->read_list("domains", out.domains, domain_type())) {
    if (out.domains.empty()) {
      acme->ctx().error(acme->find("domains")->value_pos,
                        fmt::format("{}.domains: must not be empty", acme->path()));
    }
  } else if (acme->has("domains")) {
    out.domains = {std::string{}};  // reported: complete_acme says nothing more about it
  }
  acme->read("directory", out.directory, directory_type());
  acme->read_path("ca_root", out.ca_root);
  acme->read("challenge", out.challenge,
             enum_type<AcmeChallenge>("an ACME challenge type",
                                      {{"http-01", AcmeChallenge::http_01},
                                       {"tls-alpn-01", AcmeChallenge::tls_alpn_01}}));
  acme->read("retry_initial", out.retry_initial, positive_duration_type());
  if (top_level) acme->read("max_parallel_orders", out.max_parallel_orders, count_type(1, 64));
}

void complete_acme(LoadContext& ctx, Spec& spec) {
  const Acme defaults = spec.acme.value_or(Acme{});
  const bool has_plain_listener =
      std::any_of(spec.listeners.begin(), spec.listeners.end(), [](const Listener& listener) {
        return !listener.tls && listener.address.kind == Address::Kind::tcp;
      });
  std::vector<std::string> seen;  // domains: one certificate directory each
  for (std::size_t i = 0; i < spec.listeners.size(); ++i) {
    Listener& listener = spec.listeners[i];
    if (!listener.tls || !listener.tls->acme) continue;
    Acme& acme = *listener.tls->acme;
    if (!acme.email) acme.email = defaults.email;
    if (acme.domains.empty()) acme.domains = defaults.domains;
    if (!acme.directory) acme.directory = defaults.directory;
    if (!acme.directory) acme.directory = std::string(kLetsEncryptDirectory);
    if (!acme.ca_root) acme.ca_root = defaults.ca_root;
    if (!acme.challenge) acme.challenge = defaults.challenge.value_or(AcmeChallenge::http_01);
    if (!acme.retry_initial) acme.retry_initial = defaults.retry_initial.value_or(Duration{60s});
    if (acme.domains.size() == 1 && acme.domains.front().empty()) continue;  // reported
    if (acme.domains.empty()) {
      ctx.error(acme.pos, fmt::format("listen[{}].tls.acme: needs 'domains' (here or in the "
                                      "top-level 'acme:')",
                                      i));
      continue;
    }
    if (*acme.challenge == AcmeChallenge::http_01 && !has_plain_listener) {
      ctx.error(acme.pos, fmt::format("listen[{}].tls.acme: challenge http-01 is answered by a "
                                      "plain (non-TLS) listener on port 80, and there is none; "
                                      "add one or use 'challenge: tls-alpn-01'",
                                      i));
    }
    // One order and one certificate per domain (the first is the listener's default; SNI
    // chooses the others): <state_dir>/acme/certificates/<domain>/{fullchain,key}.pem.
    listener.tls->certificates.clear();
    for (const std::string& name : acme.domains) {
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
        ctx.error(acme.pos, fmt::format("listen[{}].tls.acme: '{}' is listed twice, or another "
                                        "listener already obtains a certificate for it",
                                        i, name));
        continue;
      }
      seen.push_back(name);
      const std::filesystem::path dir = spec.state_dir / "acme" / "certificates" / name;
      TlsCertificate certificate;
      certificate.pos = acme.pos;
      certificate.cert = dir / "fullchain.pem";
      certificate.key = dir / "key.pem";
      listener.tls->certificates.push_back(std::move(certificate));
    }
  }
}

}  // namespace flotilla::config
