// CPU seconds and resident memory of one process from /proc/PID/stat, for instances that have no
// cgroup to sample. Reads only; the parser is pure for tests.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace flotilla::supervisor {

struct ProcessUsage {
  double cpu_seconds = 0;          // utime + stime
  std::uint64_t memory_bytes = 0;  // resident set
};

// `stat` is the content of /proc/PID/stat; ticks per second and page size as given.
std::optional<ProcessUsage> parse_proc_stat(std::string_view stat, long ticks_per_second,
                                            long page_size);
std::optional<ProcessUsage> read_process_usage(pid_t pid);

// Field 3 of /proc/PID/stat: 'R', 'S', 'D', 'T' (stopped: SIGSTOP), 't' (traced), 'Z'...
std::optional<char> parse_proc_state(std::string_view stat);
// The state and the CPU ticks (utime + stime) in one read; nullopt when the process is gone.
struct ProcessProgress {
  char state = '?';
  std::uint64_t cpu_ticks = 0;
};
std::optional<ProcessProgress> read_process_progress(pid_t pid);

}  // namespace flotilla::supervisor
