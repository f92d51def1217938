// The honest answer of a command whose feature has not been built yet.
#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"

namespace flotilla::app {

int not_yet_available(std::string_view command, std::string_view arrives_with) {
  fmt::print(stderr, "flotilla {}: not yet available in this build ({})\n", command, arrives_with);
  return kExitUnavailable;
}

}  // namespace flotilla::app
