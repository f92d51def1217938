#include "supervisor/log_reader.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <string_view>

#include "supervisor/line_stamper.hpp"

namespace flotilla::supervisor {
namespace {

namespace fs = std::filesystem;

// At most this much is read from one file per call: a page, not the whole history.
constexpr std::uint64_t kMaxReadBytes = 4 * 1024 * 1024;

// index → live file of every instance of `service` that has one.
std::map<std::uint32_t, fs::path> instance_files(const fs::path& dir, const std::string& service) {
  std::map<std::uint32_t, fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const std::string prefix = service + "-";
    if (!name.starts_with(prefix) || !name.ends_with(".log")) continue;
    const std::string_view digits(name.data() + prefix.size(),
                                  name.size() - prefix.size() - std::string_view(".log").size());
    std::uint32_t index = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size()) continue;
    files.emplace(index, entry.path());
  }
  return files;
}

// "0:1234,2:99" → {0: 1234, 2: 99}; nullopt when malformed.
std::optional<std::map<std::uint32_t, std::uint64_t>> parse_cursor(std::string_view text) {
  std::map<std::uint32_t, std::uint64_t> offsets;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    const std::size_t colon = item.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::uint32_t index = 0;
    std::uint64_t offset = 0;
    const char* index_end = item.data() + colon;
    const char* offset_end = item.data() + item.size();
    if (std::from_chars(item.data(), index_end, index).ptr != index_end ||
        std::from_chars(index_end + 1, offset_end, offset).ptr != offset_end) {
      return std::nullopt;
    }
    offsets[index] = offset;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return offsets;
}

// Complete lines of `path` from `offset` (or, when `tail`, the last kMaxReadBytes) on; returns
// the offset just past the last complete line.
std::uint64_t read_lines(const fs::path& path, std::uint64_t offset, bool tail,
                         std::uint32_t instance, std::vector<LogLine>& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return offset;
  file.seekg(0, std::ios::end);
  const std::uint64_t size = static_cast<std::uint64_t>(file.tellg());
  if (size < offset) offset = 0;  // rotated since the cursor was taken: start the new file
  if (tail && size > kMaxReadBytes) offset = size - kMaxReadBytes;
  const std::uint64_t length = std::min(size - offset, kMaxReadBytes);
  std::string data(length, '\0');
  file.seekg(static_cast<std::streamoff>(offset));
  file.read(data.data(), static_cast<std::streamsize>(length));
  std::size_t start = 0;
  if (tail && offset > 0) {  // began mid-line: skip to the next one
    const std::size_t newline = data.find('\n');
    start = newline == std::string::npos ? data.size() : newline + 1;
  }
  std::size_t consumed = start;
  for (;;) {
    const std::size_t newline = data.find('\n', start);
    if (newline == std::string::npos) break;
    std::string_view text(data.data() + start, newline - start);
    LogLine line{instance, {}, {}};
    if (text.size() > kLogTimeLength && text[kLogTimeLength] == ' ' && text[4] == '-' &&
        text[kLogTimeLength - 1] == 'Z') {
      line.time = std::string(text.substr(0, kLogTimeLength));
      text.remove_prefix(kLogTimeLength + 1);
    }
    line.line = std::string(text);
    out.push_back(std::move(line));
    start = newline + 1;
    consumed = start;
  }
  return offset + consumed;
}

}  // namespace

LogPage read_logs(const fs::path& log_dir, const std::string& service, const LogQuery& query,
                  std::chrono::system_clock::time_point now) {
  const auto files = instance_files(log_dir, service);
  const auto cursor = query.cursor ? parse_cursor(*query.cursor) : std::nullopt;
  LogPage page;
  std::string next_cursor;
  for (const auto& [index, path] : files) {
    if (query.instance && *query.instance != index) continue;
    std::uint64_t offset = 0;
    if (cursor) {
      const auto found = cursor->find(index);
      offset = found == cursor->end() ? 0 : found->second;
    }
    const std::uint64_t end = read_lines(path, offset, !cursor, index, page.lines);
    if (!next_cursor.empty()) next_cursor += ',';
    next_cursor += std::to_string(index) + ":" + std::to_string(end);
  }
  if (query.since) {
    const std::string cutoff = format_log_time(now - *query.since);
    std::erase_if(page.lines, [&](const LogLine& line) { return line.time < cutoff; });
  }
  std::stable_sort(page.lines.begin(), page.lines.end(),
                   [](const LogLine& a, const LogLine& b) { return a.time < b.time; });
  if (!cursor && page.lines.size() > query.limit) {
    page.lines.erase(page.lines.begin(),
                     page.lines.end() - static_cast<std::ptrdiff_t>(query.limit));
  }
  page.cursor = std::move(next_cursor);
  return page;
}

}  // namespace flotilla::supervisor
