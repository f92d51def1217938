// The published HTTP-01 table (see challenge_table.hpp). libstdc++ 12's atomic<shared_ptr>
// takes a short internal lock; only /.well-known/acme-challenge/ requests read it.
#include "acme/challenge_table.hpp"

#include <atomic>

namespace flotilla::acme {
namespace {

std::atomic<std::shared_ptr<const HttpChallenges>>& table() {
  static std::atomic<std::shared_ptr<const HttpChallenges>> instance;
  return instance;
}

}  // namespace

void publish_http_challenges(std::shared_ptr<const HttpChallenges> next) {
  table().store(std::move(next));
}

bool find_http_challenge(std::string_view token, std::string& out) {
  const std::shared_ptr<const HttpChallenges> current = table().load();
  if (!current) return false;
  const auto found = current->find(token);
  if (found == current->end()) return false;
  out = found->second;
  return true;
}

}  // namespace flotilla::acme
