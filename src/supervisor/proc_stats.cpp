// /proc/PID/stat sampling (see proc_stats.hpp).
#include "supervisor/proc_stats.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace flotilla::supervisor {

std::optional<ProcessUsage> parse_proc_stat(std::string_view stat, long ticks_per_second,
                                            long page_size) {
  // The command name (field 2) may contain spaces and parentheses: fields restart after the last
  // ')'.
  const std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::istringstream fields{std::string(stat.substr(close + 1))};
  std::vector<std::string> after;  // after[0] is field 3 (state)
  for (std::string field; fields >> field;) after.push_back(field);
  if (after.size() < 22) return std::nullopt;
  try {
    const double ticks = std::stod(after[11]) + std::stod(after[12]);  // fields 14, 15
    const std::uint64_t rss_pages = std::stoull(after[21]);            // field 24
    return ProcessUsage{ticks / static_cast<double>(ticks_per_second),
                        rss_pages * static_cast<std::uint64_t>(page_size)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<char> parse_proc_state(std::string_view stat) {
  const std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos || close + 2 >= stat.size()) return std::nullopt;
  return stat[close + 2];
}

std::optional<ProcessProgress> read_process_progress(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const std::string stat = text.str();
  const auto state = parse_proc_state(stat);
  const auto usage = parse_proc_stat(stat, 100, 1);  // ticks as "seconds" × 100
  if (!state || !usage) return std::nullopt;
  return ProcessProgress{*state, static_cast<std::uint64_t>(usage->cpu_seconds * 100 + 0.5)};
}

std::optional<ProcessUsage> read_process_usage(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return parse_proc_stat(text.str(), ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE));
}

}  // namespace flotilla::supervisor
