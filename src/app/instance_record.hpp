// The record of a running `flotilla up`, so the CLI finds it from any directory: written at
// start to <state_dir>/instance.json and to one file per instance in the user's runtime
// directory (`instances/<pid>.json`), removed at a clean stop; records whose pid is gone are
// ignored (and swept). Never decides which instance a command talks to: remote.cpp does.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace flotilla::app {

struct InstanceRecord {
  int pid = 0;
  std::string config;        // absolute path of the file it runs; "" for the embedded demo
  std::string state_dir;     // absolute
  std::string admin_socket;  // "" when it has none
  std::string admin_url;     // "http://127.0.0.1:9090" when it listens on TCP, else ""
  std::string started;       // RFC 3339, UTC

  // The address a command should use: the socket when there is one (changes need it).
  std::string admin_address() const { return admin_socket.empty() ? admin_url : admin_socket; }
};

nlohmann::json to_json(const InstanceRecord& record);
// nullopt for anything that is not a record of this shape.
std::optional<InstanceRecord> record_from_json(const nlohmann::json& value);

// $FLOTILLA_RUNTIME_DIR, else $XDG_RUNTIME_DIR/flotilla, else ~/.local/state/flotilla, else
// /tmp/flotilla-<uid>: where records of every running instance of this user are.
std::filesystem::path runtime_dir();

// Writes both records (best effort: a failure is logged, never fatal); remove_instance_record
// deletes what write_instance_record wrote.
void write_instance_record(const InstanceRecord& record);
void remove_instance_record(const InstanceRecord& record);

// The record in `state_dir`, if its process is alive.
std::optional<InstanceRecord> read_live_record(const std::filesystem::path& state_dir);
// Every live instance recorded in runtime_dir(), oldest first; stale files are removed.
std::vector<InstanceRecord> live_instances();

}  // namespace flotilla::app
