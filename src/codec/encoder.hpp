// Streaming compressors for gzip (zlib), brotli (libbrotlienc) and zstd (libzstd) behind one
// pull-style interface with a fixed output buffer: memory per stream is bounded by the level's
// window and state (see docs/architecture.md, "Compression"), never by the input's size.
// Knows no HTTP, does no I/O; one encoder is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace flotilla::codec {

enum class Format : std::uint8_t { kGzip, kBrotli, kZstd };
inline constexpr std::size_t kFormatCount = 3;

// What the input fed so far must become before the encoder reports it is done with it.
enum class Mode : std::uint8_t {
  kProcess,  // anything: the encoder may hold bytes back for a better ratio
  kFlush,    // everything fed so far is decodable from the output (a sync flush)
  kFinish,   // the stream ends (trailer written)
};

struct Chunk {
  std::string_view data;  // valid until the next call on the encoder
  bool more = false;      // false: done with the input fed last (and, after kFinish, the end)
};

// The level ranges each format accepts (gzip 1–9, brotli 0–11, zstd 1–19).
int min_level(Format format) noexcept;
int max_level(Format format) noexcept;
std::string_view format_name(Format format) noexcept;  // "gzip", "brotli", "zstd"

class Encoder {
 public:
  static constexpr std::size_t kOutputSize = 32 * 1024;

  virtual ~Encoder() = default;
  Format format() const noexcept { return format_; }
  int level() const noexcept { return level_; }

  // Starts a new stream (keeps the state's memory where the library allows). False when the
  // library failed (out of memory).
  virtual bool reset() = 0;
  // The whole input's size when known, given after reset() and before the first feed(): brotli
  // narrows its window to it (as nginx's brotli filter does) and zstd sizes its tables by it
  // (it must then be exact). Gzip ignores it.
  virtual void size_hint(std::uint64_t) noexcept {}
  // The next input; `in` must stay valid until pull() reports `more == false`.
  void feed(std::string_view in, Mode mode) noexcept;
  // The next output: at most kOutputSize bytes, never empty while `more`.
  Chunk pull() noexcept;
  bool failed() const noexcept { return failed_; }

  // Memory the state of this format and level takes (documented bound, for the docs and tests).
  static std::size_t state_bound(Format format, int level) noexcept;

 protected:
  Encoder(Format format, int level) : format_(format), level_(level) {}
  // Runs the library once over in_ into out_[0, kOutputSize): consumes input, returns bytes
  // written and sets `done` when the mode's goal is reached with the input exhausted.
  virtual std::size_t step(Mode mode, bool& done) noexcept = 0;

  std::string_view in_;
  char out_[kOutputSize];
  bool failed_ = false;

 private:
  Format format_;
  int level_;
  Mode mode_ = Mode::kProcess;
  bool done_ = true;
  bool unflushed_ = false;  // bytes went in since the last flush
};

// A new encoder (null when the library cannot make one); `level` must be within range.
std::unique_ptr<Encoder> make_encoder(Format format, int level);

}  // namespace flotilla::codec
