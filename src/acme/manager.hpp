// The certificates flotilla obtains itself, on the control thread: one coroutine per domain of
// every listener `tls.acme` block (one order, one certificate each), at most
// `acme.max_parallel_orders` orders at once. Each waits until its certificate is due — missing,
// temporary, at a random moment of the ACME server's renewal window (ARI, renewal_info.cpp) or
// else with a third of its lifetime left — runs an order (client.cpp), stores the result
// (store.cpp) and says so through `certificates_changed` (the runtime rebuilds the TLS contexts:
// open connections keep theirs). A failed order keeps the old files, logs why and retries with
// jittered exponential back-off (or the server's Retry-After). A reload adds and removes domains
// (`update`). Challenges are published for the gateway's HTTP-01 stage and the TLS listeners'
// ALPN hook. Never blocks beyond small file writes; never touches a worker's state.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "acme/client.hpp"
#include "acme/renewal_info.hpp"
#include "config/spec.hpp"
#include "tls/acme_alpn.hpp"

namespace flotilla::acme {

inline constexpr std::uint32_t kDefaultMaxParallelOrders = 4;

struct CertificateStatus {
  std::vector<std::string> domains;  // the one domain this certificate is ordered for
  std::string cert_path;
  std::string issuer;  // "" until a certificate is readable
  std::chrono::system_clock::time_point not_after{};
  bool temporary = true;  // the self-signed stand-in is served
  std::optional<std::chrono::system_clock::time_point> next_renewal;  // when the next order runs
  std::optional<RenewalWindow> renewal_window;  // the ACME server's suggestion (ARI), if any
  bool ordering = false;                        // an order is running
  bool waiting = false;                         // due, waiting for a free order slot
  int failures = 0;                             // consecutive failed orders
  std::string last_error;                       // of the latest failed order
};

// Orders by result since start: "valid", "invalid" (the server refused), "error" (transport).
using OrderCounts = std::map<std::string, std::uint64_t>;

class Manager {
 public:
  Manager(asio::io_context& control, const config::Spec& spec,
          std::function<void()> certificates_changed);
  ~Manager();

  // Before the gateway builds its TLS contexts (at start and at each reload): for every ACME
  // domain with no certificate stored, a copy of an older certificate covering it, else a
  // temporary self-signed one. Messages to log; false with `error` when a file cannot be written.
  static bool prepare(const config::Spec& spec, std::vector<std::string>& notes,
                      std::string& error);

  void start();
  void stop();
  // A reloaded configuration: new domains get their loop (ordered when due), removed ones stop
  // renewing (an order already running finishes), changed settings apply to the next order.
  // What changed, for the reload's log.
  std::vector<std::string> update(const config::Spec& spec);
  // Orders a new certificate for `domain` at once; false when no listener orders it.
  bool renew(std::string_view domain);

  std::vector<CertificateStatus> status() const;
  const OrderCounts& orders() const { return orders_; }
  std::uint32_t running() const { return running_; }
  std::uint32_t max_parallel() const { return max_parallel_; }
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string domain;
    config::Acme acme;
    config::TlsCertificate files;
    std::unique_ptr<asio::steady_timer> timer;
    bool force = false;
    bool ordering = false;
    bool waiting = false;  // in waiting_ for an order slot
    bool granted = false;  // a slot was handed over while waiting
    bool removed = false;  // a reload dropped the domain
    int failures = 0;
    std::string last_error;
    std::optional<std::chrono::system_clock::time_point> retry_at;
    std::optional<std::chrono::system_clock::time_point> next_renewal;
    // ARI: the certificate the window is for, the window, the moment picked in it, and when
    // to ask again (the answer's Retry-After).
    std::string ari_cert_id;
    std::optional<RenewalWindow> ari_window;
    std::optional<std::chrono::system_clock::time_point> ari_moment;
    std::chrono::system_clock::time_point ari_check_at{};
  };
  using EntryPtr = std::shared_ptr<Entry>;

  void add_entry(const config::Listener& listener, std::size_t index);
  asio::awaitable<void> run(EntryPtr entry);
  asio::awaitable<void> refresh_renewal_info(Entry& entry, const std::string& pem);
  asio::awaitable<bool> acquire_slot(Entry& entry);
  void release_slot();
  asio::awaitable<bool> order(Entry& entry);
  void present(const Challenge& challenge);
  void withdraw(const Challenge& challenge);
  void publish_challenges();

  asio::io_context& control_;
  std::filesystem::path state_dir_;
  std::function<void()> certificates_changed_;
  std::vector<EntryPtr> entries_;  // configuration order: listener, then domain
  std::deque<EntryPtr> waiting_;   // due, waiting for one of the max_parallel_ slots
  std::uint32_t max_parallel_ = kDefaultMaxParallelOrders;
  std::uint32_t running_ = 0;
  std::map<std::string, std::string, std::less<>> http_;  // token → key authorization
  std::map<std::string, std::pair<tls::X509Ptr, tls::EvpPkeyPtr>> alpn_;  // domain → cert
  OrderCounts orders_;
  bool started_ = false;
  bool stopped_ = false;
};

// When a certificate valid over [not_before, not_after] is renewed without ARI: a third of its
// lifetime before it ends.
std::chrono::system_clock::time_point renewal_time(std::chrono::system_clock::time_point not_before,
                                                   std::chrono::system_clock::time_point not_after);

// The wait after `failures` consecutive failures: initial × 2^(failures-1), at most 6 h, less a
// random 0-20 % (`jitter` in [0, 1)), never below the server's `retry_after`.
std::chrono::milliseconds retry_delay(std::chrono::milliseconds initial, int failures,
                                      double jitter, std::chrono::seconds retry_after);

// How long until the renewal window is asked for again: the answer's Retry-After, else 6 h;
// between 1 s and 24 h.
std::chrono::seconds renewal_info_recheck(std::chrono::seconds retry_after);

}  // namespace flotilla::acme
