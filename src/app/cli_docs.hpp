// Documents generated from the CLI's own definition (the CLI11 tree cli.cpp builds), so they
// never drift from `--help`: the man page (`flotilla man`) and shell completions
// (`flotilla completion bash|zsh`). Text only; installing them is the Makefile's job.
#pragma once

#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace flotilla::app {

// flotilla(1) in man(7) roff: every command with its arguments and options, the environment,
// exit statuses and files.
std::string render_man_page(const CLI::App& app);

// A completion script for `shell` ("bash" or "zsh"); empty for another shell.
std::string render_completion(const CLI::App& app, std::string_view shell);

}  // namespace flotilla::app
