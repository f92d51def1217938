// The `flotilla` command line: parses arguments (CLI11 lives only in cli.cpp, it is slow to
// compile) and dispatches to one function per command. Commands never call exit() themselves.
#pragma once

namespace flotilla::app {

int run_cli(int argc, char** argv);

}  // namespace flotilla::app
