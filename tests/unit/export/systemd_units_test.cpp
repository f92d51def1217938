// flotilla.service and the per-service template units: what systemd would read in them.
#include <gtest/gtest.h>

#include "export/exporter.hpp"

namespace flotilla::exporters {
namespace {

config::Service service(std::string name, std::vector<std::string> argv) {
  config::Service s;
  s.name = std::move(name);
  s.command.argv = std::move(argv);
  s.cwd = "/srv/app";
  return s;
}

const ExportFile& file(const std::vector<ExportFile>& files, std::string_view name) {
  for (const ExportFile& f : files) {
    if (f.name == name) return f;
  }
  throw std::runtime_error("no " + std::string(name));
}

TEST(SystemdUnits, FlotillaItselfIsANotifyServiceWithAWatchdog) {
  config::Spec spec;
  spec.state_dir = "/srv/app/.flotilla";
  config::Service slow = service("slow", {"/bin/true"});
  slow.stop.grace = std::chrono::seconds(100);
  spec.services.push_back(slow);
  const auto files =
      render_systemd_units(spec, {"/usr/bin/flotilla", "/srv/app/flotilla.yaml", "/srv/app"});
  ASSERT_EQ(files.size(), 2u);
  const std::string& unit = file(files, "flotilla.service").text;
  for (const char* line :
       {"Type=notify\n", "WatchdogSec=30s\n", "Restart=always\n",
        "ExecStart=/usr/bin/flotilla up -c /srv/app/flotilla.yaml\n",
        "ExecReload=/usr/bin/flotilla reload -c /srv/app/flotilla.yaml\n", "TimeoutStopSec=145s\n",
        "ReadWritePaths=-/srv/app -/srv/app/.flotilla\n"}) {
    EXPECT_NE(unit.find(line), std::string::npos) << line << unit;
  }
}

TEST(SystemdUnits, ServiceCommandsAreQuotedForSystemd) {
  config::Spec spec;
  config::Service web = service("web", {"/usr/bin/app", "--port", "$PORT", "a b", "50%", "$HOME"});
  web.ports = config::PortRange{8000, 8009};
  web.env = {{"PRICE", "5$ 10%"}};
  web.stop.signal = SIGINT;
  web.restart.policy = config::RestartPolicy::never;
  spec.services.push_back(web);
  const auto files = render_systemd_units(spec, {"/usr/bin/flotilla", "/f.yaml", "/"});
  const std::string& unit = file(files, "web@.service").text;
  EXPECT_NE(unit.find("ExecStart=/usr/bin/app --port ${PORT} \"a b\" 50%% $$HOME\n"),
            std::string::npos)
      << unit;
  EXPECT_NE(unit.find("Environment=PORT=%i\n"), std::string::npos);
  EXPECT_NE(unit.find("Environment=\"PRICE=5$ 10%%\"\n"), std::string::npos) << unit;
  EXPECT_NE(unit.find("KillSignal=SIGINT\n"), std::string::npos);
  EXPECT_NE(unit.find("Restart=no\n"), std::string::npos);
}

}  // namespace
}  // namespace flotilla::exporters
