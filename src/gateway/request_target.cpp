#include "gateway/request_target.hpp"

#include <algorithm>

namespace flotilla::gateway {

std::string_view request_path(const http::RequestHead& head) noexcept {
  std::string_view target = head.target;
  if (head.target_form == http::TargetForm::kAbsolute) {
    const auto scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return "/";
    const auto path_begin = target.find('/', scheme_end + 3);
    target =
        path_begin == std::string_view::npos ? std::string_view("/") : target.substr(path_begin);
  } else if (head.target_form != http::TargetForm::kOrigin) {
    return target;  // "*" or "host:port"
  }
  // A plain loop: libstdc++'s find_first_of calls memchr over the set once per character.
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == '?' || target[i] == '#') return target.substr(0, i);
  }
  return target;
}

std::string_view origin_form(const http::RequestHead& head, std::string& scratch) {
  const std::string_view target = head.target;
  if (head.target_form != http::TargetForm::kAbsolute) return target;
  // Path and query start after the authority, which follows "scheme://".
  std::size_t begin = target.size();
  const std::size_t scheme_end = target.find("://");
  if (scheme_end != std::string_view::npos) {
    begin = std::min(target.find_first_of("/?#", scheme_end + 3), target.size());
  }
  // A fragment is never sent (RFC 9110 §4.2.4).
  const std::size_t end = std::min(target.find('#', begin), target.size());
  if (begin < end && target[begin] == '/') return target.substr(begin, end - begin);
  // (Sized first, then copied: GCC 12 warns falsely about `"/" + rest` with -Wstringop-overflow.)
  const std::string_view rest = target.substr(begin, end - begin);
  scratch.resize(rest.size() + 1);
  scratch[0] = '/';
  std::copy(rest.begin(), rest.end(), scratch.begin() + 1);
  return scratch;
}

bool is_idempotent(http::Method method) noexcept {
  switch (method) {
    case http::Method::kGet:
    case http::Method::kHead:
    case http::Method::kOptions:
    case http::Method::kTrace:
    case http::Method::kPut:
    case http::Method::kDelete:
      return true;
    default:
      return false;
  }
}

}  // namespace flotilla::gateway
