// The client stream ids a connection skipped (RFC 9113 §5.1.1): a new stream's id must exceed
// every earlier one, so a HEADERS on a skipped id is a connection error PROTOCOL_ERROR. nghttp2
// cannot tell a skipped id from a closed one and ignores such a frame. Pure, bounded memory.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace flotilla::gateway::h2 {

class SkippedStreamIds {
 public:
  // The ranges remembered; beyond them the oldest is forgotten (its ids are then ignored as
  // nghttp2 does, never wrongly refused).
  static constexpr std::size_t kMaxRanges = 16;

  // A HEADERS frame from the client on (odd) `id`: false when it opens a skipped id.
  bool headers(std::int32_t id) {
    if (id > highest_) {
      if (id > highest_ + 2) {
        if (ranges_.size() == kMaxRanges) ranges_.erase(ranges_.begin());
        ranges_.push_back({highest_ + 2, id - 2});
      }
      highest_ = id;
      return true;
    }
    return std::none_of(ranges_.begin(), ranges_.end(),
                        [id](const Range& r) { return id >= r.first && id <= r.last; });
  }

 private:
  struct Range {
    std::int32_t first = 0;
    std::int32_t last = 0;
  };
  std::int32_t highest_ = -1;  // so that stream 1 skips nothing
  std::vector<Range> ranges_;
};

}  // namespace flotilla::gateway::h2
