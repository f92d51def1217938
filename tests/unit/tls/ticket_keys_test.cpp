#include "tls/ticket_keys.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "tls_test_support.hpp"

namespace flotilla::tls {
namespace {

using namespace testing;

TEST(TicketKeys, NextKeepsThePreviousCurrentKeyForDecryptionOnly) {
  const auto first = TicketKeys::next(nullptr);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->previous());
  const auto second = TicketKeys::next(first.get());
  ASSERT_TRUE(second);
  ASSERT_TRUE(second->previous());
  EXPECT_EQ(second->previous()->name, first->current().name);
  EXPECT_EQ(second->previous()->aes, first->current().aes);
  EXPECT_NE(second->current().name, first->current().name);
  EXPECT_NE(second->current().aes, first->current().aes);
  EXPECT_NE(second->current().hmac, first->current().hmac);
  const auto third = TicketKeys::next(second.get());
  EXPECT_EQ(third->previous()->name, second->current().name);
}

TEST(TicketKeys, InstalledPerThread) {
  const auto keys = TicketKeys::next(nullptr);
  install_thread_ticket_keys(keys);
  EXPECT_EQ(thread_ticket_keys(), keys.get());
  const TicketKeys* seen_elsewhere = keys.get();
  std::thread([&] { seen_elsewhere = thread_ticket_keys(); }).join();
  EXPECT_EQ(seen_elsewhere, nullptr);
  install_thread_ticket_keys(nullptr);
  EXPECT_EQ(thread_ticket_keys(), nullptr);
}

class TicketRotation : public ::testing::TestWithParam<config::TlsProtocol> {
 protected:
  void TearDown() override { install_thread_ticket_keys(nullptr); }
};

INSTANTIATE_TEST_SUITE_P(Versions, TicketRotation,
                         ::testing::Values(config::TlsProtocol::tls1_2,
                                           config::TlsProtocol::tls1_3),
                         [](const auto& info) {
                           return info.param == config::TlsProtocol::tls1_3 ? "TLS13" : "TLS12";
                         });

// A ticket made under key A resumes while A is the previous key (one rotation) and not once A
// has left the set (two rotations).
TEST_P(TicketRotation, ATicketSurvivesOneRotationNotTwo) {
  config::Tls tls = server_settings({entry(pki().ecdsa)});
  tls.session_cache = 0;  // only tickets can resume
  const auto server = build_server(tls);
  config::UpstreamTls client_tls = client_settings();
  client_tls.protocols = {GetParam()};
  const auto client = build_client(client_tls);
  ASSERT_TRUE(server && client);

  // Three sessions under the first key: TLS 1.3 clients use a ticket once (RFC 8446 C.4).
  const auto first = TicketKeys::next(nullptr);
  install_thread_ticket_keys(first);
  std::vector<SessionPtr> sessions;
  for (int i = 0; i < 3; ++i) {
    auto pair = connect(*server, *client, "example.com");
    ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
    sessions.push_back(take_session(*pair));
    ASSERT_TRUE(sessions.back());
  }
  const auto resumes = [&](SSL_SESSION* session) {
    auto pair = connect(*server, *client, "example.com", session);
    EXPECT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
    return pair->server->resumed();
  };
  EXPECT_TRUE(resumes(sessions[0].get()));  // same key

  const auto second = TicketKeys::next(first.get());
  install_thread_ticket_keys(second);
  EXPECT_TRUE(resumes(sessions[1].get()));  // the first key is now the previous one

  install_thread_ticket_keys(TicketKeys::next(second.get()));
  EXPECT_FALSE(resumes(sessions[2].get()));  // the first key is gone
}

}  // namespace
}  // namespace flotilla::tls
