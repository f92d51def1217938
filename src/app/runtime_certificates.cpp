// The runtime's certificates: the ACME manager's start and its issued certificates swapped in
// through the TLS context rebuild (open connections keep theirs), the certificate list that
// status, `flotilla certs` and /metrics show (ACME and file certificates alike), and forced
// renewals from the admin API. Wiring only: the protocol and the schedule live in acme/.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "acme/certificates.hpp"
#include "acme/store.hpp"
#include "app/runtime.hpp"
#include "observe/certificate_metrics.hpp"
#include "tls/certificate_info.hpp"

namespace flotilla::app {
namespace {

nlohmann::json time_or_null(std::optional<std::chrono::system_clock::time_point> time) {
  if (!time || *time == std::chrono::system_clock::time_point{}) return nullptr;
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(*time)));
}

double unix_seconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

}  // namespace

bool Runtime::prepare_acme() {
  std::vector<std::string> notes;
  std::string error;
  if (!acme::Manager::prepare(spec(), notes, error)) {
    fmt::print(stderr, "flotilla up: acme: {}\n", error);
    return false;
  }
  for (const std::string& note : notes) spdlog::warn("{}", note);
  return true;
}

void Runtime::start_acme() {
  acme_ = std::make_unique<acme::Manager>(control_, spec(), [this] { on_acme_certificate(); });
  if (acme_->empty()) {
    acme_.reset();
    return;
  }
  acme_->start();
}

void Runtime::on_acme_certificate() {
  if (shutting_down_ || gateway_stopped_) return;
  certificate_files_ = gateway::tls_files(spec());  // the poll need not notice it again
  std::vector<std::string> errors;
  if (snapshots_->reload_certificates(errors)) {
    spdlog::info("acme: new certificate in use for new connections (open ones keep theirs)");
    publish_snapshot(false);
  } else {
    for (const std::string& error : errors) {
      spdlog::error("acme: the new certificate cannot be used, the old one stays: {}", error);
    }
  }
}

bool Runtime::renew_certificate(std::string_view domain) {
  return acme_ && acme_->renew(domain);
}

nlohmann::json Runtime::certificates_json() const {
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::string> acme_paths;
  if (acme_) {
    for (const acme::CertificateStatus& status : acme_->status()) {
      acme_paths.push_back(status.cert_path);
      nlohmann::json one = nlohmann::json::object();
      one["domains"] = status.domains;
      one["source"] = "acme";
      one["file"] = status.cert_path;
      one["issuer"] = status.issuer;
      one["not_after"] = time_or_null(status.not_after);
      one["temporary"] = status.temporary;
      one["next_renewal"] = time_or_null(status.next_renewal);
      one["ordering"] = status.ordering;
      one["waiting"] = status.waiting;
      if (status.renewal_window) {
        one["renewal_window"] = {{"start", time_or_null(status.renewal_window->start)},
                                 {"end", time_or_null(status.renewal_window->end)}};
      } else {
        one["renewal_window"] = nullptr;
      }
      one["failures"] = status.failures;
      one["last_error"] =
          status.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(status.last_error);
      out.push_back(std::move(one));
    }
  }
  if (!snapshots_) return out;
  for (const auto& context : snapshots_->tls().listeners) {
    if (!context) continue;
    for (const tls::CertificateInfo& info : context->certificates()) {
      const std::string path = info.cert_path.string();
      if (std::find(acme_paths.begin(), acme_paths.end(), path) != acme_paths.end()) continue;
      nlohmann::json one = nlohmann::json::object();
      one["domains"] = info.names;
      one["source"] = "file";
      one["file"] = path;
      std::string issuer;
      if (const auto text = acme::read_text(info.cert_path)) {
        if (const auto leaf = acme::read_leaf(*text)) issuer = leaf->issuer;
      }
      one["issuer"] = issuer;
      one["not_after"] = time_or_null(info.not_after);
      one["temporary"] = false;
      one["next_renewal"] = nullptr;
      out.push_back(std::move(one));
    }
  }
  return out;
}

void Runtime::append_certificate_metrics(observe::MetricsView& view) const {
  std::vector<observe::CertificateSample> samples;
  std::vector<std::string> files;  // each served file once, whatever listeners serve it
  if (acme_) {
    for (const acme::CertificateStatus& status : acme_->status()) {
      files.push_back(status.cert_path);
      samples.push_back({status.domains.empty() ? std::string{} : status.domains.front(),
                         status.temporary ? "self-signed" : "acme", status.cert_path,
                         unix_seconds(status.not_after), true, status.failures > 0,
                         status.temporary});
    }
  }
  if (snapshots_) {
    for (const auto& context : snapshots_->tls().listeners) {
      if (!context) continue;
      for (const tls::CertificateInfo& info : context->certificates()) {
        const std::string path = info.cert_path.string();
        if (std::find(files.begin(), files.end(), path) != files.end()) continue;
        files.push_back(path);
        samples.push_back({info.names.empty() ? path : info.names.front(), "file", path,
                           unix_seconds(info.not_after), false, false, false});
      }
    }
  }
  if (samples.empty() && !acme_) return;
  observe::AcmeOrderSample orders;
  if (acme_) {
    orders.results = acme_->orders();
    orders.running = acme_->running();
  }
  observe::append_certificate_metrics(view, samples, acme_ ? &orders : nullptr);
}

}  // namespace flotilla::app
