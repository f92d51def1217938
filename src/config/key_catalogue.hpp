// The keys the parser accepts, as it declared them while reading one file: every mapping it
// read names its valid keys (node_reader.hpp), recorded here under the mapping's path pattern.
// Lets `flotilla check --keys` and the reference docs' test compare against the parser itself.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace flotilla::config {

struct KeyCatalogue {
  // "services.<name>.restart" → {"delay", "max_delay", "policy", "reset_after"}
  std::map<std::string, std::set<std::string>, std::less<>> keys;
  // "parse_service.cpp:51": each place in the parser that declared a mapping's keys.
  std::set<std::string, std::less<>> sites;

  // Every key as a full dotted pattern ("services.<name>.restart.policy"), sorted.
  std::vector<std::string> full_keys() const;
};

// The pattern of a mapping's path: list indexes become "[]" and the user's names under
// `services` and `upstreams` become "<name>" ("listen[2].tls" → "listen[].tls",
// "services.web.probes" → "services.<name>.probes").
std::string key_pattern(std::string_view path);

}  // namespace flotilla::config
