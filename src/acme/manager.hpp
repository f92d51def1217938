// The certificates flotilla obtains itself, on the control thread: one coroutine per listener
// `tls.acme` block that waits until its certificate is due (missing, temporary, or a third of
// its lifetime left), runs an order (client.cpp), stores the result (store.cpp) and says so
// through `certificates_changed` (the runtime rebuilds the TLS contexts: open connections keep
// theirs). A failed order keeps the old files, logs why and retries with jittered exponential
// back-off (or the server's Retry-After). Challenges are published for the gateway's HTTP-01
// stage and the TLS listeners' ALPN hook. Never blocks beyond small file writes; never touches
// a worker's state.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "acme/client.hpp"
#include "config/spec.hpp"
#include "tls/acme_alpn.hpp"

namespace flotilla::acme {

struct CertificateStatus {
  std::vector<std::string> domains;
  std::string cert_path;
  std::string issuer;  // "" until a certificate is readable
  std::chrono::system_clock::time_point not_after{};
  bool temporary = true;  // the self-signed stand-in is served
  std::optional<std::chrono::system_clock::time_point> next_renewal;  // when the next order runs
  bool ordering = false;                                              // an order is running
  int failures = 0;                                                   // consecutive failed orders
  std::string last_error;                                             // of the latest failed order
};

// Orders by result since start: "valid", "invalid" (the server refused), "error" (transport).
using OrderCounts = std::map<std::string, std::uint64_t>;

class Manager {
 public:
  Manager(asio::io_context& control, const config::Spec& spec,
          std::function<void()> certificates_changed);
  ~Manager();

  // Before the gateway builds its TLS contexts: a temporary self-signed certificate wherever
  // none is stored yet. Messages ("temporary self-signed certificate for localhost ...") to log;
  // false with `error` when a file cannot be written.
  static bool prepare(const config::Spec& spec, std::vector<std::string>& notes,
                      std::string& error);

  void start();
  void stop();
  // Orders a new certificate for the block whose domains include `domain` at once; false when
  // none does.
  bool renew(std::string_view domain);

  std::vector<CertificateStatus> status() const;
  const OrderCounts& orders() const { return orders_; }
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    config::Acme acme;
    config::TlsCertificate files;
    std::unique_ptr<asio::steady_timer> timer;
    bool force = false;
    bool ordering = false;
    int failures = 0;
    std::string last_error;
    std::optional<std::chrono::system_clock::time_point> retry_at;
    std::optional<std::chrono::system_clock::time_point> next_renewal;
  };

  asio::awaitable<void> run(Entry& entry);
  asio::awaitable<bool> order(Entry& entry);
  void present(const Challenge& challenge);
  void withdraw(const Challenge& challenge);
  void publish_challenges();

  asio::io_context& control_;
  std::filesystem::path state_dir_;
  std::function<void()> certificates_changed_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::map<std::string, std::string, std::less<>> http_;  // token → key authorization
  std::map<std::string, std::pair<tls::X509Ptr, tls::EvpPkeyPtr>> alpn_;  // domain → cert
  OrderCounts orders_;
  bool stopped_ = false;
};

// When a certificate valid over [not_before, not_after] is renewed: a third of its lifetime
// before it ends.
std::chrono::system_clock::time_point renewal_time(std::chrono::system_clock::time_point not_before,
                                                   std::chrono::system_clock::time_point not_after);

// The wait after `failures` consecutive failures: initial × 2^(failures-1), at most 6 h, less a
// random 0-20 % (`jitter` in [0, 1)), never below the server's `retry_after`.
std::chrono::milliseconds retry_delay(std::chrono::milliseconds initial, int failures,
                                      double jitter, std::chrono::seconds retry_after);

}  // namespace flotilla::acme
