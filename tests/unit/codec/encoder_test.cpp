#include "codec/encoder.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <sys/resource.h>

#include <random>
#include <string>
#include <vector>

#include "codec/encoder_pool.hpp"
#include "codec/formats.hpp"

namespace flotilla::codec {
namespace {

std::string inflate_gzip(std::string_view in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out;
  char buf[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) break;  // truncated
  }
  inflateEnd(&z);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

std::string decode_brotli(std::string_view in) {
  BrotliDecoderState* s = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  std::string out;
  char buf[16384];
  std::size_t avail_in = in.size();
  const auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
  BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    std::size_t avail_out = sizeof buf;
    auto* next_out = reinterpret_cast<std::uint8_t*>(buf);
    rc = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, nullptr);
    out.append(buf, sizeof buf - avail_out);
  }
  EXPECT_EQ(rc, BROTLI_DECODER_RESULT_SUCCESS);
  BrotliDecoderDestroyInstance(s);
  return out;
}

std::string decode_zstd(std::string_view in) {
  ZSTD_DCtx* d = ZSTD_createDCtx();
  std::string out;
  char buf[16384];
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::size_t rc = 1;
  while (input.pos < input.size || rc != 0) {
    ZSTD_outBuffer output{buf, sizeof buf, 0};
    rc = ZSTD_decompressStream(d, &output, &input);
    EXPECT_FALSE(ZSTD_isError(rc));
    if (ZSTD_isError(rc)) break;
    out.append(buf, output.pos);
    if (input.pos == input.size && output.pos == 0 && rc != 0) break;  // truncated
  }
  EXPECT_EQ(rc, 0u);
  ZSTD_freeDCtx(d);
  return out;
}

std::string decode(Format format, std::string_view in) {
  switch (format) {
    case Format::kGzip:
      return inflate_gzip(in);
    case Format::kBrotli:
      return decode_brotli(in);
    case Format::kZstd:
      return decode_zstd(in);
  }
  return {};
}

// Text-like input: JSON records with some randomness, so it compresses but not trivially.
std::string sample_text(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < size) {
    out += "{\"id\":" + std::to_string(rng() % 100000) + ",\"name\":\"item-" +
           std::to_string(rng() % 977) +
           "\",\"tags\":[\"a\",\"b\"],\"price\":" + std::to_string(rng() % 10000) + "},\n";
  }
  out.resize(size);
  return out;
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

// Feeds `input` in pieces of `piece` bytes with `mode` for each piece (kFinish on the last).
std::string encode(Encoder& encoder, std::string_view input, std::size_t piece, Mode mode,
                   std::size_t* max_chunk = nullptr) {
  std::string out;
  std::size_t at = 0;
  do {
    const std::size_t n = std::min(piece, input.size() - at);
    const bool last = at + n == input.size();
    encoder.feed(input.substr(at, n), last ? Mode::kFinish : mode);
    at += n;
    for (;;) {
      const Chunk chunk = encoder.pull();
      if (max_chunk && chunk.data.size() > *max_chunk) *max_chunk = chunk.data.size();
      EXPECT_TRUE(!chunk.more || !chunk.data.empty());
      out += chunk.data;
      if (!chunk.more) break;
    }
  } while (at < input.size());
  EXPECT_FALSE(encoder.failed());
  return out;
}

constexpr Format kFormats[] = {Format::kGzip, Format::kBrotli, Format::kZstd};

TEST(Encoder, RoundTripsEveryFormatLevelAndPieceSize) {
  const std::string text = sample_text(300 * 1024, 1);
  for (const Format format : kFormats) {
    for (const int level : {min_level(format), 3, max_level(format) > 11 ? 9 : 6}) {
      for (const std::size_t piece : {std::size_t{1000}, std::size_t{32 * 1024}, text.size()}) {
        for (const Mode mode : {Mode::kProcess, Mode::kFlush}) {
          auto encoder = make_encoder(format, level);
          ASSERT_NE(encoder, nullptr);
          const std::string packed = encode(*encoder, text, piece, mode);
          EXPECT_LT(packed.size(), text.size() / 3) << format_name(format) << " " << level;
          EXPECT_EQ(decode(format, packed), text)
              << format_name(format) << " level " << level << " piece " << piece;
        }
      }
    }
  }
}

TEST(Encoder, IncompressibleInputComesOutInBoundedChunks) {
  const std::string noise = random_bytes(1024 * 1024, 2);
  for (const Format format : kFormats) {
    auto encoder = make_encoder(format, format == Format::kBrotli ? 4 : 3);
    std::size_t max_chunk = 0;
    const std::string packed = encode(*encoder, noise, noise.size(), Mode::kProcess, &max_chunk);
    EXPECT_LE(max_chunk, Encoder::kOutputSize);
    EXPECT_EQ(decode(format, packed), noise) << format_name(format);
  }
}

TEST(Encoder, FlushMakesEverythingFedSoFarDecodable) {
  const std::string event = "data: {\"tick\": 1}\n\n";
  for (const Format format : kFormats) {
    auto encoder = make_encoder(format, format == Format::kGzip ? 6 : 4);
    encoder->feed(event, Mode::kFlush);
    std::string out;
    for (Chunk c = encoder->pull();; c = encoder->pull()) {
      out += c.data;
      if (!c.more) break;
    }
    ASSERT_FALSE(out.empty()) << format_name(format);
    // A streaming decoder gets the whole event from the flushed bytes alone.
    if (format == Format::kGzip) {
      z_stream z{};
      inflateInit2(&z, 31);
      char buf[256];
      z.next_in = reinterpret_cast<Bytef*>(out.data());
      z.avail_in = static_cast<uInt>(out.size());
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      inflate(&z, Z_SYNC_FLUSH);
      EXPECT_EQ(std::string_view(buf, sizeof buf - z.avail_out), event);
      inflateEnd(&z);
    } else if (format == Format::kZstd) {
      ZSTD_DCtx* d = ZSTD_createDCtx();
      char buf[256];
      ZSTD_inBuffer in{out.data(), out.size(), 0};
      ZSTD_outBuffer o{buf, sizeof buf, 0};
      ZSTD_decompressStream(d, &o, &in);
      EXPECT_EQ(std::string_view(buf, o.pos), event);
      ZSTD_freeDCtx(d);
    } else {
      BrotliDecoderState* s = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
      char buf[256];
      std::size_t avail_in = out.size();
      const auto* next_in = reinterpret_cast<const std::uint8_t*>(out.data());
      std::size_t avail_out = sizeof buf;
      auto* next_out = reinterpret_cast<std::uint8_t*>(buf);
      BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, nullptr);
      EXPECT_EQ(std::string_view(buf, sizeof buf - avail_out), event);
      BrotliDecoderDestroyInstance(s);
    }
    // A second flush with nothing new adds nothing.
    encoder->feed({}, Mode::kFlush);
    const Chunk again = encoder->pull();
    EXPECT_TRUE(again.data.empty());
    EXPECT_FALSE(again.more);
  }
}

TEST(Encoder, EmptyBodyIsAValidStream) {
  for (const Format format : kFormats) {
    auto encoder = make_encoder(format, 3);
    EXPECT_EQ(decode(format, encode(*encoder, "", 1, Mode::kProcess)), "");
  }
}

TEST(Encoder, ResetStartsAFreshStream) {
  const std::string a = sample_text(50000, 3);
  const std::string b = sample_text(70000, 4);
  for (const Format format : kFormats) {
    auto encoder = make_encoder(format, 3);
    const std::string first = encode(*encoder, a, 8192, Mode::kProcess);
    ASSERT_TRUE(encoder->reset());
    const std::string second = encode(*encoder, b, 8192, Mode::kProcess);
    EXPECT_EQ(decode(format, first), a);
    EXPECT_EQ(decode(format, second), b);
  }
}

long minor_faults() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

// libbrotli 1.0.9 makes a new state per stream; the encoder's allocator hands the next stream the
// blocks the last one freed, so a warm encoder's stream touches no fresh pages (a new hasher and
// ring buffer would be ~100 page faults at level 4).
TEST(Encoder, BrotliStreamsReuseTheirBlocks) {
  const std::string text = sample_text(100 * 1024, 11);
  auto encoder = make_encoder(Format::kBrotli, 4);
  std::string out;
  out.reserve(64 * 1024);
  long faults = 0;
  for (int stream = 0; stream < 4; ++stream) {
    ASSERT_TRUE(encoder->reset());
    encoder->size_hint(text.size());
    out.clear();
    const long before = minor_faults();
    encoder->feed(text, Mode::kFinish);
    for (;;) {
      const Chunk chunk = encoder->pull();
      out += chunk.data;
      if (!chunk.more) break;
    }
    if (stream >= 2) faults += minor_faults() - before;  // the first streams warm up
    ASSERT_EQ(decode(Format::kBrotli, out), text);
  }
  EXPECT_LT(faults, 20) << "page faults in two warm brotli streams";
}

TEST(Encoder, SizeHintKeepsTheStreamValid) {
  const std::string text = sample_text(100 * 1024, 8);
  for (const Format format : kFormats) {
    auto encoder = make_encoder(format, 4);
    encoder->size_hint(text.size());
    const std::string packed = encode(*encoder, text, 16 * 1024, Mode::kProcess);
    EXPECT_EQ(decode(format, packed), text) << format_name(format);
    // A pooled encoder reset after a hinted stream serves an unhinted one.
    ASSERT_TRUE(encoder->reset());
    const std::string big = sample_text(600 * 1024, 9);
    EXPECT_EQ(decode(format, encode(*encoder, big, 32 * 1024, Mode::kProcess)), big);
  }
}

TEST(Encoder, LevelsOutOfRangeAreRefused) {
  EXPECT_EQ(make_encoder(Format::kGzip, 0), nullptr);
  EXPECT_EQ(make_encoder(Format::kGzip, 10), nullptr);
  EXPECT_EQ(make_encoder(Format::kBrotli, 12), nullptr);
  EXPECT_EQ(make_encoder(Format::kZstd, 20), nullptr);
  EXPECT_NE(make_encoder(Format::kBrotli, 0), nullptr);
}

TEST(Encoder, ZstdStateStaysWithinItsBound) {
  const std::string text = sample_text(4 * 1024 * 1024, 5);
  for (const int level : {1, 3, 9, 13}) {
    // A context set up as the encoder sets its own, fed as the gateway feeds it (32 KiB pieces);
    // the library reports its size.
    ZSTD_CCtx* probe = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(probe, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(probe, ZSTD_c_windowLog, zstd_window_log(level));
    char out[1 << 16];
    for (std::size_t at = 0; at < text.size(); at += 32 * 1024) {
      ZSTD_inBuffer in{text.data() + at, std::min<std::size_t>(32 * 1024, text.size() - at), 0};
      while (in.pos < in.size) {
        ZSTD_outBuffer o{out, sizeof out, 0};
        ZSTD_compressStream2(probe, &o, &in, ZSTD_e_continue);
      }
    }
    EXPECT_LE(ZSTD_sizeof_CCtx(probe), zstd_state_bound(level)) << level;
    std::printf("zstd level %d windowLog %d: %zu bytes\n", level, zstd_window_log(level),
                ZSTD_sizeof_CCtx(probe));
    ZSTD_freeCCtx(probe);
  }
}

std::size_t g_brotli_live = 0;
std::size_t g_brotli_peak = 0;
void* counting_alloc(void*, std::size_t size) {
  auto* p = static_cast<std::size_t*>(std::malloc(size + sizeof(std::size_t)));
  *p = size;
  g_brotli_live += size;
  g_brotli_peak = std::max(g_brotli_peak, g_brotli_live);
  return p + 1;
}
void counting_free(void*, void* address) {
  if (!address) return;
  auto* p = static_cast<std::size_t*>(address) - 1;
  g_brotli_live -= *p;
  std::free(p);
}

TEST(Encoder, BrotliStateStaysWithinItsBound) {
  const std::string text = sample_text(8 * 1024 * 1024, 6);
  for (const int level : {0, 4, 6, 11}) {
    g_brotli_live = g_brotli_peak = 0;
    BrotliEncoderState* s = BrotliEncoderCreateInstance(counting_alloc, counting_free, nullptr);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_QUALITY, static_cast<std::uint32_t>(level));
    BrotliEncoderSetParameter(s, BROTLI_PARAM_LGWIN,
                              static_cast<std::uint32_t>(brotli_window_log(level)));
    std::vector<std::uint8_t> out(1 << 16);
    const std::size_t limit = level == 11 ? 1024 * 1024 : text.size();  // level 11 is slow
    // Fed as the gateway feeds it: pieces of at most 32 KiB.
    for (std::size_t at = 0; at < limit; at += 32 * 1024) {
      std::size_t avail_in = std::min<std::size_t>(32 * 1024, limit - at);
      const auto* next_in = reinterpret_cast<const std::uint8_t*>(text.data() + at);
      while (avail_in > 0 || BrotliEncoderHasMoreOutput(s)) {
        std::size_t avail_out = out.size();
        auto* next_out = out.data();
        BrotliEncoderCompressStream(s, BROTLI_OPERATION_PROCESS, &avail_in, &next_in, &avail_out,
                                    &next_out, nullptr);
      }
    }
    BrotliEncoderDestroyInstance(s);
    EXPECT_LE(g_brotli_peak, brotli_state_bound(level)) << level;
    std::printf("brotli level %d lgwin %d: peak %zu bytes\n", level, brotli_window_log(level),
                g_brotli_peak);
    EXPECT_GT(g_brotli_peak, std::size_t{1} << (brotli_window_log(level) - 1)) << level;
  }
}

TEST(EncoderPool, ReusesStatesAtTheSameLevel) {
  EncoderPool pool;
  const std::string text = sample_text(20000, 7);
  for (int i = 0; i < 10; ++i) {
    auto encoder = pool.acquire(Format::kGzip, 6);
    ASSERT_NE(encoder, nullptr);
    EXPECT_EQ(decode(Format::kGzip, encode(*encoder, text, 4096, Mode::kProcess)), text);
    pool.release(std::move(encoder));
  }
  EXPECT_EQ(pool.made(), 1u);
  EXPECT_EQ(pool.idle(Format::kGzip), 1u);
  auto other = pool.acquire(Format::kGzip, 1);  // another level: a new state
  EXPECT_EQ(pool.made(), 2u);
  std::vector<std::unique_ptr<Encoder>> many;
  for (int i = 0; i < 12; ++i) many.push_back(pool.acquire(Format::kZstd, 3));
  for (auto& e : many) pool.release(std::move(e));
  EXPECT_EQ(pool.idle(Format::kZstd), EncoderPool::kMaxIdle);
}

}  // namespace
}  // namespace flotilla::codec
