// W-TinyLFU bookkeeping (w_tinylfu.hpp). The admission duel follows Caffeine's evictFromMain:
// candidates are the keys just moved out of the window, victims the probation LRU end; the less
// popular of the two leaves (a tie evicts the candidate, which protects the main space from scans).
#include "cache/w_tinylfu.hpp"

#include <algorithm>

namespace flotilla::cache {

WTinyLfu::WTinyLfu(std::uint64_t capacity, std::uint64_t expected_entries)
    : capacity_(capacity),
      window_capacity_(std::max<std::uint64_t>(1, capacity / 100)),
      protected_capacity_((capacity - capacity / 100) * 8 / 10),
      sketch_(expected_entries) {}

std::list<std::uint64_t>& WTinyLfu::list_of(Segment s) {
  switch (s) {
    case Segment::kWindow:
      return window_;
    case Segment::kProbation:
      return probation_;
    case Segment::kProtected:
      return protected_;
  }
  return window_;
}

std::uint64_t& WTinyLfu::bytes_of(Segment s) {
  switch (s) {
    case Segment::kWindow:
      return window_bytes_;
    case Segment::kProbation:
      return probation_bytes_;
    case Segment::kProtected:
      return protected_bytes_;
  }
  return window_bytes_;
}

void WTinyLfu::move_to(std::uint64_t key, Node& node, Segment to) {
  list_of(node.segment).erase(node.at);
  bytes_of(node.segment) -= node.weight;
  node.segment = to;
  auto& list = list_of(to);
  node.at = list.insert(list.end(), key);
  bytes_of(to) += node.weight;
}

void WTinyLfu::on_hit(std::uint64_t key) {
  const auto it = nodes_.find(key);
  if (it == nodes_.end()) return;
  Node& node = it->second;
  if (node.segment == Segment::kProbation) {
    move_to(key, node, Segment::kProtected);
    shrink_protected();
  } else {
    move_to(key, node, node.segment);  // to the MRU end of its own segment
  }
}

// Protected over its share: its LRU keys go back to probation's MRU end.
void WTinyLfu::shrink_protected() {
  while (protected_bytes_ > protected_capacity_ && protected_.size() > 1) {
    const std::uint64_t key = protected_.front();
    move_to(key, nodes_.at(key), Segment::kProbation);
  }
}

void WTinyLfu::remove(std::uint64_t key, std::vector<std::uint64_t>& evicted) {
  const auto it = nodes_.find(key);
  if (it == nodes_.end()) return;
  list_of(it->second.segment).erase(it->second.at);
  bytes_of(it->second.segment) -= it->second.weight;
  nodes_.erase(it);
  evicted.push_back(key);
}

void WTinyLfu::erase(std::uint64_t key) {
  std::vector<std::uint64_t> ignored;
  remove(key, ignored);
}

void WTinyLfu::insert(std::uint64_t key, std::uint64_t weight,
                      std::vector<std::uint64_t>& evicted) {
  if (nodes_.count(key) != 0) erase(key);
  if (weight > capacity_) {
    evicted.push_back(key);
    return;
  }
  Node node;
  node.weight = weight;
  node.segment = Segment::kWindow;
  node.at = window_.insert(window_.end(), key);
  window_bytes_ += weight;
  nodes_.emplace(key, node);
  // The window's overflow moves to probation as candidates for admission.
  std::vector<std::uint64_t> candidates;
  while (window_bytes_ > window_capacity_ && window_.size() > 1) {
    const std::uint64_t moved = window_.front();
    move_to(moved, nodes_.at(moved), Segment::kProbation);
    candidates.push_back(moved);
  }
  evict_from_main(candidates, evicted);
}

void WTinyLfu::evict_from_main(std::vector<std::uint64_t>& candidates,
                               std::vector<std::uint64_t>& evicted) {
  while (weight() > capacity_) {
    // Victim: the probation LRU end, else protected's, else the window's.
    std::uint64_t victim = 0;
    if (!probation_.empty()) {
      victim = probation_.front();
    } else if (!protected_.empty()) {
      victim = protected_.front();
    } else {
      victim = window_.front();
    }
    const auto victim_is_candidate = std::find(candidates.begin(), candidates.end(), victim);
    if (candidates.empty() || victim_is_candidate != candidates.end()) {
      if (victim_is_candidate != candidates.end()) candidates.erase(victim_is_candidate);
      remove(victim, evicted);
      continue;
    }
    const std::uint64_t candidate = candidates.back();
    if (sketch_.frequency(candidate) > sketch_.frequency(victim)) {
      remove(victim, evicted);
    } else {
      candidates.pop_back();
      remove(candidate, evicted);
    }
  }
}

}  // namespace flotilla::cache
