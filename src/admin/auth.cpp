// Bearer-token checks of the admin API (RFC 6750 §2.1 header form only: a token in a query
// parameter would end up in logs and shell history).
#include "admin/auth.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "http/char_class.hpp"

namespace flotilla::admin {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n";

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

bool is_read(std::string_view method) {
  return method == "GET" || method == "HEAD";
}

// The credentials of `Bearer <token>` (scheme case-insensitive, RFC 9110 §11.1), or nullopt.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() ||
      !http::detail::iequals(authorization.substr(0, kScheme.size()), kScheme) ||
      authorization[kScheme.size()] != ' ') {
    return std::nullopt;
  }
  return trim(authorization.substr(kScheme.size() + 1));
}

}  // namespace

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
  // Lengths are not secret (a token's length is in the config's documentation anyway); the
  // bytes are compared without an early exit.
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  // Keep the compiler from turning the loop back into an early-exit memcmp.
  volatile unsigned char result = diff;
  return result == 0;
}

AuthVerdict TokenAuth::check(std::string_view method, bool unix_socket,
                             std::optional<std::string_view> authorization) const noexcept {
  if (unix_socket) return {true, true, {}};
  bool valid = false;
  if (token_ && authorization) {
    const auto presented = bearer_token(*authorization);
    valid = presented && constant_time_equals(*presented, *token_);
  }
  if (valid) return {true, true, {}};
  if (is_read(method)) return {true, false, {}};
  if (!token_) {
    return {false, false,
            "changes over TCP are disabled: no admin token configured (admin.token_file or "
            "admin.token_env); use the unix socket"};
  }
  if (!authorization)
    return {false, false, "authentication required: Authorization: Bearer <token>"};
  return {false, false, "invalid bearer token"};
}

std::optional<std::string> load_token(const config::Admin& admin, std::string& error,
                                      const config::EnvLookup& env) {
  error.clear();
  if (admin.token_file) {
    std::ifstream file(*admin.token_file, std::ios::binary);
    if (!file) {
      error =
          fmt::format("admin.token_file {}: {}", admin.token_file->string(), std::strerror(errno));
      return std::nullopt;
    }
    std::ostringstream stream;
    stream << file.rdbuf();
    const std::string text = stream.str();
    const std::string_view token = trim(text);
    if (token.empty()) {
      error = fmt::format("admin.token_file {}: the file is empty", admin.token_file->string());
      return std::nullopt;
    }
    return std::string(token);
  }
  if (admin.token_env) {
    // Named but missing is a mistake to report, as a missing token_file is: starting with TCP
    // changes silently disabled would only surface as a puzzling 401 later.
    const std::optional<std::string> value = env(*admin.token_env);
    const std::string_view token = value ? trim(*value) : std::string_view{};
    if (token.empty()) {
      error = fmt::format("admin.token_env {}: the variable is {}", *admin.token_env,
                          value ? "empty" : "not set");
      return std::nullopt;
    }
    return std::string(token);
  }
  return std::nullopt;
}

}  // namespace flotilla::admin
