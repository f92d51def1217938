// `tls:` on a listener (certificates, protocols, ciphers, sessions, client certificates,
// handshake limits) and on an upstream (verification, SNI, client certificate). Paths are only
// resolved here: the certificate files are read and checked by the tls module, not the loader.
#include <algorithm>

#include <fmt/format.h>

#include "config/parse_sections.hpp"

namespace flotilla::config {
namespace {

// The certificate forms, then protocol settings, sessions, client certificates, limits.
const std::vector<std::string_view> kListenerTlsKeys{"cert",
                                                     "key",
                                                     "ocsp",
                                                     "certificates",
                                                     "protocols",
                                                     "ciphers",
                                                     "ciphersuites",
                                                     "groups",
                                                     "session_tickets",
                                                     "ticket_key_rotation",
                                                     "session_cache",
                                                     "session_timeout",
                                                     "client_ca",
                                                     "verify",
                                                     "client_subject_header",
                                                     "handshake_timeout",
                                                     "max_handshakes",
                                                     "acme"};

const std::vector<std::string_view> kCertificateKeys{"cert", "key", "ocsp"};

const std::vector<std::string_view> kUpstreamTlsKeys{"verify",      "ca",         "sni",
                                                     "client_cert", "client_key", "protocols"};

constexpr std::uint32_t kMaxSessionCache = 10'000'000;
constexpr std::uint32_t kMaxHandshakes = 1'000'000;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// OpenSSL's names: X25519, P-256, secp384r1, ffdhe2048, X25519MLKEM768...
ValueType<std::string> group_type() {
  return {"a key exchange group such as X25519", [](std::string_view text) {
            const bool ok = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
              return is_alnum(c) || c == '-' || c == '_';
            });
            if (ok) return ParseResult<std::string>(std::string(text));
            return ParseResult<std::string>(parse_error(
                fmt::format("invalid group name '{}', e.g. X25519, P-256 or P-384", text)));
          }};
}

// A DNS name sent as SNI (RFC 6066: a host name, never an IP address).
ValueType<std::string> sni_type() {
  return {"a host name", [](std::string_view text) -> ParseResult<std::string> {
            const bool chars = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
              return is_alnum(c) || c == '-' || c == '.';
            });
            const bool numeric = std::all_of(text.begin(), text.end(), [](char c) {
              return (c >= '0' && c <= '9') || c == '.';
            });
            if (!chars || numeric || text.front() == '.' || text.back() == '.') {
              return parse_error(fmt::format(
                  "invalid SNI name '{}': use a host name such as api.example.com (not an IP "
                  "address or a port)",
                  text));
            }
            return std::string(text);
          }};
}

// `protocols: [TLSv1.2, TLSv1.3]`, never empty.
void read_protocols(const MapReader& tls, std::vector<TlsProtocol>& out) {
  if (tls.read_list("protocols", out,
                    enum_type<TlsProtocol>("a TLS version", {{"TLSv1.2", TlsProtocol::tls1_2},
                                                             {"TLSv1.3", TlsProtocol::tls1_3}})) &&
      out.empty()) {
    tls.ctx().error(tls.find("protocols")->value_pos,
                    fmt::format("{}.protocols: must not be empty", tls.path()));
  }
}

void read_certificate(const MapReader& r, TlsCertificate& out) {
  r.require("cert");
  r.require("key");
  r.read_path("cert", out.cert);
  r.read_path("key", out.key);
  r.read_path("ocsp", out.ocsp);
}

// The flat `cert`/`key`/`ocsp` or `certificates: [...]`, exactly one of the two.
void read_certificates(const MapReader& tls, Tls& out) {
  const bool listed = tls.has("certificates");
  const bool flat = tls.has("cert") || tls.has("key") || tls.has("ocsp");
  if (tls.has("acme")) {  // the certificate is obtained: none may be given
    for (std::string_view key : {"certificates", "cert", "key", "ocsp"}) {
      if (tls.has(key)) tls.exclusive("acme", key);
    }
    return;
  }
  if (listed && flat) {
    for (std::string_view key : kCertificateKeys) tls.exclusive("certificates", key);
    return;
  }
  if (!listed && !flat) {
    tls.ctx().error(tls.pos(),
                    fmt::format("{} needs 'cert' and 'key', or 'certificates'", tls.where()));
    return;
  }
  if (!listed) {
    TlsCertificate certificate;
    certificate.pos = tls.pos();
    read_certificate(tls, certificate);
    out.certificates.push_back(std::move(certificate));
    return;
  }
  const Entry* list = tls.find("certificates");
  for_each_item(tls.ctx(), *list, [&](const Entry& item, std::size_t) {
    const MapReader r(tls.ctx(), item, kCertificateKeys);
    if (!r.is_map()) return;
    TlsCertificate certificate;
    certificate.pos = item.value_pos;
    read_certificate(r, certificate);
    for (std::size_t i = 0; i < out.certificates.size(); ++i) {
      if (!certificate.cert.empty() && out.certificates[i].cert == certificate.cert) {
        tls.ctx().error(r.find("cert")->value_pos,
                        fmt::format("{}.cert: the same certificate as {}.certificates[{}]",
                                    item.path, tls.path(), i));
      }
    }
    out.certificates.push_back(std::move(certificate));
  });
  if (list->value.IsSequence() && list->value.size() == 0) {
    tls.ctx().error(list->value_pos, fmt::format("{}: must not be empty", list->path));
  }
}

// client_ca asks clients for a certificate; verify says what happens without a valid one.
void read_client_verification(const MapReader& tls, Tls& out) {
  tls.read_path("client_ca", out.client_ca);
  tls.feature("client_ca", "client_cert_verify");
  const bool verify_ok =
      tls.read("verify", out.verify,
               enum_type<TlsVerify>("a verification mode", {{"none", TlsVerify::none},
                                                            {"optional", TlsVerify::optional},
                                                            {"required", TlsVerify::required}}));
  if (tls.has("client_ca") && !tls.has("verify")) out.verify = TlsVerify::required;
  if (verify_ok && out.verify != TlsVerify::none && !tls.has("client_ca")) {
    tls.ctx().error(
        tls.find("verify")->value_pos,
        fmt::format("{}.verify: '{}' needs 'client_ca' (the CA certificates that "
                    "client certificates are checked against)",
                    tls.path(), out.verify == TlsVerify::optional ? "optional" : "required"));
  }
  tls.read("client_subject_header", out.client_subject_header,
           checked_name_type("a header name", check_editable_header_name));
  if (tls.has("client_subject_header") && !tls.has("client_ca")) {
    tls.ctx().error(
        tls.find("client_subject_header")->key_pos,
        fmt::format("{}.client_subject_header: only used with 'client_ca'", tls.path()));
  }
}

}  // namespace

void parse_listener_tls(const MapReader& listener, std::optional<Tls>& out) {
  const auto tls = listener.child("tls", kListenerTlsKeys);
  listener.feature("tls", "tls");
  if (!tls) return;
  Tls result;
  result.pos = tls->pos();
  read_certificates(*tls, result);
  read_protocols(*tls, result.protocols);
  tls->read("ciphers", result.ciphers, string_type());
  tls->read("ciphersuites", result.ciphersuites, string_type());
  if (tls->read_list("groups", result.groups, group_type()) && result.groups.empty()) {
    tls->ctx().error(
        tls->find("groups")->value_pos,
        fmt::format("{}.groups: must not be empty (remove 'groups' to use the default)",
                    tls->path()));
  }
  tls->read("session_tickets", result.session_tickets, bool_type());
  tls->read("ticket_key_rotation", result.ticket_key_rotation, positive_duration_type());
  tls->read("session_cache", result.session_cache, count_type(0, kMaxSessionCache));
  tls->read("session_timeout", result.session_timeout, positive_duration_type());
  read_client_verification(*tls, result);
  tls->read("handshake_timeout", result.handshake_timeout, positive_duration_type());
  tls->read("max_handshakes", result.max_handshakes, count_type(1, kMaxHandshakes));
  if (tls->has("acme")) {
    result.acme.emplace();
    parse_acme(*tls, *result.acme, false);
  }
  out = std::move(result);
}

void parse_upstream_tls(const MapReader& upstream, std::optional<UpstreamTls>& out) {
  const auto tls = upstream.child("tls", kUpstreamTlsKeys);
  upstream.feature("tls", "upstream_tls");
  if (!tls) return;
  UpstreamTls result;
  result.pos = tls->pos();
  const bool verify_ok = tls->read("verify", result.verify, bool_type());
  tls->read_path("ca", result.ca);
  if (verify_ok && !result.verify && tls->has("ca")) {
    tls->ctx().error(tls->find("ca")->key_pos,
                     fmt::format("{}.ca: not used with 'verify: false'", tls->path()));
  }
  tls->read("sni", result.sni, sni_type());
  tls->read_path("client_cert", result.client_cert);
  tls->read_path("client_key", result.client_key);
  if (tls->has("client_cert") != tls->has("client_key")) {
    const bool has_cert = tls->has("client_cert");
    const Entry* given = tls->find(has_cert ? "client_cert" : "client_key");
    tls->ctx().error(given->key_pos,
                     fmt::format("{}: '{}' needs '{}' as well", given->path, given->name,
                                 has_cert ? "client_key" : "client_cert"));
  }
  read_protocols(*tls, result.protocols);
  out = std::move(result);
}

}  // namespace flotilla::config
