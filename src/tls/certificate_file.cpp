// Reading certificate chains, keys and CA bundles from PEM files (see certificate_file.hpp).
#include "tls/certificate_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "tls/error_category.hpp"

namespace flotilla::tls {
namespace {

std::string shown(const std::filesystem::path& path) {
  return path.string();
}

BioPtr memory_bio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Every certificate in a PEM text, in order; stops at the first block that is not one.
std::vector<X509Ptr> read_certificates(const std::string& text) {
  std::vector<X509Ptr> out;
  BioPtr bio = memory_bio(text);
  while (bio) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    out.push_back(std::move(cert));
  }
  ERR_clear_error();  // the read past the last certificate always queues "no start line"
  return out;
}

// Refuses to prompt for a passphrase: an encrypted key is a configuration error.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

}  // namespace

bool read_small_file(const std::filesystem::path& path, std::string_view what, std::string& out,
                     std::string& error) {
  constexpr std::size_t kMaxSize = 16 * 1024 * 1024;  // no PEM bundle or OCSP response is bigger
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    error = fmt::format("cannot read {} {}: {}", what, shown(path), std::strerror(errno));
    return false;
  }
  out.clear();
  char buffer[16 * 1024];
  for (;;) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    out.append(buffer, n);
    if (n < sizeof buffer) break;
    if (out.size() > kMaxSize) {
      error = fmt::format("cannot read {} {}: larger than 16 MiB", what, shown(path));
      return false;
    }
  }
  if (std::ferror(file.get())) {
    error = fmt::format("cannot read {} {}: {}", what, shown(path), std::strerror(errno));
    return false;
  }
  return true;
}

std::optional<LoadedCertificate> load_certificate(const std::filesystem::path& cert,
                                                  const std::filesystem::path& key,
                                                  std::string& error) {
  std::string cert_text;
  std::string key_text;
  if (!read_small_file(cert, "certificate", cert_text, error)) return std::nullopt;
  if (!read_small_file(key, "key", key_text, error)) return std::nullopt;

  std::vector<X509Ptr> certs = read_certificates(cert_text);
  if (certs.empty()) {
    error = fmt::format("no PEM certificate in {}", shown(cert));
    return std::nullopt;
  }
  BioPtr key_bio = memory_bio(key_text);
  EvpPkeyPtr pkey(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &no_passphrase, nullptr)
                          : nullptr);
  if (!pkey) {
    const std::string reason = drain_openssl_errors();
    if (key_text.find("ENCRYPTED") != std::string::npos) {
      error = fmt::format("key {} is encrypted; flotilla needs it unencrypted", shown(key));
    } else {
      error = fmt::format("no PEM private key in {}{}{}", shown(key), reason.empty() ? "" : ": ",
                          reason);
    }
    return std::nullopt;
  }
  if (X509_check_private_key(certs.front().get(), pkey.get()) != 1) {
    ERR_clear_error();
    for (std::size_t i = 1; i < certs.size(); ++i) {
      if (X509_check_private_key(certs[i].get(), pkey.get()) == 1) {
        error = fmt::format(
            "key {} matches certificate {} of {}, not the first: the server certificate must "
            "come first, then its chain",
            shown(key), i + 1, shown(cert));
        return std::nullopt;
      }
      ERR_clear_error();
    }
    error = fmt::format("key {} does not match certificate {}", shown(key), shown(cert));
    return std::nullopt;
  }

  LoadedCertificate loaded;
  loaded.info = describe_certificate(certs.front().get(), cert);
  loaded.leaf = std::move(certs.front());
  for (std::size_t i = 1; i < certs.size(); ++i) loaded.chain.push_back(std::move(certs[i]));
  loaded.key = std::move(pkey);
  return loaded;
}

std::string validity_problem(const LoadedCertificate& loaded,
                             std::chrono::system_clock::time_point now) {
  if (now >= loaded.info.not_after) {
    return fmt::format("certificate {} expired on {}", shown(loaded.info.cert_path),
                       format_utc(loaded.info.not_after));
  }
  if (now < loaded.info.not_before) {
    return fmt::format("certificate {} is not valid before {}", shown(loaded.info.cert_path),
                       format_utc(loaded.info.not_before));
  }
  return {};
}

std::string chain_order_problem(const LoadedCertificate& loaded) {
  X509* subject = loaded.leaf.get();
  for (std::size_t i = 0; i < loaded.chain.size(); ++i) {
    X509* issuer = loaded.chain[i].get();
    if (X509_check_issued(issuer, subject) != X509_V_OK) {
      return fmt::format(
          "certificate chain in {} is out of order: certificate {} did not issue certificate {} "
          "(each certificate must be followed by its issuer)",
          shown(loaded.info.cert_path), i + 2, i + 1);
    }
    subject = issuer;
  }
  return {};
}

std::optional<std::vector<X509Ptr>> load_ca_bundle(const std::filesystem::path& path,
                                                   std::string_view what, std::string& error) {
  std::string text;
  if (!read_small_file(path, what, text, error)) return std::nullopt;
  std::vector<X509Ptr> certs = read_certificates(text);
  if (certs.empty()) {
    error = fmt::format("no PEM certificate in {} {}", what, shown(path));
    return std::nullopt;
  }
  return certs;
}

}  // namespace flotilla::tls
