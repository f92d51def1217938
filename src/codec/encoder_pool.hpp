// A worker's idle encoders, kept for the next response instead of freed: a gzip or zstd state
// (hundreds of KiB, allocated and initialised) is made once per worker and concurrency level,
// not once per response. One pool per thread, never shared; bounded in count.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "codec/encoder.hpp"

namespace flotilla::codec {

class EncoderPool {
 public:
  // Idle encoders kept per format; more are freed when released.
  static constexpr std::size_t kMaxIdle = 8;

  EncoderPool() {
    for (auto& idle : idle_) idle.reserve(kMaxIdle);  // release() never allocates
  }

  // An encoder at `level`, reset for a new stream (null when the library failed).
  std::unique_ptr<Encoder> acquire(Format format, int level);
  void release(std::unique_ptr<Encoder> encoder);

  std::size_t idle(Format format) const noexcept {
    return idle_[static_cast<std::size_t>(format)].size();
  }
  std::size_t made() const noexcept { return made_; }  // encoders created so far

 private:
  std::array<std::vector<std::unique_ptr<Encoder>>, kFormatCount> idle_;
  std::size_t made_ = 0;
};

}  // namespace flotilla::codec
