// Which certificate set a TLS client's server name (SNI) selects: exact names first, then
// `*.suffix` wildcards one label deep (RFC 6125 §6.4.3), as nginx's server_name does. Pure
// lookup over names: never touches OpenSSL.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flotilla::tls {

class SniSelector {
 public:
  // Adds the certificate names of set `index` ("www.example.com", "*.example.com"). A name an
  // earlier set already has keeps that set (the first certificate listed wins).
  void add(std::size_t index, const std::vector<std::string>& names);

  // The set for `server_name` (any case, an optional trailing dot): an exact name, else a
  // wildcard covering exactly its first label; nullopt when none matches.
  std::optional<std::size_t> select(std::string_view server_name) const;

 private:
  std::map<std::string, std::size_t, std::less<>> exact_;
  std::map<std::string, std::size_t, std::less<>> wildcard_;  // key: the suffix after "*."
};

}  // namespace flotilla::tls
