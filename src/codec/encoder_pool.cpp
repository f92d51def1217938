// Reuse of encoder states per worker: the most recently released encoder at the asked level
// first (its memory is warm); one at another level is dropped rather than reconfigured.
#include "codec/encoder_pool.hpp"

namespace flotilla::codec {

std::unique_ptr<Encoder> EncoderPool::acquire(Format format, int level) {
  auto& idle = idle_[static_cast<std::size_t>(format)];
  for (std::size_t i = idle.size(); i-- > 0;) {
    if (idle[i]->level() != level) continue;
    std::unique_ptr<Encoder> encoder = std::move(idle[i]);
    idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(i));
    if (encoder->reset()) return encoder;
    return nullptr;
  }
  std::unique_ptr<Encoder> encoder = make_encoder(format, level);
  if (encoder) ++made_;
  return encoder;
}

void EncoderPool::release(std::unique_ptr<Encoder> encoder) {
  if (!encoder || encoder->failed()) return;
  auto& idle = idle_[static_cast<std::size_t>(encoder->format())];
  if (idle.size() >= kMaxIdle) idle.erase(idle.begin());  // the coldest goes
  idle.push_back(std::move(encoder));
}

}  // namespace flotilla::codec
