// Process exit statuses shared by every command, so scripts can tell failures apart.
#pragma once

namespace flotilla::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;       // the command ran and failed (e.g. invalid config)
inline constexpr int kExitUsage = 2;         // bad command line
inline constexpr int kExitUnavailable = 69;  // EX_UNAVAILABLE: the feature is not in this build yet
inline constexpr int kExitUnreachable = 69;  // EX_UNAVAILABLE too: no flotilla answers there

}  // namespace flotilla::app
