// Per-instance variables in a service's command and env values: $PORT, ${PORT}, $INSTANCE,
// ${INSTANCE}, with an optional "${PORT:-default}". The config loader already expanded every other
// ${VAR} and left these verbatim (config/env_expand.hpp). Pure string work: no environment access.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flotilla::supervisor {

struct InstanceVariables {
  std::optional<std::uint16_t> port;  // none for a worker: $PORT expands to its default or ""
  std::uint32_t index = 0;            // $INSTANCE is the 0-based replica index
};

std::string expand_instance_variables(std::string_view text, const InstanceVariables& vars);

}  // namespace flotilla::supervisor
