// Body progress for each framing: none, Content-Length, chunked, until close.
// Tests only the public API of body_reader.hpp.
#include "http/body_reader.hpp"

#include <gtest/gtest.h>

namespace flotilla::http {
namespace {

TEST(BodyReader, NoBodyIsDoneAtOnce) {
  BodyReader r;
  r.start(BodyFraming::kNone);
  EXPECT_TRUE(r.done());
  const BodyStep s = r.next("GET / HTTP/1.1\r\n");
  EXPECT_TRUE(s.done);
  EXPECT_EQ(s.consumed, 0u);
  EXPECT_EQ(r.finish_at_eof(), ParseError::kNone);
}

TEST(BodyReader, ContentLengthCountsDown) {
  BodyReader r;
  r.start(BodyFraming::kContentLength, 5);
  EXPECT_FALSE(r.done());
  BodyStep s = r.next("he");
  EXPECT_EQ(s.data, "he");
  EXPECT_FALSE(s.done);
  EXPECT_EQ(r.remaining(), 3u);
  EXPECT_EQ(r.finish_at_eof(), ParseError::kBodyTruncated);
  s = r.next("lloGET /next");
  EXPECT_EQ(s.data, "llo");
  EXPECT_EQ(s.consumed, 3u);
  EXPECT_TRUE(s.done);
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.body_bytes(), 5u);
  EXPECT_EQ(r.next("more").consumed, 0u);
}

TEST(BodyReader, ZeroContentLengthIsDone) {
  BodyReader r;
  r.start(BodyFraming::kContentLength, 0);
  EXPECT_TRUE(r.done());
}

TEST(BodyReader, ChunkedDelegates) {
  BodyReader r;
  r.start(BodyFraming::kChunked);
  BodyStep s = r.next("3\r\nabc\r\n0\r\n\r\nrest");
  EXPECT_EQ(s.data, "abc");
  EXPECT_FALSE(s.done);
  s = r.next(std::string_view("3\r\nabc\r\n0\r\n\r\nrest").substr(s.consumed));
  EXPECT_TRUE(s.done);
  EXPECT_EQ(s.consumed, 7u);
  EXPECT_EQ(r.body_bytes(), 3u);
  // Reusable for the next message.
  r.start(BodyFraming::kChunked);
  EXPECT_FALSE(r.done());
  EXPECT_EQ(r.finish_at_eof(), ParseError::kBodyTruncated);
}

TEST(BodyReader, UntilCloseEndsAtEof) {
  BodyReader r;
  r.start(BodyFraming::kUntilClose);
  const BodyStep s = r.next("anything");
  EXPECT_EQ(s.data, "anything");
  EXPECT_FALSE(s.done);
  EXPECT_EQ(r.finish_at_eof(), ParseError::kNone);
  EXPECT_TRUE(r.done());
}

}  // namespace
}  // namespace flotilla::http
