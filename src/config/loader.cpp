// Reads the file, parses YAML, runs the section parsers and the cross-checks, and hands back
// either a Spec or every diagnostic.
#include "config/loader.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "config/load_context.hpp"
#include "config/parse_sections.hpp"
#include "config/validate.hpp"
#include "config/yaml_document.hpp"

namespace flotilla::config {
namespace {

LoadResult failure(const std::string& file, SourcePos pos, std::string message) {
  return LoadResult{std::nullopt, {Diagnostic{file, pos.line, pos.column, std::move(message)}}, {}};
}

}  // namespace

LoadResult load_file(const std::filesystem::path& path, const EnvLookup& env) {
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return failure(name, {}, "cannot read the configuration: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return failure(name, {},
                   fmt::format("cannot read the configuration: {}", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return failure(name, {}, "cannot read the configuration: read error");
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec).lexically_normal();
  return load_string(text.str(), name, absolute.parent_path(), env);
}

LoadResult load_string(std::string_view yaml, const std::string& file_name,
                       const std::filesystem::path& base_dir, const EnvLookup& env) {
  const YamlDocument document = read_yaml_document(yaml);
  if (!document.ok()) return failure(file_name, document.error_pos, document.error);
  if (document.root.IsNull()) return failure(file_name, {}, "the configuration is empty");
  LoadContext ctx(file_name, base_dir, env);
  ctx.set_source(yaml);
  Spec spec = parse_spec(ctx, document.root);
  validate(spec, ctx);
  if (ctx.has_errors()) {
    return LoadResult{std::nullopt, ctx.take_diagnostics(), ctx.take_catalogue()};
  }
  spec.features = ctx.take_features();
  std::stable_sort(spec.features.begin(), spec.features.end(),
                   [](const FeatureUse& a, const FeatureUse& b) { return a.pos < b.pos; });
  return LoadResult{std::move(spec), {}, ctx.take_catalogue()};
}

}  // namespace flotilla::config
