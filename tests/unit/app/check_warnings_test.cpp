// What `flotilla check` warns about without failing: commands that would not exec, users and
// groups that do not exist, a missing cwd, alert rules naming metrics flotilla never exports.
#include "app/check_warnings.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace flotilla::app {
namespace {

namespace fs = std::filesystem;

config::Service service(std::string name, std::vector<std::string> argv) {
  config::Service s;
  s.name = std::move(name);
  s.pos = {3, 5};
  s.command.argv = std::move(argv);
  s.cwd = fs::temp_directory_path();
  return s;
}

std::string joined(const std::vector<config::Diagnostic>& warnings) {
  std::string out;
  for (const config::Diagnostic& w : warnings) {
    out += std::to_string(w.line) + ":" + std::to_string(w.column) + " " + w.message + "\n";
  }
  return out;
}

TEST(CheckWarnings, NothingToSayAboutAGoodConfig) {
  config::Spec spec;
  spec.services.push_back(service("web", {"sh", "-c", "true"}));
  spec.services.push_back(service("abs", {"/bin/sh"}));
  config::Service shell = service("shell", {"/bin/sh", "-c", "exec sleep 1"});
  shell.command.shell = true;
  shell.command.text = "exec sleep 1";  // a builtin first: not judged
  spec.services.push_back(shell);
  config::Service root = service("root", {"sh"});
  root.user = "root";
  root.group = "0";
  spec.services.push_back(root);
  config::AlertRule rule;
  rule.name = "Fine";
  rule.expr = "sum(rate(http_request_duration_seconds_count[5m])) > 1";
  spec.alerts.rules.push_back(rule);
  EXPECT_EQ(joined(check_warnings(spec)), "");
}

TEST(CheckWarnings, WhatWouldFailAtStart) {
  const fs::path dir = fs::temp_directory_path() / ("check-warnings-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path script = dir / "app.sh";
  std::ofstream(script) << "#!/bin/sh\n";
  ::chmod(script.c_str(), 0644);

  config::Spec spec;
  spec.services.push_back(service("missing", {"no-such-program-xyz"}));
  spec.services.push_back(service("plain", {script.string()}));
  spec.services.push_back(service("relative", {"./nope"}));
  config::Service shell = service("shell", {"/bin/sh", "-c", "no-such-program-xyz --port 1"});
  shell.command.shell = true;
  shell.command.text = "no-such-program-xyz --port 1";
  spec.services.push_back(shell);
  config::Service who = service("who", {"sh"});
  who.user = "no-such-user-xyz";
  who.group = "no-such-group-xyz";
  spec.services.push_back(who);
  config::Service where = service("where", {"sh"});
  where.cwd = dir / "missing";
  spec.services.push_back(where);
  config::AlertRule rule;
  rule.name = "Typo";
  rule.pos = {9, 7};
  rule.expr = "rate(http_request_total[5m]) > 1 and flotilla_instance_up";
  spec.alerts.rules.push_back(rule);

  const std::string out = joined(check_warnings(spec));
  EXPECT_NE(out.find("3:5 warning: services.missing.command: `no-such-program-xyz` is not found "
                     "on PATH"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("services.plain.command: " + script.string() + " is not executable"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("services.relative.command: " +
                     (fs::temp_directory_path() / "./nope").string() + " does not exist"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("services.shell.command: `no-such-program-xyz` is not found"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("services.who.user: no user 'no-such-user-xyz'"), std::string::npos) << out;
  EXPECT_NE(out.find("services.who.group: no group 'no-such-group-xyz'"), std::string::npos) << out;
  EXPECT_NE(out.find("services.where.cwd: " + (dir / "missing").string() + " does not exist"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("9:7 warning: alerts.rules.Typo: flotilla exports no metric "
                     "'http_request_total'"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("flotilla_instance_up"), std::string::npos) << out;
  fs::remove_all(dir);
}

// nginx -t says nothing of a missing root either: a warning (the route answers 404), not an error.
TEST(CheckWarnings, StaticRootThatIsNotADirectory) {
  config::Spec spec;
  config::StaticAction files;
  config::Route present;
  present.pos = {4, 5};
  files.root = fs::temp_directory_path();
  present.action = files;
  config::Route missing;
  missing.pos = {6, 5};
  files.root = "/no/such/flotilla/root";
  missing.action = files;
  spec.routes = {present, missing};
  EXPECT_EQ(joined(check_warnings(spec)),
            "6:5 warning: routes[1].static.root: /no/such/flotilla/root does not exist (or is "
            "not a directory): the route answers 404\n");
}

}  // namespace
}  // namespace flotilla::app
