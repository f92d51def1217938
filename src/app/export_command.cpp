// `flotilla export KIND [-o DIR]`: renders the spec with one exporter (export/exporter.hpp) to
// stdout or to DIR/<file>. Without -c and without ./flotilla.yaml, renders the built-in defaults.
// `systemd` writes several files: flotilla.service and one template unit per service.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/core.h>

#include "app/commands.hpp"
#include "app/embedded_demo.hpp"
#include "app/exit_codes.hpp"
#include "config/loader.hpp"
#include "export/exporter.hpp"

namespace flotilla::app {
namespace {

namespace fs = std::filesystem;

int write_files(const std::vector<exporters::ExportFile>& files, const std::string& output_dir) {
  if (output_dir.empty()) {
    for (const exporters::ExportFile& file : files) {
      if (files.size() > 1) fmt::print("# ---- {} ----\n", file.name);
      fmt::print("{}", file.text);
    }
    return kExitOk;
  }
  const fs::path dir(output_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    fmt::print(stderr, "flotilla export: cannot create {}: {}\n", dir.string(), ec.message());
    return kExitFailure;
  }
  for (const exporters::ExportFile& file : files) {
    const fs::path path = dir / file.name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file.text;
    out.close();
    if (!out) {
      fmt::print(stderr, "flotilla export: cannot write {}: {}\n", path.string(),
                 std::strerror(errno));
      return kExitFailure;
    }
    fmt::print(stderr, "wrote {}\n", path.string());
  }
  return kExitOk;
}

// flotilla.service runs this binary (or --binary) on the config's absolute path; the file need
// not exist yet (`make install` writes the unit for /etc/flotilla/flotilla.yaml).
int export_systemd(const ExportOptions& options) {
  config::Spec spec;
  std::error_code ec;
  const fs::path config = fs::absolute(options.config_path, ec).lexically_normal();
  if (fs::exists(config, ec)) {
    config::LoadResult loaded = config::load_file(options.config_path);
    for (const config::Diagnostic& error : loaded.errors) {
      fmt::print(stderr, "{}\n", config::format_diagnostic(error));
    }
    if (!loaded.ok()) return kExitFailure;
    spec = std::move(*loaded.spec);
  } else {
    spec.state_dir = config.parent_path() / ".flotilla";
  }
  exporters::SystemdTarget target;
  target.binary = options.binary.empty() ? self_executable() : options.binary;
  target.config = config.string();
  target.working_dir = config.parent_path().string();
  return write_files(exporters::render_systemd_units(spec, target), options.output_dir);
}

}  // namespace

int export_command(const ExportOptions& options) {
  if (options.kind == "systemd") return export_systemd(options);
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
