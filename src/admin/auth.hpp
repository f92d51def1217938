// Who may do what on the admin API: the unix socket is trusted (its 0600 mode is the access
// control); over TCP, reads (GET/HEAD) are open and every change needs `Authorization: Bearer`
// with the configured token. Decides from the request head alone, so a refused request is
// answered before its body is read; must never look at paths or bodies.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/env_expand.hpp"
#include "config/spec.hpp"

namespace flotilla::admin {

// Compares in time that depends only on the lengths, not on where the first difference is.
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

struct AuthVerdict {
  bool allowed = false;
  bool trusted = false;     // may change things (see AdminRequest::trusted)
  std::string_view reason;  // why not allowed, for the 401 body
};

class TokenAuth {
 public:
  // No token: changes over TCP are always refused.
  explicit TokenAuth(std::optional<std::string> token = std::nullopt) : token_(std::move(token)) {}

  // `authorization` is the Authorization header's value, if any.
  AuthVerdict check(std::string_view method, bool unix_socket,
                    std::optional<std::string_view> authorization) const noexcept;

  bool has_token() const noexcept { return token_.has_value(); }

 private:
  std::optional<std::string> token_;
};

// The token of `admin.token_file` (surrounding whitespace trimmed) or of the variable named by
// `admin.token_env`; the file wins when both are set. nullopt with an empty `error` when
// neither is configured; nullopt with `error` set when the file cannot be read or holds no
// token, or the variable is unset or empty (a configured token that does not work is a
// startup error).
std::optional<std::string> load_token(const config::Admin& admin, std::string& error,
                                      const config::EnvLookup& env = config::process_environment());

}  // namespace flotilla::admin
