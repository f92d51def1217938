// The admin API's routing table: (method, path pattern) → handler, with `{name}` segments
// captured as path parameters. Owns matching and the 404/405 answers; must never check
// authentication (the connection does that before routing) or touch a socket.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <asio/awaitable.hpp>

#include "admin/admin_message.hpp"

namespace flotilla::admin {

// Async because a handler may wait (for a rollout step, a drain). The request outlives the call.
using Handler = std::function<asio::awaitable<AdminResponse>(const AdminRequest&)>;

class Router {
 public:
  // `pattern` is an absolute path whose segments are literals or `{name}`
  // (`/api/v1/services/{name}/scale`). Throws std::invalid_argument on a malformed pattern or
  // a (method, pattern) registered twice. A GET route also answers HEAD. Register every route
  // before serving: handlers are referenced in place while they run.
  void add(std::string_view method, std::string_view pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;           // null: see `allow`
    std::map<std::string, std::string> params;  // decoded `{name}` segments
    std::string allow;  // path known but not for this method: the Allow value ("GET, HEAD")
  };
  // Literal segments win over `{name}` ones where several patterns match the same path.
  Match match(std::string_view method, std::string_view path) const;

  // Routes `request` (filling its params): the handler's answer, or 404 / 405 with Allow.
  asio::awaitable<AdminResponse> dispatch(AdminRequest& request) const;

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter name
    bool parameter = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
  };

  std::vector<Route> routes_;
};

}  // namespace flotilla::admin
