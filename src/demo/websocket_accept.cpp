// Sec-WebSocket-Accept computation with OpenSSL's one-shot SHA1 and EVP_EncodeBlock.
// Never validates more than the key's shape: the caller decides how to refuse a handshake.
#include "demo/websocket_accept.hpp"

#include <array>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace flotilla::demo {
namespace {

constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool is_base64_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::string websocket_accept_key(std::string_view client_key) {
  std::string input;
  input.reserve(client_key.size() + kWebSocketGuid.size());
  input.append(client_key).append(kWebSocketGuid);

  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());

  // EVP_EncodeBlock writes 4 characters per 3 input bytes (rounded up) plus a NUL.
  std::array<unsigned char, 4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1> encoded{};
  const int length = EVP_EncodeBlock(encoded.data(), digest.data(), SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(encoded.data()),
                     static_cast<std::size_t>(length));
}

bool is_valid_websocket_key(std::string_view client_key) noexcept {
  if (client_key.size() != 24 || client_key.substr(22) != "==") return false;
  for (const char c : client_key.substr(0, 22)) {
    if (!is_base64_char(c)) return false;
  }
  // 16 bytes = 128 bits; the 22nd character carries only 2 meaningful bits, the rest must be 0.
  const std::string_view last_chars = "AQgw";
  return last_chars.find(client_key[21]) != std::string_view::npos;
}

}  // namespace flotilla::demo
