// The renewal loop per certificate (see manager.hpp): decide when, order, store, publish.
#include "acme/manager.hpp"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "acme/certificates.hpp"
#include "acme/challenge_table.hpp"
#include "acme/store.hpp"
#include "client/exchange.hpp"
#include "net/async.hpp"
#include "tls/certificate_info.hpp"

namespace flotilla::acme {
namespace {

using Clock = std::chrono::system_clock;
constexpr std::chrono::hours kMaxRetry{6};

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

bool covers(const StoredCertificate& stored, const std::vector<std::string>& domains) {
  return std::all_of(domains.begin(), domains.end(), [&](const std::string& domain) {
    return std::find(stored.names.begin(), stored.names.end(), domain) != stored.names.end();
  });
}

double random_unit() {
  static std::mt19937_64 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

}  // namespace

Clock::time_point renewal_time(Clock::time_point not_before, Clock::time_point not_after) {
  return not_after - (not_after - not_before) / 3;
}

std::chrono::milliseconds retry_delay(std::chrono::milliseconds initial, int failures,
                                      double jitter, std::chrono::seconds retry_after) {
  std::chrono::milliseconds delay = initial;
  for (int i = 1; i < failures && delay < kMaxRetry; ++i) delay *= 2;
  delay = std::min<std::chrono::milliseconds>(delay, kMaxRetry);
  delay -= std::chrono::milliseconds(
      static_cast<long>(static_cast<double>(delay.count()) * 0.2 * std::clamp(jitter, 0.0, 1.0)));
  return std::max<std::chrono::milliseconds>(delay, retry_after);
}

Manager::Manager(asio::io_context& control, const config::Spec& spec,
                 std::function<void()> certificates_changed)
    : control_(control),
      state_dir_(spec.state_dir),
      certificates_changed_(std::move(certificates_changed)) {
  for (const config::Listener& listener : spec.listeners) {
    if (!listener.tls || !listener.tls->acme || listener.tls->certificates.empty()) continue;
    auto entry = std::make_unique<Entry>();
    entry->acme = *listener.tls->acme;
    entry->files = listener.tls->certificates.front();
    entry->timer = std::make_unique<asio::steady_timer>(control_);
    entries_.push_back(std::move(entry));
  }
}

Manager::~Manager() = default;

bool Manager::prepare(const config::Spec& spec, std::vector<std::string>& notes,
                      std::string& error) {
  for (const config::Listener& listener : spec.listeners) {
    if (!listener.tls || !listener.tls->acme || listener.tls->certificates.empty()) continue;
    const config::Acme& acme = *listener.tls->acme;
    const bool made = ensure_temporary_certificate(spec.state_dir, acme,
                                                   listener.tls->certificates.front(), error);
    if (!error.empty()) return false;
    if (made) {
      notes.push_back(fmt::format(
          "acme: no certificate for {} yet: serving a temporary self-signed one until {} issues "
          "one",
          joined(acme.domains), acme.directory.value_or("")));
    }
  }
  return true;
}

void Manager::start() {
  for (const auto& entry : entries_) {
    asio::co_spawn(control_, run(*entry), asio::detached);
  }
}

void Manager::stop() {
  stopped_ = true;
  for (const auto& entry : entries_) entry->timer->cancel();
}

bool Manager::renew(std::string_view domain) {
  for (const auto& entry : entries_) {
    const auto& domains = entry->acme.domains;
    if (std::find(domains.begin(), domains.end(), domain) == domains.end()) continue;
    entry->force = true;
    entry->timer->cancel();
    return true;
  }
  return false;
}

std::vector<CertificateStatus> Manager::status() const {
  std::vector<CertificateStatus> out;
  for (const auto& entry : entries_) {
    CertificateStatus status;
    status.domains = entry->acme.domains;
    status.cert_path = entry->files.cert.string();
    if (const auto text = read_text(entry->files.cert)) {
      if (const auto stored = read_leaf(*text)) {
        status.issuer = stored->issuer;
        status.not_after = stored->not_after;
        status.temporary = stored->self_signed;
      }
    }
    status.next_renewal = entry->next_renewal;
    status.ordering = entry->ordering;
    status.failures = entry->failures;
    status.last_error = entry->last_error;
    out.push_back(std::move(status));
  }
  return out;
}

asio::awaitable<void> Manager::run(Entry& entry) {
  while (!stopped_) {
    Clock::time_point due = Clock::now();
    const std::optional<std::string> text = read_text(entry.files.cert);
    const std::optional<StoredCertificate> stored =
        text ? read_leaf(*text) : std::optional<StoredCertificate>{};
    const bool usable = stored && !stored->self_signed && covers(*stored, entry.acme.domains) &&
                        stored->not_after > Clock::now();
    if (usable) due = renewal_time(stored->not_before, stored->not_after);
    if (entry.retry_at) due = *entry.retry_at;
    if (entry.force) due = Clock::now();
    entry.next_renewal = due;
    if (due > Clock::now()) {
      if (usable && entry.failures == 0) {
        spdlog::info("acme: certificate for {} valid until {}; renewal at {}",
                     joined(entry.acme.domains), tls::format_utc(stored->not_after),
                     tls::format_utc(due));
      }
      entry.timer->expires_after(due - Clock::now());
      co_await entry.timer->async_wait(net::use_nothrow);
      if (stopped_) co_return;
      if (!entry.force && Clock::now() < due) continue;  // woken for nothing: look again
    }
    entry.force = false;
    const bool ok = co_await order(entry);
    if (stopped_) co_return;
    if (ok) {
      entry.failures = 0;
      entry.retry_at.reset();
      entry.last_error.clear();
    }
  }
}

asio::awaitable<bool> Manager::order(Entry& entry) {
  const config::Acme& acme = entry.acme;
  const std::string names = joined(acme.domains);
  const auto started = std::chrono::steady_clock::now();
  entry.ordering = true;
  std::string error;

  OrderRequest request;
  request.directory = acme.directory.value_or(std::string(config::kLetsEncryptDirectory));
  request.email = acme.email.value_or("");
  request.domains = acme.domains;
  request.challenge = acme.challenge == config::AcmeChallenge::tls_alpn_01
                          ? ChallengeType::kTlsAlpn01
                          : ChallengeType::kHttp01;
  request.present = [this](const Challenge& challenge) { present(challenge); };
  request.withdraw = [this](const Challenge& challenge) { withdraw(challenge); };

  OrderResult result;
  std::optional<AccountKey> account;
  const std::filesystem::path account_path = account_key_path(state_dir_, request.directory);
  if (const auto pem = read_text(account_path)) account = AccountKey::from_pem(*pem, error);
  if (!account) {
    account = AccountKey::generate();
    if (!make_private_dirs(state_dir_ / "acme", account_path.parent_path(), error) ||
        !write_file_atomically(account_path, account->pem(), 0600, error)) {
      result.error = error;
      account.reset();
    }
  }
  if (acme.ca_root) {
    request.tls = client::https_context(*acme.ca_root, error);
    if (!request.tls) result.error = fmt::format("ca_root: {}", error);
  }
  tls::EvpPkeyPtr key = new_certificate_key();
  request.certificate_key_pem = key_pem(key.get());
  if (account && result.error.empty()) {
    spdlog::info("acme: ordering a certificate for {} from {} ({})", names, request.directory,
                 acme.challenge == config::AcmeChallenge::tls_alpn_01 ? "tls-alpn-01" : "http-01");
    result = co_await obtain(control_.get_executor(), *account, request);
  }
  entry.ordering = false;
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (result.ok) {
    if (!make_private_dirs(state_dir_ / "acme", entry.files.cert.parent_path(), error) ||
        !write_file_atomically(entry.files.key, request.certificate_key_pem, 0600, error) ||
        !write_file_atomically(entry.files.cert, result.chain_pem, 0600, error)) {
      result.ok = false;
      result.error = error;
    }
  }
  if (!result.ok) {
    const bool refused = result.error.find("urn:ietf:params:acme:error") != std::string::npos ||
                         result.error.find("authorization for") != std::string::npos;
    ++orders_[refused ? "invalid" : "error"];
    ++entry.failures;
    entry.last_error = result.error;
    const auto delay = retry_delay(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       acme.retry_initial.value_or(std::chrono::minutes(1))),
                                   entry.failures, random_unit(), result.retry_after);
    entry.retry_at = Clock::now() + delay;
    spdlog::error(
        "acme: order for {} failed after {} ms (failure {} in a row; the current certificate "
        "stays): {}; next try in {:.1f} s",
        names, took.count(), entry.failures, result.error,
        static_cast<double>(delay.count()) / 1000.0);
    co_return false;
  }
  ++orders_["valid"];
  const std::optional<StoredCertificate> stored = read_leaf(result.chain_pem);
  spdlog::info(
      "acme: certificate for {} issued in {} ms ({} requests, {} bad nonces retried), by {}, "
      "valid until {}",
      names, took.count(), result.requests, result.bad_nonces, stored ? stored->issuer : "?",
      stored ? tls::format_utc(stored->not_after) : "?");
  if (certificates_changed_) certificates_changed_();
  co_return true;
}

void Manager::present(const Challenge& challenge) {
  if (challenge.type == ChallengeType::kHttp01) {
    http_[challenge.token] = challenge.key_authorization;
  } else {
    tls::EvpPkeyPtr key = new_certificate_key();
    tls::X509Ptr cert =
        tls_alpn_certificate(key.get(), challenge.domain, challenge.key_authorization);
    alpn_[challenge.domain] = {std::move(cert), std::move(key)};
  }
  publish_challenges();
}

void Manager::withdraw(const Challenge& challenge) {
  if (challenge.type == ChallengeType::kHttp01) {
    http_.erase(challenge.token);
  } else {
    alpn_.erase(challenge.domain);
  }
  publish_challenges();
}

void Manager::publish_challenges() {
  publish_http_challenges(http_.empty() ? nullptr : std::make_shared<const HttpChallenges>(http_));
  auto table = std::make_shared<tls::AlpnChallengeCertificates>();
  for (const auto& [domain, pair] : alpn_) {
    X509_up_ref(pair.first.get());
    EVP_PKEY_up_ref(pair.second.get());
    (*table)[domain] = {tls::X509Ptr(pair.first.get()), tls::EvpPkeyPtr(pair.second.get())};
  }
  tls::publish_alpn_challenges(table->empty() ? nullptr : std::move(table));
}

}  // namespace flotilla::acme
