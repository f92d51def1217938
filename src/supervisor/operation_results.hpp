// What the supervisor's operations (scale, rollout, rollback, restart, drain, history, status)
// hand back to their caller — the admin API: plain data, errors as values with a kind the caller
// maps to an HTTP status. Data only — no behaviour, no I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "supervisor/instance_status.hpp"
#include "supervisor/revision_history.hpp"

namespace flotilla::supervisor {

struct OpError {
  enum class Kind {
    not_found,  // unknown service, instance or revision (HTTP 404)
    invalid,    // the request cannot be honoured as asked: range, port capacity (HTTP 400/422)
    conflict,   // the service is busy: a rollout is in progress (HTTP 409)
  };
  Kind kind = Kind::invalid;
  std::string message;  // for the user, e.g. "service 'api' not found"
};

// A value or the reason there is none (C++23's std::expected, reduced to what is needed here).
template <class T>
class OpResult {
 public:
  OpResult(T value) : value_(std::move(value)) {}        // NOLINT: implicit on purpose
  OpResult(OpError error) : value_(std::move(error)) {}  // NOLINT
  bool ok() const { return value_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<0>(value_); }
  T& value() { return std::get<0>(value_); }
  const T* operator->() const { return &value(); }
  const OpError& error() const { return std::get<1>(value_); }

 private:
  std::variant<T, OpError> value_;
};

struct ScaleResult {
  std::string service;
  std::uint32_t previous = 0;  // the desired count before
  std::uint32_t replicas = 0;  // the desired count now
};

struct StopResult {
  std::string service;
  std::uint32_t replicas = 0;  // stop: the count start brings back; start: the count started
  bool changed = true;         // false: it was already stopped / running
};

struct DrainResult {
  std::string key;         // "web/2"
  bool was_ready = false;  // it was in rotation when drained
};

enum class RolloutState { running, succeeded, rolled_back, failed };
std::string_view to_string(RolloutState state);

// One rollout (rollout, rollback, restart, reload) of one service, as it stands now.
struct RolloutProgress {
  std::string service;
  std::uint32_t revision = 0;       // being rolled out
  std::uint32_t from_revision = 0;  // what ran before
  std::string cause;                // "rollout", "rollback to 2", "restart", "reload"
  RolloutState state = RolloutState::running;
  std::string phase;          // "2 of 3 new instances ready", "stopping 1 old instance"...
  std::uint32_t desired = 0;  // replicas of the new revision
  std::uint32_t updated = 0;  // live instances of the new revision
  std::uint32_t ready = 0;    // of those, available (in rotation; started, for workers)
  std::string message;        // why it rolled back or failed; empty otherwise
  // When a new instance made it roll back: which one, and its last log lines (the app's own
  // words and flotilla's notes on how the run ended), oldest first.
  std::string failed_instance;
  std::vector<std::string> failed_instance_log;
  bool rollback_requested = false;  // a rollback asked this rollout to end and roll back
  std::chrono::system_clock::time_point started{};
  std::optional<std::chrono::system_clock::time_point> finished;
};

struct ServiceStatus {
  std::string name;
  std::uint32_t revision = 0;                 // current
  std::uint32_t desired = 0;                  // replicas wanted
  std::uint32_t ready = 0;                    // instances in rotation (for workers: running)
  bool routable = false;                      // has ports (false: a worker)
  std::optional<std::uint32_t> stopped_from;  // `flotilla stop`ped: the count `start` restores
  std::optional<RolloutProgress> rollout;     // the running or last finished one
  std::vector<InstanceStatus> instances;      // by index
};

}  // namespace flotilla::supervisor
