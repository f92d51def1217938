// Plain value types that config values parse into (addresses, port ranges, rates...), shared by
// spec.hpp and units.hpp. Data only: parsing lives in units.cpp.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>

namespace flotilla::config {

using Duration = std::chrono::milliseconds;

// 1-based position of a key or value in the config file; 0 when unknown.
struct SourcePos {
  int line = 0;
  int column = 0;
  friend auto operator<=>(const SourcePos&, const SourcePos&) = default;
};

// "host:port", "[v6]:port", "*:port" (= 0.0.0.0) or "unix:/path".
struct Address {
  enum class Kind { tcp, unix_socket };
  Kind kind = Kind::tcp;
  std::string host;  // tcp: IP literal (no brackets) or DNS name
  std::uint16_t port = 0;
  std::string path;  // unix_socket: the socket path (absolute once loaded)
  friend bool operator==(const Address&, const Address&) = default;
};

// Inclusive range of TCP ports, e.g. 8000-8099; a single port is a range of one.
struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  std::uint32_t size() const { return std::uint32_t{last} - first + 1; }
  friend bool operator==(const PortRange&, const PortRange&) = default;
};

// "100/min": `count` events per `period`.
struct Rate {
  std::uint64_t count = 0;
  Duration period{0};
  double per_second() const {
    return period.count() == 0 ? 0.0 : static_cast<double>(count) * 1000.0 / period.count();
  }
  friend bool operator==(const Rate&, const Rate&) = default;
};

// Kubernetes' IntOrString for rollout sizes: "1" or "25%".
struct IntOrPercent {
  std::uint32_t value = 0;
  bool percent = false;
  friend bool operator==(const IntOrPercent&, const IntOrPercent&) = default;
};

}  // namespace flotilla::config
