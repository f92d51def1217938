// The record `flotilla up` leaves for the CLI: its JSON both ways, where it lives, liveness.
#include "app/instance_record.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace flotilla::app {
namespace {

namespace fs = std::filesystem;

TEST(InstanceRecord, JsonRoundTripAndTheAddressToUse) {
  InstanceRecord record{42,
                        "/srv/flotilla.yaml",
                        "/srv/.flotilla",
                        "/srv/flotilla.sock",
                        "http://127.0.0.1:9090",
                        "2026-12-07T14:00:00Z"};
  const auto back = record_from_json(to_json(record));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pid, 42);
  EXPECT_EQ(back->config, "/srv/flotilla.yaml");
  EXPECT_EQ(back->admin_address(), "/srv/flotilla.sock");  // the socket allows changes
  record.admin_socket.clear();
  EXPECT_EQ(record_from_json(to_json(record))->admin_address(), "http://127.0.0.1:9090");
  record.admin_url.clear();
  EXPECT_FALSE(record_from_json(to_json(record)));  // nothing to reach it by
  EXPECT_FALSE(record_from_json(nlohmann::json::parse(R"({"pid": "x"})")));
  EXPECT_FALSE(record_from_json(nlohmann::json::array()));
}

TEST(InstanceRecord, WrittenReadAndRemovedOnlyWhileAlive) {
  const fs::path dir =
      fs::temp_directory_path() / ("flotilla-record-" + std::to_string(::getpid()));
  fs::create_directories(dir / "state");
  ::setenv("FLOTILLA_RUNTIME_DIR", (dir / "runtime").c_str(), 1);
  EXPECT_EQ(runtime_dir(), dir / "runtime");
  InstanceRecord me{static_cast<int>(::getpid()), "", (dir / "state").string(), "/x.sock", "", ""};
  write_instance_record(me);
  ASSERT_TRUE(read_live_record(dir / "state"));
  EXPECT_EQ(live_instances().size(), 1u);
  InstanceRecord dead = me;
  dead.pid = 0x3fffffff;  // no such process
  dead.state_dir.clear();
  write_instance_record(dead);
  EXPECT_EQ(live_instances().size(), 1u);  // the dead one is ignored and swept
  EXPECT_FALSE(fs::exists(dir / "runtime" / "instances" / "1073741823.json"));
  remove_instance_record(me);
  EXPECT_FALSE(read_live_record(dir / "state"));
  EXPECT_TRUE(live_instances().empty());
  ::unsetenv("FLOTILLA_RUNTIME_DIR");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace flotilla::app
