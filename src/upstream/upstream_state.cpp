// Per-worker upstream state: availability (active, passive, outlier), primary/backup selection,
// attempt accounting and carry-over across snapshots. Must never lock, share state between
// workers, or allocate outside the constructor and update().
#include "upstream/upstream_state.hpp"

#include <algorithm>
#include <unordered_map>

#include "upstream/balancer_factory.hpp"
#include "upstream/slow_start.hpp"

namespace flotilla::upstream {

UpstreamState::UpstreamState(const UpstreamSpec& spec, std::uint64_t seed)
    : outlier_(spec.outlier), retry_budget_(spec.retry_budget), rng_(seed) {
  install(spec, TimePoint{}, false);
}

void UpstreamState::update(const UpstreamSpec& spec, TimePoint now) {
  install(spec, now, true);
}

void UpstreamState::install(const UpstreamSpec& spec, TimePoint now, bool ramp_new_endpoints) {
  std::unordered_map<std::string_view, std::size_t> previous;
  for (std::size_t i = 0; i < spec_.endpoints.size(); ++i)
    previous.emplace(spec_.endpoints[i].key, i);

  std::vector<EndpointState> states;
  states.reserve(spec.endpoints.size());
  for (const EndpointSpec& endpoint : spec.endpoints) {
    if (const auto it = previous.find(endpoint.key); it != previous.end()) {
      states.push_back(states_[it->second]);
      previous.erase(it);  // a duplicated key must not share one serial
      continue;
    }
    EndpointState& fresh = states.emplace_back();
    fresh.serial = next_serial_++;
    if (ramp_new_endpoints && spec.slow_start.count() > 0) fresh.ramp_since = now;
  }

  spec_ = spec;
  states_ = std::move(states);
  passive_ = {spec.max_fails, spec.fail_timeout};
  outlier_ = OutlierDetector(spec.outlier);
  retry_budget_.set_spec(spec.retry_budget);
  rebuild_group(primary_, false);
  rebuild_group(backup_, true);
  candidates_.clear();
  candidates_.reserve(states_.size());
}

void UpstreamState::rebuild_group(Group& group, bool backup) {
  group.endpoints.clear();
  std::vector<BalancerMember> members;
  for (std::size_t i = 0; i < spec_.endpoints.size(); ++i) {
    const EndpointSpec& endpoint = spec_.endpoints[i];
    if (endpoint.backup != backup) continue;
    group.endpoints.push_back(static_cast<std::uint32_t>(i));
    members.push_back({endpoint.key, std::max(endpoint.weight, 1U)});
  }
  group.balancer = make_balancer(spec_.balance);
  group.balancer->set_members(members);
}

bool UpstreamState::available(std::size_t index, TimePoint now) const {
  const EndpointState& s = states_[index];
  return s.active_up && s.passive.available(now, passive_) && !outlier_.ejected(s.outlier, now);
}

std::size_t UpstreamState::available_count(TimePoint now) const {
  std::size_t count = 0;
  for (std::size_t i = 0; i < states_.size(); ++i) count += available(i, now) ? 1 : 0;
  return count;
}

std::uint32_t UpstreamState::effective_weight(std::size_t index, TimePoint now) const {
  const EndpointState& s = states_[index];
  // Coming back from an ejection ramps from the moment the ejection ended.
  const TimePoint since = std::max(s.ramp_since, s.outlier.ejected_until);
  return slow_start_weight(std::max(spec_.endpoints[index].weight, 1U), since, now,
                           spec_.slow_start);
}

std::optional<std::size_t> UpstreamState::select(TimePoint now, std::string_view hash_key,
                                                 const TriedSet& tried) {
  if (auto chosen = select_in(primary_, now, hash_key, tried)) return chosen;
  if (auto chosen = select_in(backup_, now, hash_key, tried)) return chosen;
  if (available_count(now) == 0) {
    for (EndpointState& s : states_) s.passive.forgive();
  }
  return std::nullopt;
}

std::optional<std::size_t> UpstreamState::select_in(Group& group, TimePoint now,
                                                    std::string_view hash_key,
                                                    const TriedSet& tried) {
  candidates_.clear();
  for (std::uint32_t member = 0; member < group.endpoints.size(); ++member) {
    const std::uint32_t index = group.endpoints[member];
    const EndpointState& s = states_[index];
    if (tried.contains(s.serial) || !available(index, now)) continue;
    // Requests given up on still weigh: least_conn / random_two must not take an endpoint whose
    // requests time out for an idle one.
    candidates_.push_back({member, effective_weight(index, now), s.in_flight + s.abandoned});
  }
  const auto chosen = group.balancer->pick({hash_key, rng_}, candidates_);
  if (!chosen) return std::nullopt;
  const std::uint32_t index = group.endpoints[candidates_[*chosen].member];
  states_[index].passive.on_picked(now, passive_);
  return index;
}

EndpointTicket UpstreamState::on_request_start(std::size_t index, TimePoint now) {
  EndpointState& s = states_[index];
  if (s.in_flight == 0 && s.abandoned == 0) s.busy_since = now;
  ++s.in_flight;
  return {static_cast<std::uint32_t>(index), s.serial, now};
}

Duration UpstreamState::stall_after() const {
  const auto p99 = std::chrono::duration_cast<Duration>(summary_.p99);
  return std::max(kStallFloor, 8 * p99);
}

std::optional<std::size_t> UpstreamState::find(const EndpointTicket& ticket) const {
  if (ticket.index < states_.size() && states_[ticket.index].serial == ticket.serial) {
    return ticket.index;
  }
  // The snapshot changed since the attempt started: indices may have moved.
  for (std::size_t i = 0; i < states_.size(); ++i) {
    if (states_[i].serial == ticket.serial) return i;
  }
  return std::nullopt;
}

void UpstreamState::on_request_end(const EndpointTicket& ticket, const Outcome& outcome,
                                   TimePoint now) {
  const auto index = find(ticket);
  if (!index) return;
  EndpointState& s = states_[*index];
  if (s.in_flight > 0) --s.in_flight;
  if (outcome.abandoned) ++s.abandoned;
  if (outcome.kind == OutcomeKind::cancelled) return;
  bool slow = false;
  if (outcome.kind == OutcomeKind::response) {
    s.abandoned = 0;  // it answers again
    s.last_completed = now;
    if (ticket.started != TimePoint{}) {
      const auto latency = std::chrono::duration_cast<Micros>(now - ticket.started);
      // A latency outlier: far beyond what the upstream's window calls its tail. Counted as an
      // error for outlier detection (consecutive errors eject), and kept out of the window.
      slow = summary_.samples >= kMinStallSamples && latency > stall_after();
      if (!slow) latency_.record(latency, now);
    }
  }

  const bool gateway_error = outcome.kind != OutcomeKind::response;
  if (gateway_error || outcome.status_is_failure) {
    s.passive.on_failure(now);
  } else if (s.passive.on_success(passive_) && spec_.slow_start.count() > 0) {
    s.ramp_since = now;
  }
  if (gateway_error || outcome.status >= 500 || slow) {
    if (record_error(*index, now) && (slow || outcome.kind == OutcomeKind::timeout)) {
      ++s.latency_ejections;
      ++latency_ejections_;
    }
  } else {
    outlier_.on_success(s.outlier);
  }
  if (now - summary_at_ >= kSummaryRefresh) {
    summary_at_ = now;
    summary_ = latency_.summary(now);
  }
  if (now - stalls_checked_ >= Duration{50}) {
    stalls_checked_ = now;
    eject_stalled(now);
  }
}

// An endpoint whose requests stopped completing (a frozen process, a deadlock) while a peer
// completed requests that started after its wait began: ejected like a failing one.
// On whether or not `outlier:` is configured (its ejection times and cap apply), but only once the
// window knows what normal latency is: long requests at start must not look stalled.
void UpstreamState::eject_stalled(TimePoint now) {
  if (summary_.samples < kMinStallSamples) return;
  const Duration limit = stall_after();
  for (std::size_t i = 0; i < states_.size(); ++i) {
    EndpointState& s = states_[i];
    if ((s.in_flight == 0 && s.abandoned == 0) || outlier_.ejected(s.outlier, now)) continue;
    const TimePoint waiting_since = std::max(s.busy_since, s.last_completed);
    if (waiting_since == TimePoint{} || now - waiting_since < limit) continue;
    bool peers_complete = false;
    for (std::size_t j = 0; j < states_.size() && !peers_complete; ++j) {
      peers_complete = j != i && states_[j].last_completed > waiting_since + limit / 2;
    }
    if (!peers_complete || !try_eject(i, now)) continue;
    ++s.latency_ejections;
    ++latency_ejections_;
  }
}

bool UpstreamState::record_error(std::size_t index, TimePoint now) {
  EndpointState& s = states_[index];
  if (!outlier_.on_error(s.outlier, now)) return false;
  return try_eject(index, now);
}

bool UpstreamState::try_eject(std::size_t index, TimePoint now) {
  EndpointState& s = states_[index];
  std::size_t ejected_now = 0;
  std::size_t others_available = 0;
  const bool backup = spec_.endpoints[index].backup;
  for (std::size_t i = 0; i < states_.size(); ++i) {
    if (outlier_.ejected(states_[i].outlier, now)) ++ejected_now;
    if (i != index && spec_.endpoints[i].backup == backup && available(i, now)) ++others_available;
  }
  if (!outlier_.may_eject(states_.size(), ejected_now, others_available)) return false;
  outlier_.eject(s.outlier, now);
  return true;
}

void UpstreamState::set_active_health(std::size_t index, bool up, TimePoint now) {
  EndpointState& s = states_[index];
  if (up && !s.active_up && spec_.slow_start.count() > 0) s.ramp_since = now;
  s.active_up = up;
}

EndpointStatus UpstreamState::status(std::size_t index, TimePoint now) const {
  const EndpointState& s = states_[index];
  EndpointStatus out;
  out.in_flight = s.in_flight;
  out.fails = s.passive.fails();
  out.times_ejected = s.outlier.times_ejected;
  out.effective_weight = effective_weight(index, now);
  out.abandoned = s.abandoned;
  out.latency_ejections = s.latency_ejections;
  out.passive_down = s.passive.down(now, passive_);
  out.ejected = outlier_.ejected(s.outlier, now);
  out.active_up = s.active_up;
  out.available = available(index, now);
  return out;
}

}  // namespace flotilla::upstream
