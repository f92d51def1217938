// brotli through libbrotlienc's streaming API (BrotliEncoderCompressStream), its window (lgwin)
// chosen by level. libbrotli 1.0.9 cannot reset a state, so each stream makes a new one; its
// buffers come from the encoder's own allocator, which keeps the blocks a stream freed for the
// next (no malloc, no fresh pages per response once warm).
#include <brotli/encode.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "codec/formats.hpp"

namespace flotilla::codec {
namespace {

constexpr int kMinWindowLog = 16;  // a smaller window would save little and cost ratio

// The blocks one encoder's streams allocate, recycled: libbrotlienc asks for the same few sizes
// for every stream of a level (state, ring buffer, hasher, command and output buffers), and the
// large ones (the hasher is MiBs) would otherwise be fresh mmap'd pages to fault in each time.
// Holds at most what one stream used; freed with the encoder.
class BlockCache {
 public:
  BlockCache() { idle_.reserve(kMaxBlocks); }
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;
  ~BlockCache() {
    for (const Block& block : idle_) std::free(block.base);
  }

  static void* allocate(void* opaque, std::size_t size) {
    return static_cast<BlockCache*>(opaque)->take(size);
  }
  static void release(void* opaque, void* address) {
    if (address) static_cast<BlockCache*>(opaque)->give(address);
  }

 private:
  static constexpr std::size_t kMaxBlocks = 32;
  static constexpr std::size_t kHeader = 16;  // the block's size, keeping malloc's alignment
  struct Block {
    void* base;
    std::size_t size;
  };

  // The smallest idle block that fits and wastes at most 3/4 of itself, else a new one.
  void* take(std::size_t size) {
    std::size_t best = idle_.size();
    for (std::size_t i = 0; i < idle_.size(); ++i) {
      const std::size_t have = idle_[i].size;
      if (have >= size && have / 4 <= size && (best == idle_.size() || have < idle_[best].size)) {
        best = i;
      }
    }
    if (best < idle_.size()) {
      void* base = idle_[best].base;
      idle_[best] = idle_.back();
      idle_.pop_back();
      return static_cast<char*>(base) + kHeader;
    }
    void* base = std::malloc(size + kHeader);
    if (!base) return nullptr;
    *static_cast<std::size_t*>(base) = size;
    return static_cast<char*>(base) + kHeader;
  }

  void give(void* address) {
    void* base = static_cast<char*>(address) - kHeader;
    if (idle_.size() == kMaxBlocks) {
      std::free(base);
      return;
    }
    idle_.push_back({base, *static_cast<std::size_t*>(base)});
  }

  std::vector<Block> idle_;
};

class BrotliEncoder final : public Encoder {
 public:
  explicit BrotliEncoder(int level) : Encoder(Format::kBrotli, level) {}
  ~BrotliEncoder() override {
    if (state_) BrotliEncoderDestroyInstance(state_);  // its blocks go to blocks_, then free
  }

  bool reset() override {
    failed_ = false;
    if (state_) BrotliEncoderDestroyInstance(state_);
    state_ = BrotliEncoderCreateInstance(&BlockCache::allocate, &BlockCache::release, &blocks_);
    if (!state_) return false;
    BrotliEncoderSetParameter(state_, BROTLI_PARAM_QUALITY, static_cast<std::uint32_t>(level()));
    BrotliEncoderSetParameter(state_, BROTLI_PARAM_LGWIN,
                              static_cast<std::uint32_t>(brotli_window_log(level())));
    return true;
  }

  void size_hint(std::uint64_t bytes) noexcept override {
    int lgwin = brotli_window_log(level());
    while (lgwin > kMinWindowLog && bytes <= (std::uint64_t{1} << (lgwin - 1))) --lgwin;
    BrotliEncoderSetParameter(state_, BROTLI_PARAM_LGWIN, static_cast<std::uint32_t>(lgwin));
    BrotliEncoderSetParameter(state_, BROTLI_PARAM_SIZE_HINT,
                              static_cast<std::uint32_t>(std::min<std::uint64_t>(bytes, 1u << 30)));
  }

 protected:
  std::size_t step(Mode mode, bool& done) noexcept override {
    std::size_t avail_in = in_.size();
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(in_.data());
    std::size_t avail_out = kOutputSize;
    auto* next_out = reinterpret_cast<std::uint8_t*>(out_);
    const BrotliEncoderOperation op = mode == Mode::kProcess ? BROTLI_OPERATION_PROCESS
                                      : mode == Mode::kFlush ? BROTLI_OPERATION_FLUSH
                                                             : BROTLI_OPERATION_FINISH;
    const bool ok = BrotliEncoderCompressStream(state_, op, &avail_in, &next_in, &avail_out,
                                                &next_out, nullptr);
    in_.remove_prefix(in_.size() - avail_in);
    if (!ok) {
      failed_ = true;
      done = true;
      return 0;
    }
    if (mode == Mode::kFinish) {
      done = BrotliEncoderIsFinished(state_) != 0;
    } else {
      done = in_.empty() && BrotliEncoderHasMoreOutput(state_) == 0;
    }
    return kOutputSize - avail_out;
  }

 private:
  BlockCache blocks_;  // declared first: destroyed after the state that uses it
  BrotliEncoderState* state_ = nullptr;
};

}  // namespace

std::unique_ptr<Encoder> make_brotli_encoder(int level) {
  return std::make_unique<BrotliEncoder>(level);
}

// 256 KiB (levels 0–4), 512 KiB (5–7), 1 MiB (8–9), 4 MiB (10–11): a larger window pays only at
// levels that search it, and the hasher's tables grow with it.
int brotli_window_log(int level) noexcept {
  if (level <= 4) return 18;
  if (level <= 7) return 19;
  if (level <= 9) return 20;
  return 22;
}

// Measured with a counting allocator, fed in 32 KiB pieces (tests/unit/codec/encoder_test.cpp
// checks it): the ring buffer (2^lgwin plus slack), the hasher (from level 2 on sized by lgwin:
// level 4 at lgwin 18 peaks at 3.4 MiB, level 6 at lgwin 19 at 7.3 MiB) and the command and
// output buffers.
std::size_t brotli_state_bound(int level) noexcept {
  const std::size_t window = std::size_t{1} << brotli_window_log(level);
  if (level <= 1) return 2 * window + 256 * 1024;
  if (level <= 3) return 6 * window;
  if (level <= 9) return 16 * window;
  return 20 * window;
}

}  // namespace flotilla::codec
