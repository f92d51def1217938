// A service's revision history: the last kKept revisions and which one runs, kept in memory by
// the supervisor and persisted to <state_dir>/revisions/<service>.json with an atomic write
// (temp file + fsync + rename + fsync of the directory), so it survives a flotilla restart and a
// crash mid-write never leaves a torn file. Never touches processes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "supervisor/revision.hpp"

namespace flotilla::supervisor {

struct History {
  std::string service;
  std::uint32_t current = 0;        // the revision whose spec the service runs now (0: none yet)
  std::vector<Revision> revisions;  // newest first
};

inline constexpr std::size_t kRevisionsKept = 10;

// Appends a revision numbered one above the highest so far, newest first, and drops the oldest
// beyond kRevisionsKept (never the current one). Does not change `current`.
Revision& add_revision(History& history, config::Service spec, std::string cause);
const Revision* find_revision(const History& history, std::uint32_t number);
Revision* find_revision(History& history, std::uint32_t number);

class RevisionStore {
 public:
  explicit RevisionStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // The stored history of `service`; empty (current 0) when there is no file, or when it cannot
  // be read or parsed (logged: history is lost, the service still runs).
  History load(const std::string& service) const;
  // Atomic replace of the service's file; false (logged) when it could not be written.
  bool save(const History& history) const;

  std::filesystem::path file_of(const std::string& service) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace flotilla::supervisor
