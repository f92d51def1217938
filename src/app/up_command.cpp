// `flotilla up`: load the config (or, with none given and no ./flotilla.yaml, the embedded demo),
// refuse features this build does not have yet, then hand the Spec to the runtime.
#include <filesystem>

#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/embedded_demo.hpp"
#include "app/exit_codes.hpp"
#include "app/log_setup.hpp"
#include "app/runtime.hpp"
#include "app/supported_features.hpp"
#include "config/feature_gate.hpp"
#include "config/loader.hpp"

namespace flotilla::app {
namespace {

int print_errors(const std::vector<config::Diagnostic>& errors) {
  for (const config::Diagnostic& error : errors) {
    fmt::print(stderr, "{}\n", config::format_diagnostic(error));
  }
  return errors.empty() ? kExitOk : kExitFailure;
}

}  // namespace

int up_command(const UpOptions& options) {
  const bool embedded = !options.config_given && !std::filesystem::exists(options.config_path);
  config::LoadResult result =
      embedded ? config::load_string(embedded_demo_config(self_executable()), "<embedded demo>",
                                     std::filesystem::current_path(), config::process_environment())
               : config::load_file(options.config_path);
  if (print_errors(result.errors) != kExitOk || !result.ok()) return kExitFailure;
  if (print_errors(config::unsupported_features(*result.spec, kSupportedFeatures)) != kExitOk) {
    return kExitFailure;
  }
  apply_log_config(result.spec->log);
  RuntimeOptions runtime_options;
  runtime_options.embedded_demo = embedded;
  if (!embedded) runtime_options.config_path = std::filesystem::absolute(options.config_path);
  Runtime runtime(std::make_shared<const config::Spec>(std::move(*result.spec)),
                  std::move(runtime_options));
  return runtime.run();
}

}  // namespace flotilla::app
