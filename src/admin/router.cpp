// Pattern matching of admin routes: a path is split into segments once, then compared with
// each route's segments; routes are few (tens), so a linear scan is the simple right choice.
#include "admin/router.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "http/query_string.hpp"

namespace flotilla::admin {
namespace {

// "/a/b/c" → {"a", "b", "c"}; "/" → {}; nullopt for a relative path or an empty segment
// ("//", a trailing "/"), which no route matches.
std::optional<std::vector<std::string_view>> split_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string_view> segments;
  path.remove_prefix(1);
  if (path.empty()) return segments;
  for (;;) {
    const std::size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    if (segment.empty()) return std::nullopt;
    segments.push_back(segment);
    if (slash == std::string_view::npos) return segments;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
  const auto parts = split_path(pattern);
  if (!parts || method.empty() || !handler) {
    throw std::invalid_argument(fmt::format("admin route {} {}: malformed", method, pattern));
  }
  Route route{std::string(method), std::string(pattern), {}, std::move(handler)};
  for (std::string_view part : *parts) {
    if (part.front() == '{') {
      if (part.size() < 3 || part.back() != '}') {
        throw std::invalid_argument(
            fmt::format("admin route {}: bad parameter segment '{}'", pattern, part));
      }
      route.segments.push_back({std::string(part.substr(1, part.size() - 2)), true});
    } else {
      route.segments.push_back({std::string(part), false});
    }
  }
  for (const Route& other : routes_) {
    if (other.method == route.method && other.pattern == route.pattern) {
      throw std::invalid_argument(
          fmt::format("admin route {} {}: registered twice", method, pattern));
    }
  }
  routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  const auto parts = split_path(path);
  if (!parts) return result;
  const Route* best = nullptr;
  std::vector<bool> best_literals;
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    if (route.segments.size() != parts->size()) continue;
    std::vector<bool> literals;
    bool matches = true;
    for (std::size_t i = 0; matches && i < parts->size(); ++i) {
      const Segment& segment = route.segments[i];
      matches = segment.parameter || segment.text == (*parts)[i];
      literals.push_back(!segment.parameter);
    }
    if (!matches) continue;
    const bool method_ok = route.method == method || (method == "HEAD" && route.method == "GET");
    if (!method_ok) {
      allowed.push_back(route.method);
      if (route.method == "GET") allowed.push_back("HEAD");
      continue;
    }
    // Lexicographic on "is literal" per segment: /services/summary beats /services/{name}.
    if (best == nullptr || literals > best_literals) {
      best = &route;
      best_literals = std::move(literals);
    }
  }
  if (best == nullptr) {
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    result.allow = fmt::format("{}", fmt::join(allowed, ", "));
    return result;
  }
  for (std::size_t i = 0; i < parts->size(); ++i) {
    const Segment& segment = best->segments[i];
    if (!segment.parameter) continue;
    // A malformed escape stays as received: the handler then reports an unknown name.
    auto decoded = http::percent_decode((*parts)[i]);
    result.params[segment.text] = decoded ? std::move(*decoded) : std::string((*parts)[i]);
  }
  result.handler = &best->handler;
  return result;
}

asio::awaitable<AdminResponse> Router::dispatch(AdminRequest& request) const {
  Match found = match(request.method, request.path);
  if (found.handler == nullptr) {
    if (found.allow.empty()) {
      co_return error_response(404, fmt::format("no such resource: {}", request.path));
    }
    AdminResponse response = error_response(
        405, fmt::format("method {} not allowed on {}", request.method, request.path));
    response.headers.emplace_back("Allow", found.allow);
    co_return response;
  }
  request.params = std::move(found.params);
  co_return co_await (*found.handler)(request);
}

}  // namespace flotilla::admin
