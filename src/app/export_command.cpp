// `flotilla export KIND [-o DIR]`: renders the spec with one exporter (export/exporter.hpp) to
// stdout or to DIR/<file>. Without -c and without ./flotilla.yaml, renders the built-in defaults.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "config/loader.hpp"
#include "export/exporter.hpp"

namespace flotilla::app {

int export_command(const ExportOptions& options) {
  const std::optional<exporters::Exporter> exporter = exporters::find_exporter(options.kind);
  if (!exporter) {
    return not_yet_available("export " + options.kind, "arrives with the exporters");
  }
  config::Spec spec;
  std::error_code ec;
  if (options.config_given || std::filesystem::exists(options.config_path, ec)) {
    config::LoadResult loaded = config::load_file(options.config_path);
    for (const config::Diagnostic& error : loaded.errors) {
      fmt::print(stderr, "{}\n", config::format_diagnostic(error));
    }
    if (!loaded.ok()) return kExitFailure;
    spec = std::move(*loaded.spec);
  }
  const std::string text = exporter->render(spec);
  if (options.output_dir.empty()) {
    fmt::print("{}", text);
    return kExitOk;
  }
  const std::filesystem::path dir(options.output_dir);
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    fmt::print(stderr, "flotilla export: cannot create {}: {}\n", dir.string(), ec.message());
    return kExitFailure;
  }
  const std::filesystem::path file = dir / exporter->file_name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    fmt::print(stderr, "flotilla export: cannot write {}: {}\n", file.string(),
               std::strerror(errno));
    return kExitFailure;
  }
  fmt::print(stderr, "wrote {}\n", file.string());
  return kExitOk;
}

}  // namespace flotilla::app
