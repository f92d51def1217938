// gzip through zlib's deflate: windowBits 15 (32 KiB window) + 16 (gzip wrapper), memLevel 8.
// The state is kept across streams (deflateReset): no allocation per stream once made.
#include <zlib.h>

#include "codec/formats.hpp"

namespace flotilla::codec {
namespace {

constexpr int kWindowBits = 15;
constexpr int kMemLevel = 8;

class GzipEncoder final : public Encoder {
 public:
  explicit GzipEncoder(int level) : Encoder(Format::kGzip, level) {}
  ~GzipEncoder() override {
    if (ready_) deflateEnd(&z_);
  }

  bool reset() override {
    failed_ = false;
    if (!ready_) {
      ready_ = deflateInit2(&z_, level(), Z_DEFLATED, kWindowBits + 16, kMemLevel,
                            Z_DEFAULT_STRATEGY) == Z_OK;
      return ready_;
    }
    return deflateReset(&z_) == Z_OK;
  }

 protected:
  std::size_t step(Mode mode, bool& done) noexcept override {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in_.data()));
    z_.avail_in = static_cast<uInt>(in_.size());
    z_.next_out = reinterpret_cast<Bytef*>(out_);
    z_.avail_out = static_cast<uInt>(kOutputSize);
    const int flush = mode == Mode::kProcess ? Z_NO_FLUSH
                      : mode == Mode::kFlush ? Z_SYNC_FLUSH
                                             : Z_FINISH;
    const int rc = deflate(&z_, flush);
    in_.remove_prefix(in_.size() - z_.avail_in);
    const std::size_t produced = kOutputSize - z_.avail_out;
    if (rc == Z_STREAM_ERROR) {
      failed_ = true;
      done = true;
      return 0;
    }
    // Z_BUF_ERROR: no progress possible (nothing to do); not an error for a stream.
    if (mode == Mode::kFinish) {
      done = rc == Z_STREAM_END;
    } else {
      done = in_.empty() && z_.avail_out != 0;
    }
    return produced;
  }

 private:
  z_stream z_{};
  bool ready_ = false;
};

}  // namespace

std::unique_ptr<Encoder> make_gzip_encoder(int level) {
  return std::make_unique<GzipEncoder>(level);
}

// zlib's documented deflate memory: (1 << (windowBits + 2)) + (1 << (memLevel + 9)), plus the
// z_stream and its internal state (~6 KiB). The level changes speed, not memory.
std::size_t gzip_state_bound(int) noexcept {
  return (std::size_t{1} << (kWindowBits + 2)) + (std::size_t{1} << (kMemLevel + 9)) + 8 * 1024;
}

}  // namespace flotilla::codec
