// Judging a configuration's TLS files for check/up/reload (see inspect.hpp).
#include "tls/inspect.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "tls/certificate_file.hpp"
#include "tls/certificate_info.hpp"
#include "tls/context_settings.hpp"
#include "tls/ocsp_staple.hpp"

namespace flotilla::tls {
namespace {

using Clock = std::chrono::system_clock;

std::string time_left(Clock::duration left) {
  using std::chrono::duration_cast;
  using std::chrono::hours;
  using std::chrono::minutes;
  if (left < hours(48)) {
    const long rounded = duration_cast<hours>(left + minutes(30)).count();
    return fmt::format("{} hours", std::max<long>(1, rounded));
  }
  return fmt::format("{} days", duration_cast<hours>(left + hours(12)).count() / 24);
}

class Inspector {
 public:
  explicit Inspector(Clock::time_point now) : now_(now) {}

  void error(config::SourcePos pos, std::string message) {
    problems_.push_back({pos, std::move(message), false});
  }
  void warning(config::SourcePos pos, std::string message) {
    problems_.push_back({pos, std::move(message), true});
  }

  // The leaf's and the intermediates' validity against now, and the chain's order.
  void check_certificate(config::SourcePos pos, const LoadedCertificate& loaded) {
    if (std::string problem = validity_problem(loaded, now_); !problem.empty()) {
      error(pos, std::move(problem));
    } else if (loaded.info.not_after - now_ <= kExpiryWarning) {
      warning(pos, fmt::format(
                       "certificate {} expires in {}, on {}", loaded.info.cert_path.string(),
                       time_left(loaded.info.not_after - now_), format_utc(loaded.info.not_after)));
    }
    for (std::size_t i = 0; i < loaded.chain.size(); ++i) {
      X509* cert = loaded.chain[i].get();
      const Clock::time_point not_after = to_time_point(X509_get0_notAfter(cert));
      const std::string subject = one_line_name(X509_get_subject_name(cert));
      if (now_ >= not_after) {
        error(pos, fmt::format("intermediate certificate {} ({}) in {} expired on {}", i + 2,
                               subject, loaded.info.cert_path.string(), format_utc(not_after)));
      } else if (not_after - now_ <= kExpiryWarning) {
        warning(pos, fmt::format("intermediate certificate {} ({}) in {} expires in {}, on {}",
                                 i + 2, subject, loaded.info.cert_path.string(),
                                 time_left(not_after - now_), format_utc(not_after)));
      }
    }
    if (std::string problem = chain_order_problem(loaded); !problem.empty()) {
      error(pos, std::move(problem));
    }
  }

  Clock::time_point now() const { return now_; }
  std::vector<CertificateProblem> take() { return std::move(problems_); }

 private:
  Clock::time_point now_;
  std::vector<CertificateProblem> problems_;
};

struct Seen {  // a loaded certificate's name set and key type, to find duplicates
  std::vector<std::string> names;
  int key_id = 0;
  std::size_t index = 0;
};

}  // namespace

std::vector<CertificateProblem> inspect_listener_tls(const config::Tls& tls,
                                                     Clock::time_point now) {
  Inspector out(now);
  if (tls.certificates.empty()) out.error(tls.pos, "no certificate");
  if (std::string problem = cipher_settings_problem(tls); !problem.empty()) {
    out.error(tls.pos, std::move(problem));
  }
  if (tls.verify != config::TlsVerify::none && !tls.client_ca) {
    out.error(tls.pos, "verify needs client_ca");
  }
  std::string message;
  if (tls.client_ca && !load_ca_bundle(*tls.client_ca, "client_ca", message)) {
    out.error(tls.pos, message);
  }
  // An ACME certificate is flotilla's own file (a temporary self-signed one until issued):
  // nothing to check before start, and expiry is the renewal's business.
  if (tls.acme) return out.take();
  std::vector<Seen> seen;
  for (std::size_t i = 0; i < tls.certificates.size(); ++i) {
    const config::TlsCertificate& entry = tls.certificates[i];
    std::optional<LoadedCertificate> loaded = load_certificate(entry.cert, entry.key, message);
    if (!loaded) {
      out.error(entry.pos, message);
      continue;
    }
    out.check_certificate(entry.pos, *loaded);
    if (entry.ocsp) {
      const std::optional<OcspStaple> staple =
          load_ocsp_staple(*entry.ocsp, loaded->leaf.get(), message);
      if (!staple) {
        out.error(entry.pos, message);
      } else if (staple->next_update && *staple->next_update <= now) {
        out.warning(entry.pos, fmt::format("OCSP response {} is out of date since {}",
                                           entry.ocsp->string(), format_utc(*staple->next_update)));
      }
    }
    Seen current{loaded->info.names, EVP_PKEY_get_base_id(loaded->key.get()), i};
    std::sort(current.names.begin(), current.names.end());
    current.names.erase(std::unique(current.names.begin(), current.names.end()),
                        current.names.end());
    const auto duplicate = std::find_if(seen.begin(), seen.end(), [&](const Seen& other) {
      return other.names == current.names && other.key_id == current.key_id;
    });
    if (duplicate != seen.end()) {
      out.error(entry.pos,
                fmt::format("certificate {} has the same names and key type ({}) as "
                            "certificates[{}]; one listener serves one certificate per key type "
                            "and name set",
                            entry.cert.string(), loaded->info.key_type, duplicate->index));
    }
    seen.push_back(std::move(current));
  }
  return out.take();
}

std::vector<CertificateProblem> inspect_upstream_tls(const config::UpstreamTls& tls,
                                                     Clock::time_point now) {
  Inspector out(now);
  std::string message;
  if (tls.protocols.empty()) out.error(tls.pos, "protocols: no TLS version enabled");
  if (tls.verify && tls.ca && !load_ca_bundle(*tls.ca, "ca", message)) {
    out.error(tls.pos, message);
  }
  if (tls.client_cert.has_value() != tls.client_key.has_value()) {
    out.error(tls.pos, "client_cert and client_key go together");
  } else if (tls.client_cert) {
    std::optional<LoadedCertificate> loaded =
        load_certificate(*tls.client_cert, *tls.client_key, message);
    if (!loaded) {
      out.error(tls.pos, message);
    } else {
      out.check_certificate(tls.pos, *loaded);
    }
  }
  return out.take();
}

std::vector<CertificateProblem> inspect(const config::Spec& spec, Clock::time_point now) {
  std::vector<CertificateProblem> problems;
  const auto append = [&](std::vector<CertificateProblem> more) {
    problems.insert(problems.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  };
  for (const config::Listener& listener : spec.listeners) {
    if (listener.tls) append(inspect_listener_tls(*listener.tls, now));
  }
  for (const config::Upstream& upstream : spec.upstreams) {
    if (upstream.tls) append(inspect_upstream_tls(*upstream.tls, now));
  }
  return problems;
}

}  // namespace flotilla::tls
