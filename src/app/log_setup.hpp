// flotilla's own log as `log:` in the config says: the level, and text lines or one JSON object
// per line (for log shippers, and so that it can share stdout with a JSON access log).
// Never touches instance logs (the supervisor's) or the access log (observe's).
#pragma once

#include "config/spec.hpp"

namespace flotilla::app {

void apply_log_config(const config::LogConfig& log);

}  // namespace flotilla::app
