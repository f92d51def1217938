// Chunked decoding: extensions, trailers, every split point, strict rejections, bounds.
// Tests only the public API of chunked_decoder.hpp.
#include "http/chunked_decoder.hpp"

#include <gtest/gtest.h>

#include <string>

namespace flotilla::http {
namespace {

struct Decoded {
  std::string body;
  std::size_t consumed = 0;
  bool done = false;
  ParseError error = ParseError::kNone;
};

// Feeds `raw` in slices of `slice` bytes; the decoder sees only bytes it has not consumed yet.
Decoded decode(std::string_view raw, std::size_t slice, ChunkedLimits limits = {}) {
  ChunkedDecoder d(limits);
  Decoded out;
  std::string pending;
  std::size_t fed = 0;
  while (!out.done && out.error == ParseError::kNone) {
    if (pending.empty()) {
      if (fed == raw.size()) break;
      const std::size_t n = std::min(slice, raw.size() - fed);
      pending.append(raw.substr(fed, n));
      fed += n;
    }
    const BodyStep step = d.decode(pending);
    out.body.append(step.data);
    out.consumed += step.consumed;
    out.done = step.done;
    out.error = step.error;
    if (step.data.size() > 0) {
      // Zero copy: data is a view into the input.
      EXPECT_GE(step.data.data(), pending.data());
      EXPECT_LE(step.data.data() + step.data.size(), pending.data() + pending.size());
    }
    pending.erase(0, step.consumed);
    if (step.consumed == 0 && !step.done && !step.failed()) {
      ADD_FAILURE() << "no progress";
      break;
    }
  }
  return out;
}

constexpr std::string_view kBody =
    "4\r\nWiki\r\n"
    "5;name=value;q=\"a b\\\"c\"\r\npedia\r\n"
    "E\r\n in\r\n\r\nchunks.\r\n"
    "0\r\n"
    "Expires: never\r\n"
    "\r\n";

TEST(ChunkedDecoder, DecodesWithExtensionsAndTrailers) {
  const Decoded d = decode(kBody, kBody.size());
  EXPECT_EQ(d.error, ParseError::kNone) << to_string(d.error);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.body, "Wikipedia in\r\n\r\nchunks.");
  EXPECT_EQ(d.consumed, kBody.size());
}

TEST(ChunkedDecoder, KeepsTrailersWhenAsked) {
  const std::string_view raw = "3\r\nabc\r\n0\r\ngrpc-status: 0\r\nX-B:  two \r\n\r\nNEXT";
  for (std::size_t slice = 1; slice <= raw.size(); ++slice) {
    ChunkedDecoder d;
    char room[64];
    d.keep_trailers(room);
    std::size_t fed = 0;
    std::string pending;
    while (!d.done() && !d.failed() && fed < raw.size()) {
      pending.append(raw.substr(fed, std::min(slice, raw.size() - fed)));
      fed += std::min(slice, raw.size() - fed);
      for (;;) {
        const BodyStep step = d.decode(pending);
        pending.erase(0, step.consumed);
        if (step.consumed == 0 || step.done || step.failed()) break;
      }
    }
    ASSERT_TRUE(d.done()) << slice;
    EXPECT_EQ(d.trailers(), "grpc-status: 0\r\nX-B:  two \r\n") << slice;
  }
}

TEST(ChunkedDecoder, TrailersThatDoNotFitAreNotKept) {
  ChunkedDecoder d;
  char room[8];
  d.keep_trailers(room);
  const BodyStep step = d.decode("0\r\ngrpc-status: 0\r\n\r\n");
  EXPECT_TRUE(step.done);
  EXPECT_EQ(d.trailers(), "");
  ChunkedDecoder none;  // not asked: nothing kept
  std::string_view rest = kBody;
  for (int i = 0; i < 100 && !none.done() && !none.failed(); ++i) {
    rest.remove_prefix(none.decode(rest).consumed);
  }
  EXPECT_TRUE(none.done());
  EXPECT_EQ(none.trailers(), "");
}

TEST(ChunkedDecoder, SplitAtEveryByte) {
  for (std::size_t slice = 1; slice <= kBody.size(); ++slice) {
    const Decoded d = decode(kBody, slice);
    ASSERT_TRUE(d.done) << slice << " " << to_string(d.error);
    EXPECT_EQ(d.body, "Wikipedia in\r\n\r\nchunks.") << slice;
    EXPECT_EQ(d.consumed, kBody.size()) << slice;
  }
  // Split into exactly two parts at every position.
  for (std::size_t cut = 0; cut <= kBody.size(); ++cut) {
    ChunkedDecoder d;
    std::string body;
    std::string_view parts[2] = {kBody.substr(0, cut), kBody.substr(cut)};
    bool done = false;
    for (std::string_view part : parts) {
      while (!part.empty() && !done) {
        const BodyStep s = d.decode(part);
        ASSERT_FALSE(s.failed()) << cut;
        body.append(s.data);
        part.remove_prefix(s.consumed);
        done = s.done;
      }
    }
    EXPECT_TRUE(done) << cut;
    EXPECT_EQ(body, "Wikipedia in\r\n\r\nchunks.") << cut;
  }
}

TEST(ChunkedDecoder, StopsAtTheEndOfTheBody) {
  const std::string raw = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
  ChunkedDecoder d;
  std::string_view in = raw;
  std::size_t used = 0;
  while (!d.done()) {
    const BodyStep s = d.decode(in);
    ASSERT_FALSE(s.failed());
    in.remove_prefix(s.consumed);
    used += s.consumed;
  }
  EXPECT_EQ(used, raw.find("GET"));
  // Further calls consume nothing.
  EXPECT_EQ(d.decode(in).consumed, 0u);
  EXPECT_TRUE(d.decode(in).done);
}

TEST(ChunkedDecoder, LargeAndLeadingZeroSizes) {
  ChunkedDecoder d;
  BodyStep s = d.decode("7FFFFFFFFFFFFFFF\r\nab");
  EXPECT_FALSE(s.failed());
  EXPECT_EQ(s.data, "ab");
  EXPECT_EQ(d.chunk_remaining(), 0x7FFFFFFFFFFFFFFFu - 2);
  d.reset();
  EXPECT_EQ(d.decode("8000000000000000\r\n").error, ParseError::kChunkSizeOverflow);
  d.reset();
  s = d.decode("0000000000000000000001\r\nx\r\n0\r\n\r\n");
  EXPECT_EQ(s.data, "x");
}

TEST(ChunkedDecoder, Rejections) {
  struct Case {
    std::string_view raw;
    ParseError error;
  };
  const Case cases[] = {
      {"0x1\r\na\r\n", ParseError::kInvalidChunkSize},
      {"-1\r\n", ParseError::kInvalidChunkSize},
      {"+1\r\n", ParseError::kInvalidChunkSize},
      {"1 \r\n", ParseError::kInvalidChunkSize},
      {"1\t\r\n", ParseError::kInvalidChunkSize},
      {" 1\r\n", ParseError::kInvalidChunkSize},
      {"\r\n", ParseError::kInvalidChunkSize},
      {"g\r\n", ParseError::kInvalidChunkSize},
      {"1\n", ParseError::kInvalidChunkSize},
      {"1\rx", ParseError::kBareCr},
      {"ffffffffffffffffff\r\n", ParseError::kChunkSizeOverflow},
      {"1\r\nab\r\n", ParseError::kMissingChunkCrlf},
      {"1\r\na\n", ParseError::kMissingChunkCrlf},
      {"1\r\na\rx", ParseError::kMissingChunkCrlf},
      {"1;\r\n", ParseError::kInvalidChunkExtension},
      {"1;a=\r\n", ParseError::kInvalidChunkExtension},
      {"1;a b\r\n", ParseError::kInvalidChunkExtension},
      {"1;a=\"b\r\n", ParseError::kInvalidChunkExtension},
      {"1;a=\"b\"c\r\n", ParseError::kInvalidChunkExtension},
      {"1;a=b \r\n", ParseError::kInvalidChunkExtension},
      {"1;a=\x01\r\n", ParseError::kInvalidChunkExtension},
      {"0\r\nX: a\r\n b\r\n\r\n", ParseError::kInvalidTrailer},
      {"0\r\nX : a\r\n\r\n", ParseError::kInvalidTrailer},
      {"0\r\n: a\r\n\r\n", ParseError::kInvalidTrailer},
      {"0\r\nX: a\x7f\r\n\r\n", ParseError::kInvalidTrailer},
      {"0\r\nX: a\n\r\n", ParseError::kInvalidTrailer},
      {"0\r\n\n", ParseError::kInvalidTrailer},
      {"0\r\n\rx", ParseError::kInvalidTrailer},
  };
  for (const Case& c : cases) {
    for (std::size_t slice : {std::size_t{1}, c.raw.size()}) {
      const Decoded d = decode(c.raw, slice);
      EXPECT_EQ(d.error, c.error) << c.raw << " got " << to_string(d.error);
      EXPECT_FALSE(d.done);
    }
  }
}

TEST(ChunkedDecoder, BoundsChunkLinesAndTrailers) {
  ChunkedLimits limits;
  limits.max_chunk_line = 8;
  limits.max_trailer_bytes = 16;
  EXPECT_EQ(decode("1;abcdefgh\r\n", 1, limits).error, ParseError::kChunkLineTooLong);
  EXPECT_EQ(decode("000000001\r\n", 1, limits).error, ParseError::kChunkLineTooLong);
  EXPECT_TRUE(decode("1;abcd\r\nx\r\n0\r\n\r\n", 1, limits).done);
  EXPECT_EQ(decode("0\r\nX: 0123456789abcdef\r\n\r\n", 3, limits).error,
            ParseError::kTrailersTooLarge);
  EXPECT_TRUE(decode("0\r\nX: 01234567\r\n\r\n", 3, limits).done);
}

TEST(ChunkedDecoder, ErrorIsSticky) {
  ChunkedDecoder d;
  EXPECT_TRUE(d.decode("z").failed());
  EXPECT_TRUE(d.failed());
  EXPECT_EQ(d.decode("1\r\na\r\n").error, ParseError::kInvalidChunkSize);
  d.reset();
  EXPECT_FALSE(d.decode("1\r\na\r\n").failed());
}

}  // namespace
}  // namespace flotilla::http
