#include "app/check_warnings.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <type_traits>
#include <variant>

#include <fmt/format.h>

#include "observe/metric_names.hpp"
#include "promql/parse_alert_expr.hpp"

namespace flotilla::app {
namespace {

namespace fs = std::filesystem;

bool all_digits(const std::string& text) {
  unsigned long value = 0;
  const char* end = text.data() + text.size();
  return !text.empty() && std::from_chars(text.data(), end, value).ptr == end;
}

// The PATH an instance sees: the service's own env, else flotilla's.
std::string instance_path(const config::Service& service) {
  const auto it = service.env.find("PATH");
  if (it != service.env.end()) return it->second;
  const char* path = std::getenv("PATH");
  return path ? path : "/usr/local/bin:/usr/bin:/bin";
}

// Why `program` would not exec, or "" when it would (as far as one can tell now).
std::string command_problem(const std::string& program, const config::Service& service) {
  if (program.empty() || program.find('$') != std::string::npos) return "";
  auto judge = [](const fs::path& file) -> std::string {
    std::error_code ec;
    if (!fs::exists(file, ec)) return "";
    if (fs::is_directory(file, ec)) return fmt::format("{} is a directory", file.string());
    if (::access(file.c_str(), X_OK) != 0) {
      return fmt::format("{} is not executable", file.string());
    }
    return "ok";
  };
  if (program.find('/') != std::string::npos) {
    const fs::path file =
        fs::path(program).is_absolute() ? fs::path(program) : service.cwd / program;
    const std::string found = judge(file);
    if (found == "ok") return "";
    return found.empty() ? fmt::format("{} does not exist", file.string()) : found;
  }
  const std::string path = instance_path(service);
  std::string first_problem;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t colon = path.find(':', start);
    const std::string dir =
        path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    const std::string found = judge(fs::path(dir.empty() ? "." : dir) / program);
    if (found == "ok") return "";
    if (!found.empty() && first_problem.empty()) first_problem = found;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return first_problem.empty() ? fmt::format("`{}` is not found on PATH ({})", program, path)
                               : first_problem;
}

// The first word of a shell command, when it is plainly a program name.
std::string shell_program(const std::string& text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  const std::size_t end = text.find_first_of(" \t;&|<>()", begin);
  std::string word = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  static const std::set<std::string> kBuiltins{
      "exec", "cd", "export", "set",   "source", ".", "eval", "ulimit", "umask",
      "trap", "if", "for",    "while", "case",   "{", "test", "[",      "echo"};
  if (kBuiltins.count(word) || word.find_first_of("=\"'`$\\*?") != std::string::npos) return "";
  return word;
}

void collect_metric_names(const promql::Expr& expr, std::vector<std::string>& out) {
  std::visit(
      [&](const auto& node) {
        using Node = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<Node, promql::Selector>) {
          if (!node.name.empty()) out.push_back(node.name);
        } else if constexpr (std::is_same_v<Node, promql::Call>) {
          for (const promql::ExprPtr& arg : node.args) collect_metric_names(*arg, out);
        } else if constexpr (std::is_same_v<Node, promql::Aggregate>) {
          collect_metric_names(*node.operand, out);
        } else if constexpr (std::is_same_v<Node, promql::Binary>) {
          collect_metric_names(*node.lhs, out);
          collect_metric_names(*node.rhs, out);
        }
      },
      expr.node);
}

config::Diagnostic warning(const config::Spec& spec, config::SourcePos pos, std::string message) {
  return config::Diagnostic{spec.source_file, pos.line, pos.column, "warning: " + message};
}

}  // namespace

std::vector<config::Diagnostic> check_warnings(const config::Spec& spec) {
  std::vector<config::Diagnostic> out;
  for (const config::Service& service : spec.services) {
    const std::string where = fmt::format("services.{}", service.name);
    std::error_code ec;
    if (!service.cwd.empty() && !fs::is_directory(service.cwd, ec)) {
      out.push_back(warning(spec, service.pos,
                            fmt::format("{}.cwd: {} does not exist (or is not a directory)", where,
                                        service.cwd.string())));
    } else {
      const std::string program =
          service.command.shell
              ? shell_program(service.command.text)
              : (service.command.argv.empty() ? std::string() : service.command.argv[0]);
      const std::string problem = command_problem(program, service);
      if (!problem.empty()) {
        out.push_back(
            warning(spec, service.pos,
                    fmt::format("{}.command: {}: the instances would not start", where, problem)));
      }
    }
    if (service.user && !all_digits(*service.user) &&
        ::getpwnam(service.user->c_str()) == nullptr) {
      out.push_back(
          warning(spec, service.pos,
                  fmt::format("{}.user: no user '{}' on this machine", where, *service.user)));
    }
    if (service.group && !all_digits(*service.group) &&
        ::getgrnam(service.group->c_str()) == nullptr) {
      out.push_back(
          warning(spec, service.pos,
                  fmt::format("{}.group: no group '{}' on this machine", where, *service.group)));
    }
  }
  // A static route's root that is not there is a warning, as nginx -t says nothing of a missing
  // root: the route answers 404 until the directory appears (a deploy may create it later).
  for (const config::Route& route : spec.routes) {
    const auto* files = std::get_if<config::StaticAction>(&route.action);
    std::error_code ec;
    if (files && !fs::is_directory(files->root, ec)) {
      out.push_back(warning(spec, route.pos,
                            fmt::format("routes[{}].static.root: {} does not exist (or is not a "
                                        "directory): the route answers 404",
                                        &route - spec.routes.data(), files->root.string())));
    }
  }
  for (const config::AlertRule& rule : spec.alerts.rules) {
    const promql::ExprParseResult parsed = promql::parse_alert_expr(rule.expr);
    if (!parsed.ok()) continue;  // an error, reported by the loader
    std::vector<std::string> names;
    collect_metric_names(*parsed.expr, names);
    std::set<std::string> told;
    for (const std::string& name : names) {
      if (observe::is_exported_metric(name) || !told.insert(name).second) continue;
      out.push_back(
          warning(spec, rule.pos,
                  fmt::format("alerts.rules.{}: flotilla exports no metric '{}' (the names are on "
                              "/metrics): the rule will never see it",
                              rule.name, name)));
    }
  }
  return out;
}

}  // namespace flotilla::app
