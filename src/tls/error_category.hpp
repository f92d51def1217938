// tls::category(): the std::error_category of TLS failures, whose messages carry OpenSSL's own
// reason ("handshake failed: no shared cipher", "certificate verify failed: hostname mismatch").
// Only encodes and names errors; never logs, never decides what a caller does about one.
#pragma once

#include <string>
#include <system_error>

namespace flotilla::tls {

// A value of tls::category() is OpenSSL's packed (library, reason) code, ERR_PACK(lib, 0, reason),
// which fits in 31 bits; negative when the error ended the handshake (the message then starts
// "handshake failed: "). Two library numbers OpenSSL never hands out name flotilla's own reasons:
inline constexpr int kVerifyLibrary = 0xFE;    // reason: an X509_V_ERR_* certificate verify result
inline constexpr int kFlotillaLibrary = 0xFF;  // reason: an Errc below

enum class Errc {
  kUnexpectedEof = 1,  // the peer closed the connection in the middle of a handshake
  kNoHandshake,        // read/write before the handshake completed, or after a fatal error
  kSetupFailed,        // SSL_new / SSL_set_fd failed (out of memory, bad descriptor)
};

const std::error_category& category();

std::error_code make_error_code(Errc errc, bool handshake = false);
// `packed` as ERR_get_error() returns it; a system error in OpenSSL's queue maps to
// std::system_category() with its errno.
std::error_code openssl_error(unsigned long packed, bool handshake = false);
// `result` as SSL_get_verify_result() returns it (X509_V_ERR_*).
std::error_code verify_error(long result, bool handshake = false);

bool is_handshake_error(const std::error_code& error);
bool is_verify_error(const std::error_code& error);

// Every error queued on this thread, oldest first, as "reason; reason", and the queue cleared.
// Empty when the queue was empty. For build-time messages ("key values mismatch").
std::string drain_openssl_errors();

}  // namespace flotilla::tls

template <>
struct std::is_error_code_enum<flotilla::tls::Errc> : std::true_type {};
