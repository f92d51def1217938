// Loading a PEM certificate chain with its private key, a CA bundle or any small file, with
// messages that name the file ("key /k.pem does not match certificate /c.pem"). Shared by the
// contexts (at build) and inspect() (for `flotilla check`); never touches an SSL_CTX.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tls/certificate_info.hpp"
#include "tls/openssl_handles.hpp"

namespace flotilla::tls {

struct LoadedCertificate {
  X509Ptr leaf;
  std::vector<X509Ptr> chain;  // the intermediates after the leaf, in file order
  EvpPkeyPtr key;
  CertificateInfo info;
};

// Whole file into `out`; false and "cannot read WHAT PATH: reason" in `error` when it cannot.
bool read_small_file(const std::filesystem::path& path, std::string_view what, std::string& out,
                     std::string& error);

// The chain (leaf first) and its key: unreadable files, no PEM certificate, an unparsable or
// encrypted key, a key that does not match the leaf (saying so when it matches a later
// certificate of the file) are errors. Validity and chain order are separate checks below.
std::optional<LoadedCertificate> load_certificate(const std::filesystem::path& cert,
                                                  const std::filesystem::path& key,
                                                  std::string& error);

// "certificate /c.pem expired on 2024-01-01 00:00:00 UTC" / "... is not valid before ...";
// empty when `now` is within the validity period.
std::string validity_problem(const LoadedCertificate& loaded,
                             std::chrono::system_clock::time_point now);

// Each certificate must be issued by the next one in the file; empty when they are in order.
std::string chain_order_problem(const LoadedCertificate& loaded);

// A PEM bundle of CA certificates (client_ca, upstream ca): at least one certificate.
std::optional<std::vector<X509Ptr>> load_ca_bundle(const std::filesystem::path& path,
                                                   std::string_view what, std::string& error);

}  // namespace flotilla::tls
