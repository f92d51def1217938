// `flotilla top`: polls the admin API and redraws a header (time, request rate, error rate, p95)
// and a per-instance table in place (clear + home, like `docker stats`), cut to the terminal's
// width; `q` quits. Not on a terminal: no escape codes, one screen after another. The rows and
// header are computed by observe/top/; this file only fetches, times, reads keys and prints.
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <thread>

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "observe/top/top_header.hpp"
#include "observe/top/top_screen.hpp"

namespace flotilla::app {
namespace {

constexpr std::string_view kClearHome = "\x1b[H\x1b[2J";

// The terminal's settings before top changed them, restored on every way out (a signal too).
termios g_saved_termios{};
bool g_termios_changed = false;

void restore_terminal() {
  if (g_termios_changed) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  g_termios_changed = false;
}

void restore_and_exit(int signal) {
  if (g_termios_changed) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  ::_exit(128 + signal);
}

// Keys without Enter and without echo; Ctrl-C still interrupts.
class KeyReader {
 public:
  KeyReader() {
    if (::isatty(STDIN_FILENO) != 1 || ::tcgetattr(STDIN_FILENO, &g_saved_termios) != 0) return;
    termios raw = g_saved_termios;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (::tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0) return;
    g_termios_changed = true;
    std::signal(SIGINT, restore_and_exit);
    std::signal(SIGTERM, restore_and_exit);
  }
  ~KeyReader() { restore_terminal(); }
  KeyReader(const KeyReader&) = delete;
  KeyReader& operator=(const KeyReader&) = delete;

  // Waits up to `timeout` for keys; true when `q` was typed.
  bool quit_within(std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd in{STDIN_FILENO, POLLIN, 0};
      if (::poll(&in, 1, static_cast<int>(left.count())) <= 0) continue;
      char key = 0;
      if (::read(STDIN_FILENO, &key, 1) == 1 && (key == 'q' || key == 'Q')) return true;
      if ((in.revents & (POLLHUP | POLLERR)) != 0) {
        ::usleep(static_cast<useconds_t>(left.count()) * 1000);  // stdin closed: just wait
        return false;
      }
    }
  }
};

std::size_t terminal_columns() {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 0;
}

std::string clock_text() {
  return fmt::format("{:%H:%M:%S}", fmt::localtime(std::time(nullptr)));
}

struct Sample {
  observe::TopSample top;
  nlohmann::json dashboard;  // {"points": [...]} when the fetch brought them
};

std::optional<Sample> take_sample(const StatusFetcher& fetch, FetchFailure& failure) {
  std::optional<nlohmann::json> doc = fetch(failure);
  if (!doc) return std::nullopt;
  Sample sample;
  if (doc->is_object() && doc->contains("status")) {
    sample.top.status = std::move((*doc)["status"]);
    sample.dashboard = std::move(*doc);
  } else {
    sample.top.status = std::move(*doc);
  }
  sample.top.taken = std::chrono::steady_clock::now();
  return sample;
}

std::string screen(const Sample& now, const std::vector<observe::TopRow>& rows) {
  return observe::render_top_header(clock_text(), observe::top_totals(now.dashboard, rows)) +
         observe::render_top_table(rows);
}

int report(const FetchFailure& failure) {
  fmt::print(stderr, "flotilla top: {}\n", failure.message);
  return failure.unreachable ? kExitUnreachable : kExitFailure;
}

}  // namespace

int top_command(const TopOptions& options, const StatusFetcher& fetch) {
  FetchFailure failure;
  std::optional<Sample> previous = take_sample(fetch, failure);
  if (!previous) return report(failure);
  const bool terminal = options.terminal.value_or(::isatty(STDOUT_FILENO) == 1);
  const bool live = !options.once && !options.json;
  const bool redraw = live && terminal;
  std::optional<KeyReader> keys;
  if (redraw) keys.emplace();
  const std::size_t columns = redraw ? terminal_columns() : 0;
  auto show = [&](const std::string& text) {
    fmt::print("{}{}", redraw ? kClearHome : "", observe::fit_to_width(text, columns));
    std::fflush(stdout);
  };
  if (live) show(screen(*previous, observe::top_rows(previous->top, nullptr)));
  for (int refresh = 0; options.max_refreshes == 0 || refresh < options.max_refreshes; ++refresh) {
    if (keys) {
      if (keys->quit_within(options.interval)) return kExitOk;
    } else {
      std::this_thread::sleep_for(options.interval);
    }
    std::optional<Sample> now = take_sample(fetch, failure);
    if (!now) {
      if (!live) return report(failure);
      show(fmt::format("flotilla top: {} (retrying; q quits)\n", failure.message));
      continue;
    }
    const std::vector<observe::TopRow> rows = observe::top_rows(now->top, &previous->top);
    if (options.json) {
      fmt::print("{}\n", observe::top_rows_json(rows).dump());
      std::fflush(stdout);
    } else if (live) {
      show((redraw ? "" : "\n") + screen(*now, rows));
    } else {
      fmt::print("{}", screen(*now, rows));
      std::fflush(stdout);
    }
    previous = std::move(now);
    if (options.once) break;
  }
  return kExitOk;
}

}  // namespace flotilla::app
