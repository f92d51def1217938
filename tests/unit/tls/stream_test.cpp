#include "tls/stream.hpp"

#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "tls/ticket_keys.hpp"
#include "tls_test_support.hpp"

namespace flotilla::tls {
namespace {

using namespace testing;

// Two Streams over a real loopback TCP connection, on one io_context.
struct StreamPair {
  asio::io_context context;
  std::unique_ptr<Stream> server;
  std::unique_ptr<Stream> client;

  StreamPair() {
    asio::basic_socket_acceptor<asio::ip::tcp, net::Executor> acceptor(
        context.get_executor(), {asio::ip::make_address("127.0.0.1"), 0});
    net::Socket client_socket(context.get_executor());
    client_socket.connect(acceptor.local_endpoint());
    net::Socket server_socket = acceptor.accept();
    server = std::make_unique<Stream>(std::move(server_socket));
    client = std::make_unique<Stream>(std::move(client_socket));
  }

  // Runs `task` to its end (bounded: the context stops after 5 s).
  template <typename Task>
  void run(Task task) {
    asio::co_spawn(context, std::move(task), asio::detached);
    context.run_for(std::chrono::seconds(5));
    context.restart();
  }
};

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override { install_thread_ticket_keys(TicketKeys::next(nullptr)); }
  void TearDown() override { install_thread_ticket_keys(nullptr); }

  void secure(StreamPair& pair) {
    server_ = build_server(server_settings({entry(pki().ecdsa)}));
    client_ = build_client(client_settings());
    ASSERT_TRUE(server_ && client_);
    ASSERT_FALSE(pair.server->start_server(*server_));
    ASSERT_FALSE(pair.client->start_client(*client_, "www.example.com", nullptr));
    std::error_code server_error = asio::error::would_block;
    std::error_code client_error = asio::error::would_block;
    asio::co_spawn(
        pair.context,
        [&]() -> net::Awaitable<void> { server_error = co_await pair.server->handshake(); },
        asio::detached);
    pair.run([&]() -> net::Awaitable<void> { client_error = co_await pair.client->handshake(); });
    ASSERT_FALSE(server_error) << server_error.message();
    ASSERT_FALSE(client_error) << client_error.message();
    ASSERT_TRUE(pair.server->secure());
    EXPECT_EQ(pair.server->tls()->sni(), "www.example.com");
  }

  std::shared_ptr<const ServerContext> server_;
  std::shared_ptr<const ClientContext> client_;
};

// Reads until `size` bytes came (or an error).
net::Awaitable<std::string> read_bytes(Stream& stream, std::size_t size) {
  std::string out;
  char buffer[4096];
  while (out.size() < size) {
    auto [error, n] = co_await stream.read_some(asio::buffer(buffer));
    if (error) break;
    out.append(buffer, n);
  }
  co_return out;
}

TEST_F(StreamTest, PlainStreamIsNotSecure) {
  StreamPair pair;
  EXPECT_FALSE(pair.server->secure());
  EXPECT_EQ(pair.server->tls(), nullptr);
  EXPECT_FALSE(pair.server->has_buffered());
  std::string got;
  asio::co_spawn(
      pair.context, [&]() -> net::Awaitable<void> { got = co_await read_bytes(*pair.server, 5); },
      asio::detached);
  pair.run([&]() -> net::Awaitable<void> {
    auto [error, n] = co_await pair.client->write(asio::buffer(std::string_view("hello")));
    EXPECT_FALSE(error);
    EXPECT_EQ(n, 5u);
  });
  EXPECT_EQ(got, "hello");
}

// A gather list of small and large pieces arrives whole and in order over TLS (small pieces are
// gathered into records, a piece of a whole record or more goes as it is).
TEST_F(StreamTest, GatherWriteArrivesInOrder) {
  StreamPair pair;
  secure(pair);
  const std::string small(10, 'a');
  const std::string large(40000, 'b');
  const std::string tail = "tail";
  std::string expected = small + large + tail + small;
  std::string got;
  asio::co_spawn(
      pair.context,
      [&]() -> net::Awaitable<void> { got = co_await read_bytes(*pair.server, expected.size()); },
      asio::detached);
  pair.run([&]() -> net::Awaitable<void> {
    const asio::const_buffer pieces[] = {asio::buffer(small), asio::buffer(large),
                                         asio::buffer(tail), asio::buffer(small)};
    auto [error, n] = co_await pair.client->write(pieces);
    EXPECT_FALSE(error) << error.message();
    EXPECT_EQ(n, expected.size());
  });
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected);
}

// Bytes the TLS layer already took from the socket wake no readiness wait: has_buffered() says
// they are there, and read_now() hands them out without the socket.
TEST_F(StreamTest, BufferedBytesAreVisibleBeforeParking) {
  StreamPair pair;
  secure(pair);
  pair.run([&]() -> net::Awaitable<void> {
    auto [error, n] = co_await pair.client->write(asio::buffer(std::string_view("0123456789")));
    EXPECT_FALSE(error);
  });
  char one = 0;
  std::error_code error;
  std::size_t n = 0;
  for (int tries = 0; tries < 200 && n == 0; ++tries) {  // the record may still be in flight
    n = pair.server->read_now(asio::buffer(&one, 1), error);
    if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(n, 1u) << error.message();
  EXPECT_EQ(one, '0');
  EXPECT_TRUE(pair.server->has_buffered());
  char rest[16];
  n = pair.server->read_now(asio::buffer(rest), error);
  EXPECT_EQ(std::string_view(rest, n), "123456789");
  EXPECT_FALSE(pair.server->has_buffered());
  n = pair.server->read_now(asio::buffer(rest), error);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(error, asio::error::would_block);
}

TEST_F(StreamTest, PeerClosedAfterTheClientLeaves) {
  StreamPair pair;
  secure(pair);
  EXPECT_FALSE(pair.server->peer_closed());
  pair.client->close();  // close_notify, then FIN
  bool closed = false;
  for (int tries = 0; tries < 200 && !closed; ++tries) {
    // The close_notify record is data on the socket: read it, then the FIN shows.
    char byte;
    std::error_code error;
    pair.server->read_now(asio::buffer(&byte, 1), error);
    closed = pair.server->peer_closed();
    if (!closed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(closed);
}

// The clear-text fast path: a write that fits the socket buffer goes out at once, without
// an Asio operation; a socket in blocking mode is never written (it could block the worker).
TEST_F(StreamTest, WriteNowSendsEverythingThatFits) {
  StreamPair pair;
  const std::array<asio::const_buffer, 3> pieces{
      asio::buffer("HTTP/1.1 ", 9), asio::buffer("200 OK\r\n", 8), asio::buffer("\r\nok", 4)};
  std::error_code error;
  EXPECT_EQ(pair.server->write_now(pieces, error), 0u);  // blocking mode: not touched
  EXPECT_EQ(error, asio::error::would_block);
  pair.server->socket().non_blocking(true);
  EXPECT_EQ(pair.server->write_now(pieces, error), 21u);
  EXPECT_FALSE(error);
  std::string received;
  pair.run([&]() -> net::Awaitable<void> { received = co_await read_bytes(*pair.client, 21); });
  EXPECT_EQ(received, "HTTP/1.1 200 OK\r\n\r\nok");
}

// What write_now left (here: the socket buffer filled up) goes with write_rest, in order and
// whole, and the result counts every byte.
TEST_F(StreamTest, WriteRestSendsWhatWriteNowLeft) {
  StreamPair pair;
  pair.server->socket().non_blocking(true);
  pair.server->socket().set_option(asio::socket_base::send_buffer_size(4096));
  std::string big(2 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  // Twenty pieces: more than write_rest takes in one go.
  std::vector<asio::const_buffer> pieces;
  const std::size_t piece = big.size() / 20;
  for (std::size_t at = 0; at < big.size(); at += piece) {
    pieces.push_back(asio::buffer(big.data() + at, std::min(piece, big.size() - at)));
  }
  std::error_code error;
  const std::size_t now = pair.server->write_now(pieces, error);
  ASSERT_FALSE(error);
  ASSERT_LT(now, big.size());  // the peer reads nothing yet: the buffers fill
  IoResult result;
  std::string received;
  asio::co_spawn(
      pair.context,
      [&]() -> net::Awaitable<void> { result = co_await pair.server->write_rest(pieces, now); },
      asio::detached);
  pair.run(
      [&]() -> net::Awaitable<void> { received = co_await read_bytes(*pair.client, big.size()); });
  EXPECT_FALSE(std::get<0>(result));
  EXPECT_EQ(std::get<1>(result), big.size());
  EXPECT_TRUE(received == big);
}

// Over TLS the fast path writes nothing: the caller goes on with write() (records, encryption).
TEST_F(StreamTest, WriteNowLeavesTlsToWrite) {
  StreamPair pair;
  secure(pair);
  const std::array<asio::const_buffer, 1> pieces{asio::buffer("hello", 5)};
  std::error_code error;
  EXPECT_EQ(pair.server->write_now(pieces, error), 0u);
  EXPECT_EQ(error, asio::error::would_block);
  IoResult result;
  std::string received;
  asio::co_spawn(
      pair.context,
      [&]() -> net::Awaitable<void> { result = co_await pair.server->write_rest(pieces, 0); },
      asio::detached);
  pair.run([&]() -> net::Awaitable<void> { received = co_await read_bytes(*pair.client, 5); });
  EXPECT_EQ(std::get<1>(result), 5u);
  EXPECT_EQ(received, "hello");
}

}  // namespace
}  // namespace flotilla::tls
