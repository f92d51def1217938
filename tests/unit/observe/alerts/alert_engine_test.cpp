// The engine on a real io_context: rules evaluated on a timer from a scrape callback, states
// visible through alerts()/rules(), and alerts delivered to a real Alertmanager
// (/usr/bin/prometheus-alertmanager, Debian package prometheus-alertmanager) run by the test.
#include "observe/alerts/alert_engine.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "alert_test_support.hpp"
#include "client/exchange.hpp"
#include "observe/alerts/alertmanager_client.hpp"

namespace flotilla::observe {
namespace {

using namespace std::chrono_literals;
using testing::sample;
using testing::view;

config::Spec spec_with_rule(std::string expr, config::Duration for_duration = 0ms) {
  config::Spec spec;
  spec.alerts.defaults = false;
  spec.alerts.evaluation_interval = 50ms;
  config::AlertRule rule;
  rule.name = "TestAlert";
  rule.expr = std::move(expr);
  rule.for_duration = for_duration;
  rule.labels["severity"] = "page";
  rule.annotations["summary"] = "x is {{ $value }} on {{ $labels.instance }}";
  spec.alerts.rules.push_back(rule);
  return spec;
}

// Runs `io` in small steps until `done()` or 10 s pass; returns done().
template <class Done>
bool run_until(asio::io_context& io, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(20ms);
  }
  return done();
}

AlertState state_of(const AlertEngine& engine) {
  const std::vector<RuleStatus> rules = engine.rules();
  return rules.empty() ? AlertState::inactive : rules[0].state;
}

TEST(AlertEngine, EvaluatesOnATimerFromTheScrape) {
  asio::io_context io;
  std::atomic<double> x = 2;
  AlertEngine engine(io, spec_with_rule("x > 1", 150ms), [&] {
    return view({sample("x", {{"instance", "web/1"}}, x)});
  });
  engine.start();
  ASSERT_TRUE(run_until(io, [&] { return state_of(engine) == AlertState::pending; }));
  ASSERT_TRUE(run_until(io, [&] { return state_of(engine) == AlertState::firing; }));
  std::vector<AlertStatus> alerts = engine.alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].name, "TestAlert");
  EXPECT_EQ(alerts[0].value, 2);
  EXPECT_EQ(alerts[0].annotations, (Labels{{"summary", "x is 2 on web/1"}}));
  ASSERT_TRUE(alerts[0].fired_at);
  EXPECT_GE(*alerts[0].fired_at - alerts[0].active_since, 150ms);
  x = 0;
  ASSERT_TRUE(run_until(io, [&] {
    const auto now = engine.alerts();
    return now.size() == 1 && now[0].state == AlertState::inactive;
  }));
  EXPECT_TRUE(engine.alerts()[0].resolved_at);
  const std::uint64_t evaluations = engine.evaluations();
  engine.stop();
  io.restart();
  io.run_for(200ms);
  EXPECT_LE(engine.evaluations(), evaluations + 1);
}

TEST(AlertmanagerClient, RefusesWhatItCannotReach) {
  asio::io_context io;
  EXPECT_THROW(AlertmanagerClient(io.get_executor(), "alertmanager:9093"), std::invalid_argument);
  try {
    AlertmanagerClient client(io.get_executor(), "https://alertmanager:9093");
    FAIL() << "https accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("https is not supported yet"), std::string::npos)
        << e.what();
  }
}

TEST(AlertEngine, RefusesAnUnparsableRule) {
  asio::io_context io;
  EXPECT_THROW(AlertEngine(io, spec_with_rule("rate(x) > 1"), [] { return MetricsView{}; }),
               std::invalid_argument);
}

TEST(AlertmanagerPayload, HasTheV2Shape) {
  ActiveAlert firing;
  firing.labels = {{"alertname", "A"}, {"severity", "page"}};
  firing.annotations = {{"summary", "s"}};
  firing.state = AlertState::firing;
  firing.active_at_ms = 1'700'000'000'000;
  ActiveAlert resolved = firing;
  resolved.state = AlertState::inactive;
  resolved.resolved_at_ms = 1'700'000'060'000;
  const auto json = nlohmann::json::parse(
      alertmanager_payload({firing, resolved}, 1'700'000'030'000, 60'000, "http://x/"));
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["labels"]["alertname"], "A");
  EXPECT_EQ(json[0]["annotations"]["summary"], "s");
  EXPECT_EQ(json[0]["startsAt"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(json[0]["endsAt"], "2023-11-14T22:14:50.000Z");  // now + valid_for
  EXPECT_EQ(json[1]["endsAt"], "2023-11-14T22:14:20.000Z");  // the resolution time
  EXPECT_EQ(json[0]["generatorURL"], "http://x/");
}

// A free loopback port below 32768 (the project's rule for fixed ports in tests).
int free_port() {
  std::mt19937 random(static_cast<unsigned>(getpid()) ^ static_cast<unsigned>(time(nullptr)));
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port = 20000 + static_cast<int>(random() % 12000);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (free) return port;
  }
  return 0;
}

class Alertmanager {
 public:
  static constexpr const char* kBinary = "/usr/bin/prometheus-alertmanager";

  bool start() {
    dir_ = std::filesystem::temp_directory_path() /
           ("flotilla-am-" + std::to_string(getpid()) + "-" + std::to_string(free_port()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "alertmanager.yml")
        << "route:\n  receiver: sink\n  group_wait: 0s\nreceivers:\n  - name: sink\n";
    port_ = free_port();
    const std::string config = "--config.file=" + (dir_ / "alertmanager.yml").string();
    const std::string storage = "--storage.path=" + (dir_ / "data").string();
    const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
    pid_ = fork();
    if (pid_ == 0) {
      const int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
      execl(kBinary, kBinary, config.c_str(), storage.c_str(), listen.c_str(),
            "--cluster.listen-address=", static_cast<char*>(nullptr));
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (get("/-/ready").status == 200) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  ~Alertmanager() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  client::Response get(const std::string& path) const {
    client::Request request;
    request.target = path;
    client::Options options;
    options.timeout = 2s;
    client::Result result = client::exchange_blocking(
        client::Endpoint::tcp("127.0.0.1", static_cast<std::uint16_t>(port_)), request, options);
    return std::move(result.response);
  }

  // The alerts Alertmanager holds as active, by alertname.
  std::vector<nlohmann::json> active(const std::string& alertname) const {
    const client::Response reply = get("/api/v2/alerts");
    std::vector<nlohmann::json> out;
    if (reply.status != 200) return out;
    for (const auto& alert : nlohmann::json::parse(reply.body, nullptr, false)) {
      if (alert["labels"].value("alertname", "") == alertname &&
          alert["status"].value("state", "") == "active") {
        out.push_back(alert);
      }
    }
    return out;
  }

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST(AlertEngineWithAlertmanager, DeliversFiringThenResolved) {
  if (access(Alertmanager::kBinary, X_OK) != 0) {
    GTEST_SKIP() << Alertmanager::kBinary << " missing: run scripts/install-deps.sh";
  }
  Alertmanager alertmanager;
  ASSERT_TRUE(alertmanager.start()) << "alertmanager did not become ready";
  config::Spec spec = spec_with_rule("x > 1");
  spec.alertmanager = config::Alertmanager{alertmanager.url()};
  // Long enough that a firing alert stays active in Alertmanager (endsAt = 4 intervals ahead)
  // while the test looks, so its disappearance below comes from the resolved notification.
  spec.alerts.evaluation_interval = 3s;
  asio::io_context io;
  std::atomic<double> x = 5;
  AlertEngine engine(io, spec, [&] { return view({sample("x", {{"instance", "web/1"}}, x)}); });
  engine.start();
  ASSERT_TRUE(run_until(io, [&] { return engine.alertmanager_batches_sent() >= 1; }));
  std::vector<nlohmann::json> active = alertmanager.active("TestAlert");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0]["labels"]["instance"], "web/1");
  EXPECT_EQ(active[0]["labels"]["severity"], "page");
  EXPECT_EQ(active[0]["annotations"]["summary"], "x is 5 on web/1");
  EXPECT_EQ(active[0]["generatorURL"], "http://127.0.0.1:9090/api/v1/alerts");

  x = 0;  // resolved at the next evaluation (3 s), long before the 12 s endsAt would pass
  ASSERT_TRUE(run_until(io, [&] { return engine.alertmanager_batches_sent() >= 2; }));
  EXPECT_EQ(engine.alerts().at(0).state, AlertState::inactive);
  EXPECT_TRUE(alertmanager.active("TestAlert").empty());
  engine.stop();
}

}  // namespace
}  // namespace flotilla::observe
