// The endpoints one request has already tried, so a retry goes elsewhere. Fixed capacity and
// stack-only: must never allocate, it lives in every proxied request.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "upstream/endpoint_state.hpp"

namespace flotilla::upstream {

class TriedSet {
 public:
  static constexpr std::size_t kCapacity = 8;

  // False when full: the endpoint then stays eligible, which only weakens retry spreading.
  bool add(const EndpointTicket& ticket) {
    if (contains(ticket.serial)) return true;
    if (size_ == kCapacity) return false;
    serials_[size_++] = ticket.serial;
    return true;
  }

  bool contains(std::uint64_t serial) const {
    return std::find(serials_.begin(), serials_.begin() + size_, serial) !=
           serials_.begin() + size_;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  std::array<std::uint64_t, kCapacity> serials_{};
  std::size_t size_ = 0;
};

}  // namespace flotilla::upstream
