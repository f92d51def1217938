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
constexpr std::chrono::seconds kRenewalInfoRecheck{6 * 3600};

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

std::chrono::seconds renewal_info_recheck(std::chrono::seconds retry_after) {
  if (retry_after <= std::chrono::seconds(0)) return kRenewalInfoRecheck;
  return std::clamp<std::chrono::seconds>(retry_after, std::chrono::seconds(1),
                                          std::chrono::hours(24));
}

Manager::Manager(asio::io_context& control, const config::Spec& spec,
                 std::function<void()> certificates_changed)
    : control_(control),
      state_dir_(spec.state_dir),
      certificates_changed_(std::move(certificates_changed)) {
  if (spec.acme && spec.acme->max_parallel_orders) max_parallel_ = *spec.acme->max_parallel_orders;
  for (const config::Listener& listener : spec.listeners) {
    if (!listener.tls || !listener.tls->acme) continue;
    for (std::size_t i = 0; i < listener.tls->certificates.size(); ++i) add_entry(listener, i);
  }
}

Manager::~Manager() = default;

void Manager::add_entry(const config::Listener& listener, std::size_t index) {
  const config::Acme& acme = *listener.tls->acme;
  if (index >= acme.domains.size()) return;
  auto entry = std::make_shared<Entry>();
  entry->domain = acme.domains[index];
  entry->acme = acme;
  entry->files = listener.tls->certificates[index];
  entry->timer = std::make_unique<asio::steady_timer>(control_);
  entries_.push_back(entry);
  if (started_ && !stopped_) asio::co_spawn(control_, run(entry), asio::detached);
}

bool Manager::prepare(const config::Spec& spec, std::vector<std::string>& notes,
                      std::string& error) {
  for (const config::Listener& listener : spec.listeners) {
    if (!listener.tls || !listener.tls->acme) continue;
    const config::Acme& acme = *listener.tls->acme;
    const auto& files = listener.tls->certificates;
    for (std::size_t i = 0; i < files.size() && i < acme.domains.size(); ++i) {
      std::filesystem::path from;
      const Prepared done =
          prepare_certificate(spec.state_dir, acme.domains[i], files[i], from, error);
      if (!error.empty()) return false;
      if (done == Prepared::kAdopted) {
        notes.push_back(fmt::format(
            "acme: {} keeps the certificate stored in {} (it covers {}) until its renewal; then "
            "it gets one of its own",
            acme.domains[i], from.string(), acme.domains[i]));
      } else if (done == Prepared::kTemporary) {
        notes.push_back(fmt::format(
            "acme: no certificate for {} yet: serving a temporary self-signed one until {} "
            "issues one",
            acme.domains[i], acme.directory.value_or("")));
      }
    }
  }
  return true;
}

void Manager::start() {
  started_ = true;
  for (const auto& entry : entries_) asio::co_spawn(control_, run(entry), asio::detached);
}

void Manager::stop() {
  stopped_ = true;
  for (const auto& entry : entries_) entry->timer->cancel();
}

std::vector<std::string> Manager::update(const config::Spec& spec) {
  std::vector<std::string> changes;
  const std::uint32_t limit = spec.acme && spec.acme->max_parallel_orders
                                  ? *spec.acme->max_parallel_orders
                                  : kDefaultMaxParallelOrders;
  if (limit != max_parallel_) {
    changes.push_back(
        fmt::format("acme: at most {} orders at once (was {})", limit, max_parallel_));
    max_parallel_ = limit;
  }
  std::vector<std::string> wanted;
  for (const config::Listener& listener : spec.listeners) {
    if (!listener.tls || !listener.tls->acme) continue;
    const config::Acme& acme = *listener.tls->acme;
    for (std::size_t i = 0; i < listener.tls->certificates.size() && i < acme.domains.size(); ++i) {
      wanted.push_back(acme.domains[i]);
      const auto found = std::find_if(entries_.begin(), entries_.end(), [&](const EntryPtr& e) {
        return e->domain == acme.domains[i];
      });
      if (found == entries_.end()) {
        add_entry(listener, i);
        changes.push_back(
            fmt::format("acme: {} added: its certificate is ordered", acme.domains[i]));
        continue;
      }
      Entry& entry = **found;
      if (entry.acme.directory != acme.directory) {
        entry.ari_cert_id.clear();  // another CA: ask it about its own certificate
        entry.ari_window.reset();
        entry.ari_moment.reset();
        entry.ari_check_at = {};
        entry.timer->cancel();
      }
      if (!(entry.acme == acme))
        changes.push_back(fmt::format("acme: {} settings changed", entry.domain));
      entry.acme = acme;
      entry.files = listener.tls->certificates[i];
    }
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (std::find(wanted.begin(), wanted.end(), (*it)->domain) != wanted.end()) {
      ++it;
      continue;
    }
    changes.push_back(
        fmt::format("acme: {} removed: its certificate is no longer renewed", (*it)->domain));
    (*it)->removed = true;
    (*it)->timer->cancel();
    it = entries_.erase(it);  // its loop holds it until it ends
  }
  while (running_ < max_parallel_ && !waiting_.empty()) {
    ++running_;
    release_slot();  // hands the slot just taken to the first waiter
  }
  return changes;
}

bool Manager::renew(std::string_view domain) {
  for (const auto& entry : entries_) {
    if (entry->domain != domain) continue;
    entry->force = true;
    if (!entry->waiting) entry->timer->cancel();
    return true;
  }
  return false;
}

std::vector<CertificateStatus> Manager::status() const {
  std::vector<CertificateStatus> out;
  for (const auto& entry : entries_) {
    CertificateStatus status;
    status.domains = {entry->domain};
    status.cert_path = entry->files.cert.string();
    if (const auto text = read_text(entry->files.cert)) {
      if (const auto stored = read_leaf(*text)) {
        status.issuer = stored->issuer;
        status.not_after = stored->not_after;
        status.temporary = stored->self_signed;
      }
    }
    status.next_renewal = entry->next_renewal;
    status.renewal_window = entry->ari_window;
    status.ordering = entry->ordering;
    status.waiting = entry->waiting;
    status.failures = entry->failures;
    status.last_error = entry->last_error;
    out.push_back(std::move(status));
  }
  return out;
}

asio::awaitable<void> Manager::refresh_renewal_info(Entry& entry, const std::string& pem) {
  const std::optional<std::string> id = renewal_cert_id(pem);
  if (!id) co_return;
  const Clock::time_point now = Clock::now();
  if (*id == entry.ari_cert_id && now < entry.ari_check_at) co_return;
  if (*id != entry.ari_cert_id) {
    entry.ari_window.reset();
    entry.ari_moment.reset();
  }
  entry.ari_cert_id = *id;
  std::string error;
  std::shared_ptr<const tls::ClientContext> context;
  if (entry.acme.ca_root) context = client::https_context(*entry.acme.ca_root, error);
  const std::string directory =
      entry.acme.directory.value_or(std::string(config::kLetsEncryptDirectory));
  RenewalInfoAnswer answer;
  if (!entry.acme.ca_root || context) {
    answer = co_await fetch_renewal_info(control_.get_executor(), directory, context, *id);
  } else {
    answer.error = fmt::format("ca_root: {}", error);
  }
  if (entry.removed || stopped_) co_return;
  if (!answer.supported && answer.error.empty()) {
    // No renewalInfo in the directory: a third of the lifetime it is, until the next check.
    entry.ari_check_at = Clock::now() + kRenewalInfoRecheck;
    co_return;
  }
  entry.ari_check_at = Clock::now() + renewal_info_recheck(answer.retry_after);
  if (!answer.window) {
    spdlog::warn("acme: renewal information for {} unavailable ({}); asking again in {} s",
                 entry.domain, answer.error,
                 std::chrono::duration_cast<std::chrono::seconds>(entry.ari_check_at - Clock::now())
                     .count());
    co_return;
  }
  if (entry.ari_window != answer.window || !entry.ari_moment) {
    entry.ari_window = answer.window;
    entry.ari_moment = renewal_moment(*answer.window, random_unit(), Clock::now());
    spdlog::info(
        "acme: renewal window for {} from the ACME server: {} to {}; renewing at {} (asking "
        "again in {} s)",
        entry.domain, tls::format_utc(answer.window->start), tls::format_utc(answer.window->end),
        tls::format_utc(*entry.ari_moment),
        std::chrono::duration_cast<std::chrono::seconds>(entry.ari_check_at - Clock::now())
            .count());
  }
}

asio::awaitable<bool> Manager::acquire_slot(Entry& entry) {
  if (running_ < max_parallel_ && waiting_.empty()) {
    ++running_;
    co_return true;
  }
  entry.waiting = true;
  entry.granted = false;
  const auto self = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const EntryPtr& e) { return e.get() == &entry; });
  if (self != entries_.end()) waiting_.push_back(*self);
  spdlog::info("acme: order for {} waits: {} of at most {} orders running", entry.domain, running_,
               max_parallel_);
  while (!entry.granted && !stopped_ && !entry.removed) {
    entry.timer->expires_at(asio::steady_timer::time_point::max());
    co_await entry.timer->async_wait(net::use_nothrow);
  }
  entry.waiting = false;
  if (entry.granted && (stopped_ || entry.removed)) release_slot();
  if (!entry.granted) {
    std::erase_if(waiting_, [&](const EntryPtr& e) { return e.get() == &entry; });
    co_return false;
  }
  entry.granted = false;
  co_return !stopped_ && !entry.removed;
}

void Manager::release_slot() {
  if (running_ > 0) --running_;
  while (!waiting_.empty() && running_ < max_parallel_) {
    EntryPtr next = waiting_.front();
    waiting_.pop_front();
    if (next->removed || !next->waiting) continue;
    next->granted = true;
    ++running_;
    next->timer->cancel();
  }
}

asio::awaitable<void> Manager::run(EntryPtr entry_ptr) {
  Entry& entry = *entry_ptr;
  while (!stopped_ && !entry.removed) {
    Clock::time_point due = Clock::now();
    const std::optional<std::string> text = read_text(entry.files.cert);
    const std::optional<StoredCertificate> stored =
        text ? read_leaf(*text) : std::optional<StoredCertificate>{};
    const bool usable = stored && !stored->self_signed && covers(*stored, {entry.domain}) &&
                        stored->not_after > Clock::now();
    std::optional<Clock::time_point> recheck;
    if (usable) {
      co_await refresh_renewal_info(entry, *text);
      if (stopped_ || entry.removed) co_return;
      due = entry.ari_moment.value_or(renewal_time(stored->not_before, stored->not_after));
      if (entry.ari_check_at != Clock::time_point{}) recheck = entry.ari_check_at;
    }
    if (entry.retry_at) due = *entry.retry_at;
    if (entry.force) due = Clock::now();
    entry.next_renewal = due;
    if (due > Clock::now()) {
      if (usable && entry.failures == 0) {
        spdlog::info("acme: certificate for {} valid until {}; renewal at {}", entry.domain,
                     tls::format_utc(stored->not_after), tls::format_utc(due));
      }
      const Clock::time_point wake = recheck && *recheck < due ? *recheck : due;
      entry.timer->expires_after(wake - Clock::now());
      co_await entry.timer->async_wait(net::use_nothrow);
      if (stopped_ || entry.removed) co_return;
      if (!entry.force && Clock::now() < due) continue;  // woken early: look again
    }
    const bool slot = co_await acquire_slot(entry);
    if (!slot) {
      if (stopped_ || entry.removed) co_return;
      continue;
    }
    entry.force = false;
    const bool ok = co_await order(entry);
    release_slot();
    if (stopped_) co_return;
    if (ok) {
      entry.failures = 0;
      entry.retry_at.reset();
      entry.last_error.clear();
      entry.ari_cert_id.clear();  // a new certificate: its own window
      entry.ari_window.reset();
      entry.ari_moment.reset();
      entry.ari_check_at = {};
    }
  }
}

asio::awaitable<bool> Manager::order(Entry& entry) {
  const config::Acme acme = entry.acme;  // a reload may change the entry's meanwhile
  const std::string names = entry.domain;
  const auto started = std::chrono::steady_clock::now();
  entry.ordering = true;
  std::string error;

  OrderRequest request;
  request.directory = acme.directory.value_or(std::string(config::kLetsEncryptDirectory));
  request.email = acme.email.value_or("");
  request.domains = {entry.domain};
  request.replaces = entry.ari_window ? entry.ari_cert_id : std::string{};
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
    spdlog::info(
        "acme: ordering a certificate for {} from {} ({}; {} of at most {} orders running)", names,
        request.directory,
        acme.challenge == config::AcmeChallenge::tls_alpn_01 ? "tls-alpn-01" : "http-01", running_,
        max_parallel_);
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
