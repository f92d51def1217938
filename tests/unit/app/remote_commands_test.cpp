// The remote CLI commands end to end in one process: command → admin::Client → unix socket →
// admin::Server → API routes → a scripted fake of the operations.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "../admin/admin_test_support.hpp"
#include "admin/api_routes.hpp"
#include "app/commands.hpp"

namespace flotilla::app {
namespace {

StatusOptions status_options(const RemoteOptions& remote) {
  StatusOptions options;
  options.remote = remote;
  return options;
}

using admin::AdminResponse;
using nlohmann::json;

class ScriptedOperations : public admin::Operations {
 public:
  std::vector<std::string> rollout_states{"running", "running", "succeeded"};
  std::size_t polls = 0;
  json last_rollout;
  std::vector<std::string> drained;
  bool reload_fails = false;
  json rollout_answer{{"service", "web"}, {"revision", 5}, {"state", "running"}};

  asio::awaitable<AdminResponse> status() override {
    co_return admin::json_response(
        200, json::parse(R"({"version": "9.9", "services": [{"name": "web", "revision": 2,
             "replicas": 1, "instances": [{"key": "web/0", "state": "running", "ready": true,
             "pid": 77}]}]})"));
  }
  // The CLI reads the status document; the slices of it are not used here.
  asio::awaitable<AdminResponse> services() override { co_return admin::json_response(200, {}); }
  asio::awaitable<AdminResponse> service(std::string) override {
    co_return admin::json_response(200, {});
  }
  asio::awaitable<AdminResponse> instances() override { co_return admin::json_response(200, {}); }
  asio::awaitable<AdminResponse> upstreams() override { co_return admin::json_response(200, {}); }
  asio::awaitable<AdminResponse> scale(std::string service, std::uint32_t replicas) override {
    if (service != "web") co_return admin::error_response(404, "no service '" + service + "'");
    co_return admin::json_response(200,
                                   {{"service", service}, {"replicas", replicas}, {"previous", 3}});
  }
  asio::awaitable<AdminResponse> rollout(std::string service,
                                         admin::RolloutChange change) override {
    last_rollout = {{"service", service}, {"env", change.env}};
    if (change.command) last_rollout["argv"] = change.command->argv;
    co_return admin::json_response(202, rollout_answer);
  }
  asio::awaitable<AdminResponse> rollout_status(std::string service) override {
    const std::string state = rollout_states[std::min(polls, rollout_states.size() - 1)];
    ++polls;
    co_return admin::json_response(
        200, {{"service", service},
              {"revision", 5},
              {"from_revision", 4},
              {"state", state},
              {"phase", "waiting for readiness"},
              {"desired", 2},
              {"updated", 1},
              {"ready", 0},
              {"message", state == "rolled_back" ? json("web/0 not ready within 2s") : json()}});
  }
  asio::awaitable<AdminResponse> rollback(std::string, std::optional<std::uint32_t>) override {
    co_return admin::json_response(202, rollout_answer);
  }
  asio::awaitable<AdminResponse> revisions(std::string service) override {
    co_return admin::json_response(
        200,
        {{"service", service}, {"current", 1}, {"revisions", json::array({{{"revision", 1}}})}});
  }
  asio::awaitable<AdminResponse> restart(std::string) override {
    co_return admin::json_response(202, rollout_answer);
  }
  asio::awaitable<AdminResponse> drain(std::string service, std::uint32_t index) override {
    drained.push_back(fmt::format("{}/{}", service, index));
    co_return admin::json_response(
        200, {{"instance", fmt::format("{}/{}", service, index)}, {"state", "draining"}});
  }
  asio::awaitable<AdminResponse> undrain(std::string service, std::uint32_t index) override {
    drained.push_back(fmt::format("-{}/{}", service, index));
    co_return admin::json_response(
        200, {{"instance", fmt::format("{}/{}", service, index)}, {"state", "undrained"}});
  }
  asio::awaitable<AdminResponse> stop_service(std::string service) override {
    co_return admin::json_response(
        200, {{"service", service}, {"state", "stopped"}, {"replicas", 3}, {"changed", true}});
  }
  asio::awaitable<AdminResponse> start_service(std::string service) override {
    co_return admin::json_response(
        200, {{"service", service}, {"state", "started"}, {"replicas", 3}, {"changed", true}});
  }
  asio::awaitable<AdminResponse> reload() override {
    if (reload_fails) {
      co_return admin::json_response(
          422, {{"error", "invalid configuration"},
                {"diagnostics", {"flotilla.yaml:3:5: unknown key 'replicaz'"}}});
    }
    co_return admin::json_response(200, {{"changed", {"routes"}}});
  }
  asio::awaitable<AdminResponse> logs(std::string, admin::LogsQuery query) override {
    co_return admin::json_response(200, {{"lines",
                                          {{{"instance", 0},
                                            {"time", "t1"},
                                            {"stream", "stdout"},
                                            {"line", query.since ? "since" : "all"}}}},
                                         {"cursor", "c"}});
  }
};

class RemoteCommands : public ::testing::Test {
 protected:
  RemoteCommands() {
    // The in-process server logs to stdout, which the tests capture: keep it quiet.
    spdlog::set_level(spdlog::level::off);
    admin::ServerOptions options;
    options.socket = dir_.path() / "flotilla.sock";
    server_ = std::make_unique<admin::testing::ServerThread>(
        std::move(options), [this](admin::Server& s) { add_api_routes(s.router(), operations_); });
    remote_.admin_url = (dir_.path() / "flotilla.sock").string();
  }

  // Runs `command` with stdout and stderr captured.
  template <class F>
  int capture(F command) {
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    const int code = command();
    out_ = ::testing::internal::GetCapturedStdout();
    err_ = ::testing::internal::GetCapturedStderr();
    return code;
  }

  ~RemoteCommands() override {
    server_.reset();
    spdlog::set_level(spdlog::level::info);
  }

  admin::testing::TempDir dir_;
  ScriptedOperations operations_;
  std::unique_ptr<admin::testing::ServerThread> server_;
  RemoteOptions remote_;
  std::string out_;
  std::string err_;
};

TEST_F(RemoteCommands, StatusPrintsTablesOrJson) {
  EXPECT_EQ(capture([&] { return status_command(status_options(remote_)); }), 0);
  EXPECT_NE(out_.find("flotilla 9.9"), std::string::npos) << out_;
  EXPECT_NE(out_.find("web/0     running  yes    77"), std::string::npos) << out_;
  remote_.json = true;
  EXPECT_EQ(capture([&] { return status_command(status_options(remote_)); }), 0);
  EXPECT_EQ(json::parse(out_)["version"], "9.9");
}

TEST_F(RemoteCommands, ScaleReportsEachServiceAndFailsOnErrors) {
  ScaleOptions options{remote_, {"web=5"}};
  EXPECT_EQ(capture([&] { return scale_command(options); }), 0);
  EXPECT_EQ(out_, "web: 3 → 5 replicas\n");
  options.assignments = {"api=2"};
  EXPECT_EQ(capture([&] { return scale_command(options); }), 1);
  EXPECT_EQ(err_, "flotilla scale: no service 'api'\n");
  options.assignments = {"web"};
  EXPECT_EQ(capture([&] { return scale_command(options); }), 2);
  EXPECT_EQ(err_, "flotilla scale: 'web': expected SERVICE=REPLICAS, e.g. web=5\n");
}

TEST_F(RemoteCommands, RolloutWaitsForSuccess) {
  RolloutOptions options;
  options.remote = remote_;
  options.service = "web";
  options.command = "./app --v2";
  options.env = {"MODE=fast"};
  EXPECT_EQ(capture([&] { return rollout_command(options); }), 0);
  EXPECT_EQ(operations_.last_rollout["argv"], (json{"./app", "--v2"}));
  EXPECT_EQ(operations_.last_rollout["env"], (json{{"MODE", "fast"}}));
  EXPECT_EQ(operations_.polls, 3u);
  // Not a terminal: plain progress lines (printed once while unchanged), then the outcome.
  EXPECT_EQ(out_,
            "web 4→5 updated 1/2 ready 0/2 · waiting for readiness\n"
            "web: rollout to revision 5 succeeded\n");
}

TEST_F(RemoteCommands, RolledBackRolloutExits1) {
  operations_.rollout_states = {"running", "rolled_back"};
  RestartOptions options{remote_, "web", false};
  EXPECT_EQ(capture([&] { return restart_command(options); }), 1);
  EXPECT_NE(out_.find("web: rollout to revision 5 rolled back to revision 4: web/0 not ready "
                      "within 2s\n"),
            std::string::npos)
      << out_;
}

// The 202 answer of a rollout that changed nothing is its outcome: no polling, so an earlier
// failed rollout's state (revision 5 rolled back here) is never reported as this one's.
TEST_F(RemoteCommands, NoChangeRolloutReportsThe202Answer) {
  operations_.rollout_states = {"rolled_back"};
  operations_.rollout_answer = {{"service", "web"},     {"revision", 4},
                                {"from_revision", 4},   {"state", "succeeded"},
                                {"phase", "no change"}, {"message", ""}};
  RollbackOptions rollback{remote_, "web", 2, false};
  EXPECT_EQ(capture([&] { return rollback_command(rollback); }), 0);
  EXPECT_EQ(out_, "web: no change (already revision 4)\n");
  operations_.rollout_answer["phase"] = "no new revision: scaled 1 → 4";
  RolloutOptions rollout;
  rollout.remote = remote_;
  rollout.service = "web";
  rollout.replicas = 4;
  EXPECT_EQ(capture([&] { return rollout_command(rollout); }), 0);
  EXPECT_EQ(out_, "web: no new revision: scaled 1 → 4 (revision 4)\n");
  EXPECT_EQ(operations_.polls, 0u);
}

// Following revision 6, the server answers about 5: a later rollout replaced it (5 here is
// stale), never an outcome to print as 6's.
TEST_F(RemoteCommands, AnswerAboutAnotherRevisionIsNotTheOutcome) {
  operations_.rollout_states = {"rolled_back"};
  operations_.rollout_answer = {{"service", "web"}, {"revision", 6}, {"state", "running"}};
  RestartOptions options{remote_, "web", false};
  EXPECT_EQ(capture([&] { return restart_command(options); }), 1);
  EXPECT_EQ(out_, "");
  EXPECT_NE(err_.find("the rollout of revision 6 was followed by another one (revision 5)"),
            std::string::npos)
      << err_;
  EXPECT_EQ(operations_.polls, 1u);
}

// A rollback that ended a running rollout: its rolling back is the success asked for.
TEST_F(RemoteCommands, RollbackOfARunningRolloutSucceedsWhenRolledBack) {
  operations_.rollout_states = {"running", "rolled_back"};
  operations_.rollout_answer = {{"service", "web"},
                                {"revision", 5},
                                {"from_revision", 4},
                                {"state", "running"},
                                {"rollback_requested", true}};
  RollbackOptions options{remote_, "web", std::nullopt, false};
  EXPECT_EQ(capture([&] { return rollback_command(options); }), 0);
  EXPECT_NE(out_.find("web: rollout to revision 5 rolled back to revision 4"), std::string::npos)
      << out_;
  // The rollout command itself, seeing the same end, failed.
  operations_.rollout_answer.erase("rollback_requested");
  operations_.polls = 0;
  EXPECT_EQ(capture([&] { return rollback_command(options); }), 1);
}

TEST_F(RemoteCommands, DetachReturnsAtOnce) {
  RollbackOptions options{remote_, "web", 1, true};
  EXPECT_EQ(capture([&] { return rollback_command(options); }), 0);
  EXPECT_EQ(out_, "web: rollout to revision 5 started (running)\n");
  EXPECT_EQ(operations_.polls, 0u);
}

TEST_F(RemoteCommands, RolloutRejectsBadEnvBeforeSending) {
  RolloutOptions options;
  options.remote = remote_;
  options.service = "web";
  options.env = {"NOEQUALS"};
  EXPECT_EQ(capture([&] { return rollout_command(options); }), 2);
  EXPECT_TRUE(operations_.last_rollout.is_null());
}

TEST_F(RemoteCommands, ReloadShowsDiagnosticsAndExits1) {
  EXPECT_EQ(capture([&] { return reload_command(remote_); }), 0);
  EXPECT_EQ(out_, "reloaded: changed routes\n");
  operations_.reload_fails = true;
  EXPECT_EQ(capture([&] { return reload_command(remote_); }), 1);
  EXPECT_EQ(err_,
            "flotilla reload: invalid configuration; nothing changed\n"
            "flotilla.yaml:3:5: unknown key 'replicaz'\n");
  remote_.json = true;
  EXPECT_EQ(capture([&] { return reload_command(remote_); }), 1);
  EXPECT_EQ(json::parse(out_)["diagnostics"].size(), 1u);
}

TEST_F(RemoteCommands, DrainParsesServiceSlashIndex) {
  DrainOptions options{remote_, "web/2", false};
  EXPECT_EQ(capture([&] { return drain_command(options); }), 0);
  EXPECT_EQ(out_, "web/2: draining\n");
  options.instance = "web";
  EXPECT_EQ(capture([&] { return drain_command(options); }), 2);
  EXPECT_EQ(operations_.drained, std::vector<std::string>{"web/2"});
}

TEST_F(RemoteCommands, HistoryAndLogs) {
  HistoryOptions history{remote_, "web"};
  EXPECT_EQ(capture([&] { return history_command(history); }), 0);
  EXPECT_NE(out_.find("*  1"), std::string::npos) << out_;
  LogsOptions logs;
  logs.remote = remote_;
  logs.service = "web";
  logs.since = "10m";
  EXPECT_EQ(capture([&] { return logs_command(logs); }), 0);
  EXPECT_EQ(out_, "t1 web/0 | since\n");
  logs.since = "ten minutes";
  EXPECT_EQ(capture([&] { return logs_command(logs); }), 2);
}

TEST_F(RemoteCommands, StoppedServerIsExit69) {
  server_.reset();
  EXPECT_EQ(capture([&] { return status_command(status_options(remote_)); }), 69);
  EXPECT_NE(err_.find("cannot reach flotilla at"), std::string::npos) << err_;
  EXPECT_NE(err_.find("is `flotilla up` running?"), std::string::npos) << err_;
}

}  // namespace
}  // namespace flotilla::app
