// A revision: one numbered version of a service's spec as it was run (command, env, probes...
// everything of config::Service), and its JSON form for the revision file and the admin API.
// Pure data conversion: no file I/O (revision_store.hpp) and no processes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/spec.hpp"

namespace flotilla::supervisor {

struct Revision {
  std::uint32_t number = 0;  // 1, 2, ... per service
  config::Service spec;      // `replicas` as it was when the revision was created
  std::chrono::system_clock::time_point created{};
  std::string
      cause;  // "initial", "config changed", "rollout", "rollback to 2", "restart", "reload"
  std::string outcome;  // empty, or "rolled back: <why>" when its rollout did not complete
};

// The whole spec except `pos` (where it was written is not what runs). Durations in ms.
nlohmann::json service_to_json(const config::Service& service);
// Missing keys keep their defaults (an older file still loads); throws nlohmann::json::exception
// on a value of the wrong type.
config::Service service_from_json(const nlohmann::json& json);

nlohmann::json revision_to_json(const Revision& revision);
Revision revision_from_json(const nlohmann::json& json);  // throws like service_from_json

// Whether two specs run the same instances: everything but `replicas` and `autoscale` (scaling
// is not a new revision, as a Kubernetes scale or HPA change does not change the pod template)
// and `pos`.
bool same_template(const config::Service& a, const config::Service& b);

}  // namespace flotilla::supervisor
