// What every admin connection shares with its server: routes, options, auth, the readiness
// callback. Held by shared_ptr so that connections still finishing after Server::stop() (or
// after the Server is gone) never reach into a destroyed object.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "admin/auth.hpp"
#include "admin/router.hpp"
#include "admin/server_options.hpp"

namespace flotilla::admin {

class Connection;

struct ServerContext {
  ServerOptions options;
  TokenAuth auth;
  Router router;
  std::function<bool()> ready;  // unset: ready
  bool stopping = false;
  // Live connections, to close them on stop(); each removes itself when it ends.
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections;
  std::uint64_t next_connection_id = 0;
};

}  // namespace flotilla::admin
