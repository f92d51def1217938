// Formats diagnostics the way compilers do so editors and CI annotate the right line.
#include "config/diagnostic.hpp"

#include <fmt/format.h>

namespace flotilla::config {

std::string format_diagnostic(const Diagnostic& diagnostic) {
  if (diagnostic.line <= 0) return fmt::format("{}: {}", diagnostic.file, diagnostic.message);
  if (diagnostic.column <= 0) {
    return fmt::format("{}:{}: {}", diagnostic.file, diagnostic.line, diagnostic.message);
  }
  return fmt::format("{}:{}:{}: {}", diagnostic.file, diagnostic.line, diagnostic.column,
                     diagnostic.message);
}

}  // namespace flotilla::config
