// `flotilla check`: validate a configuration like `nginx -t`. Every error is printed as
// FILE:LINE:COL: message on stderr, all at once; exit 1 if there was any. A file passes only if
// `flotilla up` would run it, so features this build does not have yet are errors here too.
#include <fmt/core.h>

#include "app/check_warnings.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/supported_features.hpp"
#include "app/tls_check.hpp"
#include "config/feature_gate.hpp"
#include "config/loader.hpp"

namespace flotilla::app {

namespace {

// `--keys`: one full key pattern per line ("services.<name>.restart.policy"), then how many
// places in the parser declared the mappings read, as a comment line.
void print_keys(const config::KeyCatalogue& keys) {
  for (const std::string& key : keys.full_keys()) fmt::print("{}\n", key);
  fmt::print("# {} mappings declared at {} places in the parser\n", keys.keys.size(),
             keys.sites.size());
}

}  // namespace

int check_command(const CheckOptions& options) {
  const config::LoadResult result = config::load_file(options.config_path);
  for (const config::Diagnostic& error : result.errors) {
    fmt::print(stderr, "{}\n", config::format_diagnostic(error));
  }
  if (options.list_keys) {
    print_keys(result.keys);
    return result.ok() ? kExitOk : kExitFailure;
  }
  if (!result.ok()) return kExitFailure;
  const std::vector<config::Diagnostic> unsupported =
      config::unsupported_features(*result.spec, kSupportedFeatures);
  for (const config::Diagnostic& error : unsupported) {
    fmt::print(stderr, "{}\n", config::format_diagnostic(error));
  }
  if (!unsupported.empty()) return kExitFailure;
  // Certificates are judged too (as nginx -t loads them): errors fail, warnings only warn.
  const TlsCheck tls = check_tls_files(*result.spec, options.config_path);
  for (const std::string& line : tls.errors) fmt::print(stderr, "{}\n", line);
  for (const std::string& line : tls.warnings) fmt::print(stderr, "{}\n", line);
  if (!tls.errors.empty()) return kExitFailure;
  // What may still be wrong on this machine: warned about, never a failure.
  for (const config::Diagnostic& warning : check_warnings(*result.spec)) {
    fmt::print(stderr, "{}\n", config::format_diagnostic(warning));
  }
  fmt::print("configuration OK\n");
  return kExitOk;
}

}  // namespace flotilla::app
