// Helpers shared by the tls unit tests: a throwaway PKI made with the OpenSSL API in a temp dir
// (a root CA, an intermediate, RSA 2048 and ECDSA P-256 leaves with SANs, expired / not yet valid
// / expiring-soon / wildcard certificates, client certificates, OCSP responses), and a
// socketpair driver that runs both ends of a TLS connection in one thread.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "config/spec.hpp"
#include "tls/certificate_info.hpp"
#include "tls/client_context.hpp"
#include "tls/connection.hpp"
#include "tls/openssl_handles.hpp"
#include "tls/server_context.hpp"

namespace flotilla::tls::testing {

namespace fs = std::filesystem;
constexpr long kDay = 24 * 60 * 60;

inline EvpPkeyPtr rsa_key() {
  return EvpPkeyPtr(EVP_RSA_gen(2048));
}
inline EvpPkeyPtr ecdsa_key() {
  return EvpPkeyPtr(EVP_EC_gen("P-256"));
}

struct CertSpec {
  explicit CertSpec(std::string cn) : common_name(std::move(cn)) {}
  CertSpec& san(std::string value) {  // "DNS:a.test", "IP:127.0.0.1"
    sans.push_back(std::move(value));
    return *this;
  }
  CertSpec& valid(long from, long to) {  // seconds from now
    not_before = from;
    not_after = to;
    return *this;
  }
  CertSpec& authority() {
    ca = true;
    return *this;
  }
  CertSpec& org(std::string value) {
    organization = std::move(value);
    return *this;
  }

  std::string common_name;
  std::vector<std::string> sans;
  long not_before = -kDay;
  long not_after = 365 * kDay;
  bool ca = false;
  std::string organization;
};

inline void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str());
  ASSERT_NE(extension, nullptr) << value;
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// Signed by `issuer`/`issuer_key`, or self-signed when they are null.
inline X509Ptr make_certificate(const CertSpec& spec, EVP_PKEY* key, X509* issuer = nullptr,
                                EVP_PKEY* issuer_key = nullptr) {
  static std::atomic<long> serial{1000};
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  if (!spec.organization.empty()) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(spec.organization.c_str()),
                               -1, -1, 0);
  }
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  add_extension(cert.get(), signer, NID_basic_constraints,
                spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_extension(
      cert.get(), signer, NID_key_usage,
      spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr)
    add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (!spec.sans.empty()) {
    std::string sans;
    for (const std::string& san : spec.sans) sans += (sans.empty() ? "" : ",") + san;
    add_extension(cert.get(), signer, NID_subject_alt_name, sans);
  }
  X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256());
  return cert;
}

inline void write_pem(const fs::path& path, const std::vector<X509*>& certs) {
  BioPtr bio(BIO_new_file(path.c_str(), "w"));
  ASSERT_TRUE(bio) << path;
  for (X509* cert : certs) PEM_write_bio_X509(bio.get(), cert);
}

inline void write_key(const fs::path& path, EVP_PKEY* key) {
  BioPtr bio(BIO_new_file(path.c_str(), "w"));
  ASSERT_TRUE(bio) << path;
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// An OCSP response about `leaf` (certificate status `status`, V_OCSP_CERTSTATUS_*), signed by its
// issuer; DER. A response status other than successful carries no basic response.
inline std::string make_ocsp_response(X509* leaf, X509* issuer, EVP_PKEY* issuer_key,
                                      int status = V_OCSP_CERTSTATUS_GOOD,
                                      int response_status = OCSP_RESPONSE_STATUS_SUCCESSFUL) {
  OCSP_BASICRESP* basic = OCSP_BASICRESP_new();
  OCSP_CERTID* id = OCSP_cert_to_id(nullptr, leaf, issuer);
  ASN1_TIME* this_update = X509_gmtime_adj(nullptr, 0);
  ASN1_TIME* next_update = X509_gmtime_adj(nullptr, 7 * kDay);
  ASN1_TIME* revoked_at = X509_gmtime_adj(nullptr, -kDay);
  OCSP_basic_add1_status(basic, id, status, OCSP_REVOKED_STATUS_KEYCOMPROMISE,
                         status == V_OCSP_CERTSTATUS_REVOKED ? revoked_at : nullptr, this_update,
                         next_update);
  OCSP_basic_sign(basic, issuer, issuer_key, EVP_sha256(), nullptr, 0);
  OcspResponsePtr response(OCSP_response_create(
      response_status, response_status == OCSP_RESPONSE_STATUS_SUCCESSFUL ? basic : nullptr));
  unsigned char* der = nullptr;
  const int length = i2d_OCSP_RESPONSE(response.get(), &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  ASN1_TIME_free(this_update);
  ASN1_TIME_free(next_update);
  ASN1_TIME_free(revoked_at);
  OCSP_CERTID_free(id);
  OCSP_BASICRESP_free(basic);
  return out;
}

struct KeyPair {
  fs::path cert;
  fs::path key;
};

// Every file the tests use, made once per test process (RSA key generation is slow).
class TestPki {
 public:
  TestPki() {
    char pattern[] = "/tmp/flotilla-tls-test-XXXXXX";
    dir = mkdtemp(pattern);
    ca_key = ecdsa_key();
    ca = make_certificate(CertSpec("Flotilla Test Root").authority(), ca_key.get());
    write_pem(dir / "ca.pem", {ca.get()});
    other_ca_key = ecdsa_key();
    other_ca = make_certificate(CertSpec("Some Other Root").authority(), other_ca_key.get());
    write_pem(dir / "other_ca.pem", {other_ca.get()});
    client_ca_key = ecdsa_key();
    client_ca = make_certificate(CertSpec("Flotilla Client CA").authority(), client_ca_key.get());
    write_pem(dir / "client_ca.pem", {client_ca.get()});

    const CertSpec site = CertSpec("example.com").san("DNS:example.com").san("DNS:www.example.com");
    rsa_leaf_key = rsa_key();
    rsa_leaf = make_certificate(site, rsa_leaf_key.get(), ca.get(), ca_key.get());
    rsa = save("rsa", rsa_leaf.get(), rsa_leaf_key.get());
    ecdsa_leaf_key = ecdsa_key();
    ecdsa_leaf = make_certificate(site, ecdsa_leaf_key.get(), ca.get(), ca_key.get());
    ecdsa = save("ecdsa", ecdsa_leaf.get(), ecdsa_leaf_key.get());
    other = leaf("other", CertSpec("other.test").san("DNS:other.test"));
    wildcard = leaf("wild", CertSpec("wild").san("DNS:*.wild.test"));
    localhost = leaf("localhost", CertSpec("localhost").san("DNS:localhost").san("IP:127.0.0.1"));
    expired =
        leaf("expired", CertSpec("expired.test").san("DNS:expired.test").valid(-30 * kDay, -kDay));
    future =
        leaf("future", CertSpec("future.test").san("DNS:future.test").valid(2 * kDay, 30 * kDay));
    soon = leaf("soon", CertSpec("soon.test").san("DNS:soon.test").valid(-kDay, 10 * kDay));

    // A chain: leaf <- intermediate <- root, in order and reversed.
    auto intermediate_key = ecdsa_key();
    intermediate = make_certificate(CertSpec("Flotilla Test Intermediate").authority(),
                                    intermediate_key.get(), ca.get(), ca_key.get());
    auto chain_key = ecdsa_key();
    X509Ptr chain_leaf =
        make_certificate(CertSpec("chain.test").san("DNS:chain.test"), chain_key.get(),
                         intermediate.get(), intermediate_key.get());
    chain = {dir / "chain.pem", dir / "chain.key"};
    write_pem(chain.cert, {chain_leaf.get(), intermediate.get()});
    write_key(chain.key, chain_key.get());
    reversed_chain = {dir / "reversed.pem", chain.key};
    write_pem(reversed_chain.cert, {intermediate.get(), chain_leaf.get()});
    unordered_chain = {dir / "unordered.pem", chain.key};
    write_pem(unordered_chain.cert, {chain_leaf.get(), other_ca.get()});

    client = leaf("client", CertSpec("client-1").org("Flotilla Tests"), client_ca.get(),
                  client_ca_key.get());
    rogue_client = leaf("rogue", CertSpec("rogue"), other_ca.get(), other_ca_key.get());

    rsa_ocsp = dir / "rsa.ocsp.der";
    write_file(rsa_ocsp, make_ocsp_response(rsa_leaf.get(), ca.get(), ca_key.get()));
    ecdsa_ocsp = dir / "ecdsa.ocsp.der";
    write_file(ecdsa_ocsp, make_ocsp_response(ecdsa_leaf.get(), ca.get(), ca_key.get()));
    not_der = dir / "garbage.der";
    write_file(not_der, "this is not DER");
    not_pem = dir / "not.pem";
    write_file(not_pem, "-----BEGIN NOTHING-----\nabc\n-----END NOTHING-----\n");
  }
  ~TestPki() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  fs::path dir;
  EvpPkeyPtr ca_key, other_ca_key, client_ca_key, rsa_leaf_key, ecdsa_leaf_key;
  X509Ptr ca, other_ca, client_ca, rsa_leaf, ecdsa_leaf, intermediate;
  KeyPair rsa, ecdsa, other, wildcard, localhost, expired, future, soon, chain, reversed_chain,
      unordered_chain, client, rogue_client;
  fs::path rsa_ocsp, ecdsa_ocsp, not_der, not_pem;

 private:
  KeyPair save(const std::string& name, X509* cert, EVP_PKEY* key) {
    KeyPair pair{dir / (name + ".pem"), dir / (name + ".key")};
    write_pem(pair.cert, {cert});
    write_key(pair.key, key);
    return pair;
  }
  KeyPair leaf(const std::string& name, const CertSpec& spec, X509* issuer = nullptr,
               EVP_PKEY* issuer_key = nullptr) {
    EvpPkeyPtr key = ecdsa_key();
    X509Ptr cert = make_certificate(spec, key.get(), issuer != nullptr ? issuer : ca.get(),
                                    issuer_key != nullptr ? issuer_key : ca_key.get());
    return save(name, cert.get(), key.get());
  }
};

inline const TestPki& pki() {
  static const TestPki instance;
  return instance;
}

inline config::TlsCertificate entry(const KeyPair& pair, int line = 0) {
  return config::TlsCertificate{.pos = {line, 7}, .cert = pair.cert, .key = pair.key, .ocsp = {}};
}

inline config::Tls server_settings(std::vector<config::TlsCertificate> certificates) {
  config::Tls tls;
  tls.pos = {3, 5};
  tls.certificates = std::move(certificates);
  return tls;
}

inline std::shared_ptr<const ServerContext> build_server(const config::Tls& tls,
                                                         std::vector<std::string> alpn = {}) {
  std::string error;
  auto context = ServerContext::build(tls, std::move(alpn), "listen[0].tls", error);
  EXPECT_TRUE(context) << error;
  return context;
}

inline config::UpstreamTls client_settings(bool verify = true) {
  config::UpstreamTls tls;
  tls.verify = verify;
  tls.ca = pki().dir / "ca.pem";
  return tls;
}

inline std::shared_ptr<const ClientContext> build_client(const config::UpstreamTls& tls) {
  std::string error;
  auto context = ClientContext::build(tls, "upstreams.app.tls", error);
  EXPECT_TRUE(context) << error;
  return context;
}

class SocketPair {
 public:
  SocketPair() {
    int fds[2] = {-1, -1};
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    client = fds[0];
    server = fds[1];
  }
  ~SocketPair() {
    if (client >= 0) close(client);
    if (server >= 0) close(server);
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;
  int client = -1;
  int server = -1;
};

struct Outcome {
  Step client;
  Step server;
  bool ok() const { return client_ok() && server_ok(); }
  bool client_ok() const { return client.want == Want::kNone && !client.error && !client.eof; }
  bool server_ok() const { return server.want == Want::kNone && !server.error && !server.eof; }
};

// Runs both handshakes in turns until each one finished or failed (bounded: 200 turns).
inline Outcome drive_handshake(Connection& client, Connection& server) {
  Outcome out;
  out.client.want = out.server.want = Want::kRead;
  for (int turn = 0; turn < 200; ++turn) {
    if (out.client.want != Want::kNone) out.client = client.handshake();
    if (out.server.want != Want::kNone) out.server = server.handshake();
    if (out.client.want == Want::kNone && out.server.want == Want::kNone) break;
  }
  return out;
}

// Writes all of `data`, letting `peer` read in between so a full socket buffer drains.
inline void write_all(Connection& writer, const std::string& data) {
  std::size_t done = 0;
  for (int turn = 0; turn < 10000 && done < data.size(); ++turn) {
    const Step result = writer.write(data.data() + done, data.size() - done);
    ASSERT_FALSE(result.error) << result.error.message();
    done += result.bytes;
  }
  ASSERT_EQ(done, data.size());
}

// Reads until `size` bytes arrived (or eof/error), bounded in turns.
inline std::string read_exactly(Connection& reader, std::size_t size, Step* last = nullptr) {
  std::string out;
  char buffer[4096];
  for (int turn = 0; turn < 10000 && out.size() < size; ++turn) {
    const Step result = reader.read(buffer, std::min(sizeof buffer, size - out.size()));
    out.append(buffer, result.bytes);
    if (last != nullptr) *last = result;
    if (result.error || result.eof) break;
  }
  return out;
}

// A connected pair over a fresh socketpair; the Connections are null if setup failed.
struct Pair {
  SocketPair sockets;
  std::unique_ptr<Connection> client;
  std::unique_ptr<Connection> server;
};

inline std::unique_ptr<Pair> connect(const ServerContext& server, const ClientContext& client,
                                     std::string_view server_name, SSL_SESSION* resume = nullptr) {
  auto pair = std::make_unique<Pair>();
  std::error_code error;
  pair->server = Connection::server(server, pair->sockets.server, error);
  EXPECT_FALSE(error) << error.message();
  pair->client = Connection::client(client, pair->sockets.client, server_name, resume, error);
  EXPECT_FALSE(error) << error.message();
  return pair;
}

// The client's resumable session after a full exchange: TLS 1.3 tickets come after the
// handshake, so the server sends one byte and the client reads it first.
inline SessionPtr take_session(Pair& pair) {
  write_all(*pair.server, "x");
  EXPECT_EQ(read_exactly(*pair.client, 1), "x");
  return pair.client->session();
}

// The key type of the certificate the client received ("RSA 2048", "ECDSA P-256").
inline std::string peer_key_type(const Connection& connection) {
  const X509* peer = SSL_get0_peer_certificate(connection.native_handle());
  return peer != nullptr ? key_type_name(X509_get0_pubkey(peer)) : std::string("none");
}

}  // namespace flotilla::tls::testing
