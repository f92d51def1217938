// A stream's receive buffer: one window of held bytes, released as the upstream takes them.
#include "gateway/h2/stream.hpp"

#include <string>

#include <gtest/gtest.h>
#include <asio/io_context.hpp>

namespace flotilla::gateway::h2 {
namespace {

const std::uint8_t* bytes(const std::string& s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

TEST(H2Stream, HoldsOneWindowAndReleasesWhatWasTaken) {
  asio::io_context io;
  Stream stream(io.get_executor());
  stream.reset(1);
  const std::string a(40, 'a');
  const std::string b(20, 'b');
  ASSERT_TRUE(stream.receive(bytes(a), a.size(), 64));
  ASSERT_TRUE(stream.receive(bytes(b), b.size(), 64));
  EXPECT_EQ(stream.held_size, 60u);
  EXPECT_EQ(stream.body_bytes, 60u);
  // More than the window: refused (the client broke flow control).
  EXPECT_FALSE(stream.receive(bytes(a), a.size(), 64));
  stream.release(40);
  EXPECT_EQ(std::string(stream.held.get(), stream.held_size), b);
  ASSERT_TRUE(stream.receive(bytes(a), a.size(), 64));
  EXPECT_EQ(std::string(stream.held.get(), stream.held_size), b + a);
  // Recycled for another stream id: nothing held, the buffer kept.
  const char* buffer = stream.held.get();
  stream.reset(3);
  EXPECT_EQ(stream.held_size, 0u);
  EXPECT_EQ(stream.body_bytes, 0u);
  EXPECT_EQ(stream.held.get(), buffer);
}

TEST(H2Stream, AbortMarksTheClientGone) {
  asio::io_context io;
  Stream stream(io.get_executor());
  stream.reset(5);
  EXPECT_FALSE(stream.client_gone());
  stream.abort();
  EXPECT_TRUE(stream.client_gone());
  stream.reset(7);
  EXPECT_FALSE(stream.client_gone());
}

}  // namespace
}  // namespace flotilla::gateway::h2
