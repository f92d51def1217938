// What `flotilla check` can tell before anything starts but that is not an error (the machine
// may change before `up`): a command not found on PATH or not executable, a user or group that
// does not exist, a cwd that does not exist, an alert rule naming a metric flotilla never
// exports. Warnings never change check's exit status. Reads the file system and the user
// database; never starts anything.
#pragma once

#include <vector>

#include "config/diagnostic.hpp"
#include "config/spec.hpp"

namespace flotilla::app {

std::vector<config::Diagnostic> check_warnings(const config::Spec& spec);

}  // namespace flotilla::app
