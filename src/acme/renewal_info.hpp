// ACME Renewal Information (ARI, RFC 9773): a certificate's ID (base64url of its Authority Key
// Identifier's keyIdentifier "." base64url of its serial number's DER content), the server's
// suggested renewal window read from `renewalInfo/<id>`, and the moment inside it this client
// renews at. Fetching is one coroutine over client/; never decides when to order (manager.cpp).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

namespace flotilla::tls {
class ClientContext;
}

namespace flotilla::acme {

using SystemTime = std::chrono::system_clock::time_point;

// The ARI certificate ID of the leaf of a PEM chain; nullopt when it has no Authority Key
// Identifier with a keyIdentifier (the server cannot name it then).
std::optional<std::string> renewal_cert_id(std::string_view pem);

// RFC 3339 "2025-01-02T04:00:00Z" (fractions and ±hh:mm offsets too); nullopt when malformed.
std::optional<SystemTime> parse_rfc3339(std::string_view text);

struct RenewalWindow {
  SystemTime start, end;
  friend bool operator==(const RenewalWindow&, const RenewalWindow&) = default;
};

// The `suggestedWindow` of a renewalInfo JSON body; nullopt when missing, malformed or when
// end is not after start.
std::optional<RenewalWindow> parse_renewal_info(std::string_view body);

// RFC 9773 §4.2: a uniformly random moment in [start, end) (`unit` in [0, 1)); now when the
// window has already ended.
SystemTime renewal_moment(const RenewalWindow& window, double unit, SystemTime now);

struct RenewalInfoAnswer {
  bool supported = false;  // the directory has `renewalInfo`
  std::optional<RenewalWindow> window;
  std::chrono::seconds retry_after{0};  // the answer's Retry-After (0: none)
  std::string error;                    // transport or HTTP failure, for the log
};

// GETs the directory, and when it advertises `renewalInfo`, `<renewalInfo>/<cert_id>`.
asio::awaitable<RenewalInfoAnswer> fetch_renewal_info(asio::any_io_executor executor,
                                                      std::string directory,
                                                      std::shared_ptr<const tls::ClientContext> tls,
                                                      std::string cert_id);

}  // namespace flotilla::acme
