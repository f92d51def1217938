// One configuration error with its place in the file, and how it is shown to a user.
// Never decides what is an error: the loader and the feature gate do.
#pragma once

#include <string>

namespace flotilla::config {

// line and column are 1-based like gcc's; 0 means "no position" (e.g. the file cannot be read).
struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
};

// "file:line:col: message", or "file: message" when the diagnostic has no position.
std::string format_diagnostic(const Diagnostic& diagnostic);

}  // namespace flotilla::config
