// ${VAR} expansion in config string values at load time, like Docker Compose. Takes the
// environment as a lookup so tests never touch the process environment.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config/parse_result.hpp"

namespace flotilla::config {

using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// Reads the real process environment (getenv).
EnvLookup process_environment();

// "${VAR}" → its value (unset is an error); "${VAR:-default}" → the value, or `default` when
// unset or empty (the default may itself contain ${...}); "$$" → "$".
// Kept verbatim for the supervisor to fill in per instance: $PORT, ${PORT}, $INSTANCE,
// ${INSTANCE} (with or without a default). Any other "$NAME" without braces is also kept, so a
// shell command's own variables still reach the shell.
ParseResult<std::string> expand_env(std::string_view text, const EnvLookup& env);

}  // namespace flotilla::config
