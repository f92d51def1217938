// Splits a command string into argv the way a POSIX shell splits words (quotes and
// backslashes), without running a shell: no globbing, no variables, no pipes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/parse_result.hpp"

namespace flotilla::config {

// "python3 -m uvicorn 'app:app' --port $PORT" → {python3, -m, uvicorn, app:app, --port, $PORT}.
// Unquoted shell operators (| & ; < > ( ) `) are an error that suggests `shell: true`, since
// without a shell they would silently become plain arguments.
ParseResult<std::vector<std::string>> split_command_line(std::string_view text);

}  // namespace flotilla::config
