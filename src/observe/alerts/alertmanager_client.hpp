// Sends alerts to Alertmanager's v2 API (POST /api/v2/alerts) from the control thread's
// io_context: asynchronous, one request in flight, a timeout on each, so evaluation never
// waits on the network. Batches that arrive while a request is in flight are merged and sent
// next; a failed batch is dropped (firing alerts are re-sent every interval anyway, and each
// carries an endsAt after which Alertmanager resolves it by itself).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>

#include "observe/alerts/alerting_rule.hpp"

namespace flotilla::observe {

// The JSON array Alertmanager expects: [{labels, annotations, startsAt, endsAt, generatorURL}].
// Firing alerts end at `now_ms + valid_for_ms` unless re-sent; resolved ones at their resolution.
std::string alertmanager_payload(const std::vector<ActiveAlert>& alerts, std::int64_t now_ms,
                                 std::int64_t valid_for_ms, const std::string& generator_url);

class AlertmanagerClient {
 public:
  struct Stats {
    std::uint64_t batches_sent = 0;    // answered 2xx
    std::uint64_t batches_failed = 0;  // error, timeout or non-2xx
    std::string last_error;
  };

  // `url` is alertmanager.url (http://HOST[:PORT][/prefix]); throws std::invalid_argument when
  // it is not a plain http URL (https has no client transport yet).
  AlertmanagerClient(asio::any_io_executor executor, const std::string& url,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~AlertmanagerClient();
  AlertmanagerClient(const AlertmanagerClient&) = delete;
  AlertmanagerClient& operator=(const AlertmanagerClient&) = delete;

  // Queues the alerts of `payload` (an alertmanager_payload array); returns at once.
  void send(const std::string& payload);
  Stats stats() const;
  bool idle() const;  // nothing queued or in flight

  struct State;  // shared with the request coroutine, so it may outlive the client

 private:
  std::shared_ptr<State> state_;
};

}  // namespace flotilla::observe
