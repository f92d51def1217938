// zstd through libzstd's ZSTD_compressStream2, its window bounded by level (windowLog 19–21:
// smaller than zstd's own choice for unknown sizes at high levels). The context is kept across
// streams (ZSTD_CCtx_reset): no allocation per stream once its buffers have grown.
#include <zstd.h>

#include "codec/formats.hpp"

namespace flotilla::codec {
namespace {

class ZstdEncoder final : public Encoder {
 public:
  explicit ZstdEncoder(int level) : Encoder(Format::kZstd, level) {}
  ~ZstdEncoder() override { ZSTD_freeCCtx(cctx_); }

  bool reset() override {
    failed_ = false;
    if (!cctx_) cctx_ = ZSTD_createCCtx();
    if (!cctx_) return false;
    if (ZSTD_isError(ZSTD_CCtx_reset(cctx_, ZSTD_reset_session_and_parameters))) return false;
    if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level()))) {
      return false;
    }
    return !ZSTD_isError(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_windowLog, zstd_window_log(level())));
  }

  void size_hint(std::uint64_t bytes) noexcept override {
    ZSTD_CCtx_setPledgedSrcSize(cctx_, bytes);
  }

 protected:
  std::size_t step(Mode mode, bool& done) noexcept override {
    ZSTD_inBuffer in{in_.data(), in_.size(), 0};
    ZSTD_outBuffer out{out_, kOutputSize, 0};
    const ZSTD_EndDirective directive = mode == Mode::kProcess ? ZSTD_e_continue
                                        : mode == Mode::kFlush ? ZSTD_e_flush
                                                               : ZSTD_e_end;
    const std::size_t left = ZSTD_compressStream2(cctx_, &out, &in, directive);
    in_.remove_prefix(in.pos);
    if (ZSTD_isError(left)) {
      failed_ = true;
      done = true;
      return 0;
    }
    if (mode == Mode::kProcess) {
      done = in_.empty() && out.pos < out.size;
    } else {
      done = left == 0;
    }
    return out.pos;
  }

 private:
  ZSTD_CCtx* cctx_ = nullptr;
};

}  // namespace

std::unique_ptr<Encoder> make_zstd_encoder(int level) {
  return std::make_unique<ZstdEncoder>(level);
}

int zstd_window_log(int level) noexcept {
  if (level <= 5) return 19;
  if (level <= 12) return 20;
  return 21;
}

// Measured with ZSTD_sizeof_CCtx after 4 MiB fed in 32 KiB pieces (tests/unit/codec/
// encoder_test.cpp checks it): the window, the block buffers and the match finder's tables, which
// the level sizes (level 3 at windowLog 19: 2.0 MiB; level 9: 13.5 MiB).
std::size_t zstd_state_bound(int level) noexcept {
  const std::size_t window = std::size_t{1} << zstd_window_log(level);
  if (level <= 3) return 4 * window + 512 * 1024;
  if (level <= 6) return 10 * window;
  if (level <= 9) return 28 * window;
  return 20 * window;
}

}  // namespace flotilla::codec
