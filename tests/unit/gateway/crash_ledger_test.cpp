// The control thread's ledger of requests broken on supervised instances: every report gets the
// verdict of its run — crashed or not, and how many requests broke on it — once the exit is
// known and the settle window passed; late reports get it at once, counted; the rule's counters
// per service follow decide()'s refusals (alone, or a suspect's second crash).
#include "gateway/crash_ledger.hpp"

#include <gtest/gtest.h>

#include <asio/io_context.hpp>

#include <map>
#include <thread>

namespace flotilla::gateway {
namespace {

const std::uint64_t kWeb0 = CrashLedger::endpoint_key("127.0.0.1:8001");
const std::uint64_t kWeb1 = CrashLedger::endpoint_key("127.0.0.1:8002");

struct Fixture {
  asio::io_context io;
  std::map<std::uint64_t, CrashAnswer> answers;  // by token
  std::vector<std::uint32_t> workers;
  CrashLedger ledger{io.get_executor(),
                     [this](std::uint32_t worker, std::uint64_t token, CrashAnswer answer) {
                       workers.push_back(worker);
                       answers[token] = answer;
                     }};
  void settle() {
    io.restart();
    io.run_for(CrashLedger::kSettle * 3);
  }
};

TEST(CrashLedger, EndpointKeys) {
  EXPECT_NE(kWeb0, 0u);
  EXPECT_NE(kWeb0, kWeb1);
  EXPECT_EQ(kWeb0, CrashLedger::endpoint_key(0x7f000001u, 8001));
  EXPECT_EQ(CrashLedger::endpoint_key(""), 0u);
  EXPECT_EQ(CrashLedger::endpoint_key("[::1]:80"), 0u);
  EXPECT_EQ(CrashLedger::endpoint_key("127.0.0.1:x"), 0u);
}

TEST(CrashLedger, OneRequestAloneInACrash) {
  Fixture f;
  f.ledger.report(kWeb0, 0, 1, false);
  EXPECT_TRUE(f.answers.empty());
  f.ledger.run_ended(kWeb0, "web", true);
  EXPECT_TRUE(f.answers.empty()) << "answered before the settle window";
  f.settle();
  ASSERT_EQ(f.answers.size(), 1u);
  EXPECT_TRUE(f.answers[1].crashed);
  EXPECT_EQ(f.answers[1].broken, 1u);
  EXPECT_EQ(f.ledger.counts().at("web").suspects, 1u);
  EXPECT_EQ(f.ledger.counts().at("web").refused, 1u);
}

TEST(CrashLedger, ReportsBeforeAndAfterTheExitAreCountedTogether) {
  Fixture f;
  f.ledger.report(kWeb0, 0, 1, false);
  f.ledger.run_ended(kWeb0, "web", true);
  f.ledger.report(kWeb0, 1, 2, false);  // another worker's read came after the reap
  f.ledger.report(kWeb1, 1, 3, false);  // another instance's: not counted here
  f.settle();
  ASSERT_EQ(f.answers.size(), 2u);
  EXPECT_EQ(f.answers[1].broken, 2u);
  EXPECT_EQ(f.answers[2].broken, 2u);
  EXPECT_EQ(f.workers, (std::vector<std::uint32_t>{0, 1}));
  // A late report is answered at once, counting everything before it.
  f.ledger.report(kWeb0, 0, 4, true);
  ASSERT_EQ(f.answers.count(4), 1u);
  EXPECT_EQ(f.answers[4].broken, 3u);
  // Three suspects; only the one in its second crash refused.
  EXPECT_EQ(f.ledger.counts().at("web").suspects, 3u);
  EXPECT_EQ(f.ledger.counts().at("web").refused, 1u);
}

TEST(CrashLedger, KilledFromOutsideIsAnsweredAtOnce) {
  Fixture f;
  f.ledger.report(kWeb0, 0, 1, false);
  f.ledger.run_ended(kWeb0, "web", false);
  ASSERT_EQ(f.answers.size(), 1u);
  EXPECT_FALSE(f.answers[1].crashed);
  f.ledger.report(kWeb0, 0, 2, false);
  EXPECT_FALSE(f.answers[2].crashed);
  EXPECT_TRUE(f.ledger.counts().empty());
}

TEST(CrashLedger, NoRunEndNoAnswer) {
  Fixture f;
  f.ledger.report(kWeb0, 0, 1, false);
  f.settle();
  EXPECT_TRUE(f.answers.empty());
}

TEST(CrashLedger, ClosedAnswersNothing) {
  Fixture f;
  f.ledger.report(kWeb0, 0, 1, false);
  f.ledger.run_ended(kWeb0, "web", true);
  f.ledger.close();
  f.settle();
  f.ledger.report(kWeb0, 0, 2, false);
  EXPECT_TRUE(f.answers.empty());
}

TEST(CrashLedger, AnOldCrashDoesNotJudgeTheNextRun) {
  Fixture f;
  f.ledger.run_ended(kWeb0, "web", true);
  f.settle();
  std::this_thread::sleep_for(CrashLedger::kMatch + std::chrono::milliseconds(50));
  // The restarted run on the same port: a broken request waits for its own run's end.
  f.ledger.report(kWeb0, 0, 1, false);
  EXPECT_TRUE(f.answers.empty());
  f.ledger.run_ended(kWeb0, "web", false);
  ASSERT_EQ(f.answers.size(), 1u);
  EXPECT_FALSE(f.answers[1].crashed);
}

}  // namespace
}  // namespace flotilla::gateway
