// The HTTP-01 answers being served right now (token → key authorization), published whole by
// the control thread and read by the gateway's acme_challenge stage on worker threads. An
// immutable map behind an atomic shared_ptr: a lookup copies the answer out, so a swap never
// pulls a string from under a request. Never does I/O.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace flotilla::acme {

using HttpChallenges = std::map<std::string, std::string, std::less<>>;

// Control thread: replaces the table (nullptr: none).
void publish_http_challenges(std::shared_ptr<const HttpChallenges> table);

// Any thread: the key authorization for `token`, copied into `out`; false when unknown.
bool find_http_challenge(std::string_view token, std::string& out);

}  // namespace flotilla::acme
