// Wording of a log line.
#include "app/log_view.hpp"

#include <fmt/format.h>

#include "app/human_format.hpp"

namespace flotilla::app {

std::string format_log_line(std::string_view service, const nlohmann::json& line) {
  if (!line.is_object()) return line.is_string() ? line.get<std::string>() : line.dump();
  std::string instance = field_text(line, "instance");
  if (instance.find('/') == std::string::npos) instance = fmt::format("{}/{}", service, instance);
  const bool stderr_line = field_text(line, "stream") == "stderr";
  const auto time = line.find("time");
  std::string text = field_text(line, "line");
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return fmt::format("{} {} {} {}", time != line.end() ? format_time(*time) : std::string(kNone),
                     instance, stderr_line ? '!' : '|', text);
}

}  // namespace flotilla::app
