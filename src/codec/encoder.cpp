// The part of the encoders every format shares: the feed/pull loop, the level ranges and the
// state bounds; the formats live in gzip_encoder.cpp, brotli_encoder.cpp, zstd_encoder.cpp.
#include "codec/encoder.hpp"

#include "codec/formats.hpp"

namespace flotilla::codec {

int min_level(Format format) noexcept {
  return format == Format::kBrotli ? 0 : 1;
}

int max_level(Format format) noexcept {
  switch (format) {
    case Format::kGzip:
      return 9;
    case Format::kBrotli:
      return 11;
    case Format::kZstd:
      return 19;
  }
  return 0;
}

std::string_view format_name(Format format) noexcept {
  switch (format) {
    case Format::kGzip:
      return "gzip";
    case Format::kBrotli:
      return "brotli";
    case Format::kZstd:
      return "zstd";
  }
  return {};
}

void Encoder::feed(std::string_view in, Mode mode) noexcept {
  in_ = in;
  if (!in.empty()) unflushed_ = true;
  // A flush with nothing new since the last one would only add an empty block.
  if (mode == Mode::kFlush && !unflushed_) mode = Mode::kProcess;
  if (mode != Mode::kProcess) unflushed_ = false;
  mode_ = mode;
  done_ = false;
}

Chunk Encoder::pull() noexcept {
  while (!done_ && !failed_) {
    bool done = false;
    const std::size_t n = step(mode_, done);
    done_ = done;
    if (n > 0) return {{out_, n}, !done_};
  }
  return {{}, false};
}

std::size_t Encoder::state_bound(Format format, int level) noexcept {
  switch (format) {
    case Format::kGzip:
      return gzip_state_bound(level) + kOutputSize;
    case Format::kBrotli:
      return brotli_state_bound(level) + kOutputSize;
    case Format::kZstd:
      return zstd_state_bound(level) + kOutputSize;
  }
  return 0;
}

std::unique_ptr<Encoder> make_encoder(Format format, int level) {
  if (level < min_level(format) || level > max_level(format)) return nullptr;
  std::unique_ptr<Encoder> encoder;
  switch (format) {
    case Format::kGzip:
      encoder = make_gzip_encoder(level);
      break;
    case Format::kBrotli:
      encoder = make_brotli_encoder(level);
      break;
    case Format::kZstd:
      encoder = make_zstd_encoder(level);
      break;
  }
  if (encoder && !encoder->reset()) return nullptr;
  return encoder;
}

}  // namespace flotilla::codec
