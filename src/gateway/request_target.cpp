#include "gateway/request_target.hpp"

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
  const auto query = target.find_first_of("?#");
  return query == std::string_view::npos ? target : target.substr(0, query);
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
