// Malformed / request-smuggling vectors and accepted forms for the HTTP/1.1 codec, as plain data.
// Shared by the unit tests, the integration tests and the fuzz seed corpus: no logic, std only.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "http/parse_error.hpp"

namespace flotilla::http::test_vectors {

using namespace std::string_view_literals;

// A message that must be rejected. The head is parsed first; when it is accepted, the body is
// decoded with the framing it declares, and the body's error is the verdict.
struct SmugglingVector {
  std::string_view name;
  std::string_view raw;
  int expected_status;  // what the server answers: 400/414/431/501/505, or 502 for responses
  bool is_request;
  ParseError expected_error;
};

// A message that must be accepted whole (head, and body when one is framed).
struct AcceptedVector {
  std::string_view name;
  std::string_view raw;
  bool is_request;
};

// Compile-time `prefix + pattern * count + suffix`, for the over-limit vectors.
template <std::size_t N>
struct Bytes {
  std::array<char, N> data{};
  constexpr std::string_view view() const { return {data.data(), N}; }
};

template <std::size_t N>
constexpr Bytes<N> repeat(std::string_view prefix, std::string_view pattern,
                          std::string_view suffix) {
  Bytes<N> b;
  std::size_t i = 0;
  for (char c : prefix) b.data[i++] = c;
  const std::size_t fill_end = N - suffix.size();
  for (std::size_t k = 0; i < fill_end; ++k) b.data[i++] = pattern[k % pattern.size()];
  for (char c : suffix) b.data[i++] = c;
  return b;
}

// 9000-byte target: over the 8 KiB request-line limit.
inline constexpr auto kLongTarget = repeat<9000 + 35>("GET /", "a", " HTTP/1.1\r\nHost: a\r\n\r\n");
// 9000-byte header value: over the 8 KiB header-section limit.
inline constexpr auto kLongHeader =
    repeat<9000 + 33>("GET / HTTP/1.1\r\nHost: a\r\nX: ", "b", "\r\n\r\n");
// 101 headers of 6 bytes: under the byte limit, over the 100-field limit.
inline constexpr auto kManyHeaders =
    repeat<16 + 101 * 6 + 2>("GET / HTTP/1.1\r\n", "X: a\r\n", "\r\n");
// Over-limit responses answer 502 like every other bad upstream reply.
inline constexpr auto kLongStatusLine = repeat<9000 + 17>("HTTP/1.1 200 ", "x", "\r\n\r\n");

inline constexpr std::array kSmugglingVectors = {
    // --- Content-Length / Transfer-Encoding conflicts (CL.TE, TE.CL)
    SmugglingVector{"cl_then_te",
                    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kContentLengthWithTransferEncoding},
    SmugglingVector{"te_then_cl",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                    "Content-Length: 5\r\n\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kContentLengthWithTransferEncoding},
    SmugglingVector{"cl_and_te_http10",
                    "POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"sv,
                    400, true, ParseError::kContentLengthWithTransferEncoding},
    // --- Transfer-Encoding tricks
    SmugglingVector{"te_obs_fold",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n"sv, 400,
                    true, ParseError::kObsFold},
    SmugglingVector{"te_obs_fold_tab_continuation",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip,\r\n\tchunked\r\n\r\n"sv,
                    400, true, ParseError::kObsFold},
    SmugglingVector{"te_xchunked",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n"sv, 400,
                    true, ParseError::kInvalidTransferEncoding},
    SmugglingVector{"te_chunked_identity",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n"sv,
                    400, true, ParseError::kInvalidTransferEncoding},
    SmugglingVector{"te_identity",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"sv, 400,
                    true, ParseError::kInvalidTransferEncoding},
    SmugglingVector{"te_chunked_twice",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"sv,
                    400, true, ParseError::kInvalidTransferEncoding},
    SmugglingVector{"te_chunked_on_two_lines",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n"sv,
                    400, true, ParseError::kInvalidTransferEncoding},
    SmugglingVector{"te_chunked_then_gzip_line",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                    "Transfer-Encoding: gzip\r\n\r\n"sv,
                    400, true, ParseError::kInvalidTransferEncoding},
    SmugglingVector{"te_gzip_chunked_unsupported",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"sv, 501,
                    true, ParseError::kUnsupportedTransferCoding},
    SmugglingVector{"te_empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n"sv, 400,
                    true, ParseError::kInvalidTransferEncoding},
    SmugglingVector{"te_quoted_chunked",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n"sv, 400,
                    true, ParseError::kInvalidTransferEncoding},
    SmugglingVector{"te_chunked_with_param",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n"sv, 400,
                    true, ParseError::kInvalidTransferEncoding},
    SmugglingVector{"te_on_http10",
                    "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"sv, 400, true,
                    ParseError::kTransferEncodingOnHttp10},
    SmugglingVector{"te_space_before_colon",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n"sv, 400,
                    true, ParseError::kWhitespaceBeforeColon},
    SmugglingVector{"te_vertical_tab",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \vchunked\r\n\r\n"sv, 400,
                    true, ParseError::kInvalidHeaderValue},
    // --- Content-Length syntax
    SmugglingVector{
        "cl_duplicate_differing",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"sv, 400, true,
        ParseError::kConflictingContentLength},
    SmugglingVector{"cl_list_differing",
                    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n"sv, 400, true,
                    ParseError::kConflictingContentLength},
    SmugglingVector{"cl_plus_sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n"sv,
                    400, true, ParseError::kInvalidContentLength},
    SmugglingVector{"cl_negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"sv,
                    400, true, ParseError::kInvalidContentLength},
    SmugglingVector{"cl_space_inside",
                    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 0\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidContentLength},
    SmugglingVector{"cl_hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n"sv, 400,
                    true, ParseError::kInvalidContentLength},
    SmugglingVector{"cl_huge",
                    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n"sv,
                    400, true, ParseError::kInvalidContentLength},
    SmugglingVector{"cl_2_pow_63",
                    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n"sv,
                    400, true, ParseError::kInvalidContentLength},
    SmugglingVector{"cl_empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n"sv, 400,
                    true, ParseError::kInvalidContentLength},
    SmugglingVector{"cl_empty_list_element",
                    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,,5\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidContentLength},
    SmugglingVector{"cl_decimal", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5.0\r\n\r\n"sv,
                    400, true, ParseError::kInvalidContentLength},
    // --- field-line syntax
    SmugglingVector{"space_before_colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n"sv, 400, true,
                    ParseError::kWhitespaceBeforeColon},
    SmugglingVector{"tab_before_colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A\t: b\r\n\r\n"sv, 400,
                    true, ParseError::kWhitespaceBeforeColon},
    SmugglingVector{"tab_in_name", "GET / HTTP/1.1\r\nHost: a\r\nX\tA: b\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidHeaderName},
    SmugglingVector{"nul_in_name", "GET / HTTP/1.1\r\nHost: a\r\nX\0A: b\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidHeaderName},
    SmugglingVector{"nul_in_value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidHeaderValue},
    SmugglingVector{"ctl_in_value",
                    "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01"
                    "b\r\n\r\n"sv,
                    400, true, ParseError::kInvalidHeaderValue},
    SmugglingVector{"del_in_value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidHeaderValue},
    SmugglingVector{"empty_header_name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n"sv, 400, true,
                    ParseError::kEmptyHeaderName},
    SmugglingVector{"header_without_colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidHeaderName},
    SmugglingVector{"non_token_name", "GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidHeaderName},
    SmugglingVector{"obs_fold_value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"sv, 400,
                    true, ParseError::kObsFold},
    SmugglingVector{"first_header_folded", "GET / HTTP/1.1\r\n Host: a\r\n\r\n"sv, 400, true,
                    ParseError::kObsFold},
    SmugglingVector{"invalid_connection_option",
                    "GET / HTTP/1.1\r\nHost: a\r\nConnection: close, @x\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidConnection},
    // --- line endings
    SmugglingVector{"bare_lf_request_line", "GET / HTTP/1.1\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kBareLf},
    SmugglingVector{"bare_lf_header", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n"sv, 400, true,
                    ParseError::kBareLf},
    SmugglingVector{"bare_lf_end_of_head", "GET / HTTP/1.1\r\nHost: a\r\n\n"sv, 400, true,
                    ParseError::kBareLf},
    SmugglingVector{"bare_lf_leading", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kBareLf},
    SmugglingVector{"bare_cr_value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"sv, 400, true,
                    ParseError::kBareCr},
    SmugglingVector{"bare_cr_name", "GET / HTTP/1.1\r\nHost: a\r\nX\rA: b\r\n\r\n"sv, 400, true,
                    ParseError::kBareCr},
    SmugglingVector{"bare_cr_target", "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kBareCr},
    SmugglingVector{"bare_cr_leading", "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kBareCr},
    SmugglingVector{"bare_cr_line_start", "GET / HTTP/1.1\r\nHost: a\r\n\rX: b\r\n\r\n"sv, 400,
                    true, ParseError::kBareCr},
    // --- request line
    SmugglingVector{"http_2_0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n"sv, 505, true,
                    ParseError::kUnsupportedVersion},
    SmugglingVector{"http_1_2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n"sv, 505, true,
                    ParseError::kUnsupportedVersion},
    SmugglingVector{"http_0_9_version", "GET / HTTP/0.9\r\nHost: a\r\n\r\n"sv, 505, true,
                    ParseError::kUnsupportedVersion},
    SmugglingVector{"version_trailing_space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidVersion},
    SmugglingVector{"version_lowercase", "GET / http/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidVersion},
    SmugglingVector{"version_two_digit_minor", "GET / HTTP/1.10\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidVersion},
    SmugglingVector{"version_missing", "GET /\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidRequestLine},
    SmugglingVector{"double_space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidRequestLine},
    SmugglingVector{"leading_space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidMethod},
    SmugglingVector{"method_not_token", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidMethod},
    SmugglingVector{"method_tab", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidMethod},
    SmugglingVector{"space_in_target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidTarget},
    SmugglingVector{"tab_in_target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidTarget},
    SmugglingVector{"nul_in_target", "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidTarget},
    SmugglingVector{"ctl_in_target", "GET /a\x1b HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidTarget},
    SmugglingVector{"del_in_target", "GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidTarget},
    SmugglingVector{"relative_target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidTarget},
    SmugglingVector{"asterisk_not_options", "GET * HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidTarget},
    SmugglingVector{"connect_origin_form", "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidTarget},
    SmugglingVector{"absolute_with_userinfo", "GET http://user@evil/ HTTP/1.1\r\nHost: a\r\n\r\n"sv,
                    400, true, ParseError::kInvalidTarget},
    // --- Host
    SmugglingVector{"missing_host", "GET / HTTP/1.1\r\nX: a\r\n\r\n"sv, 400, true,
                    ParseError::kMissingHost},
    SmugglingVector{"duplicate_host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"sv, 400, true,
                    ParseError::kDuplicateHost},
    SmugglingVector{"duplicate_identical_host", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"sv,
                    400, true, ParseError::kDuplicateHost},
    SmugglingVector{"host_with_userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidHost},
    SmugglingVector{"host_with_space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidHost},
    SmugglingVector{"host_with_path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"sv, 400, true,
                    ParseError::kInvalidHost},
    // --- limits
    SmugglingVector{"request_line_too_long", kLongTarget.view(), 414, true,
                    ParseError::kRequestLineTooLong},
    SmugglingVector{"header_section_too_large", kLongHeader.view(), 431, true,
                    ParseError::kHeadersTooLarge},
    SmugglingVector{"too_many_headers", kManyHeaders.view(), 431, true,
                    ParseError::kTooManyHeaders},
    // --- chunked framing (head accepted, body rejected)
    SmugglingVector{"chunk_size_0x",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "0x1\r\nA\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kInvalidChunkSize},
    SmugglingVector{"chunk_size_negative",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "-1\r\nA\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kInvalidChunkSize},
    SmugglingVector{"chunk_size_plus",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "+1\r\nA\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kInvalidChunkSize},
    SmugglingVector{"chunk_size_trailing_space",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "1 \r\nA\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kInvalidChunkSize},
    SmugglingVector{"chunk_size_trailing_tab",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "1\t\r\nA\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kInvalidChunkSize},
    SmugglingVector{"chunk_size_leading_space",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    " 1\r\nA\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kInvalidChunkSize},
    SmugglingVector{"chunk_size_empty",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "\r\nA\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kInvalidChunkSize},
    SmugglingVector{"chunk_size_overflow",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "ffffffffffffffffff\r\nA\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kChunkSizeOverflow},
    SmugglingVector{"chunk_size_bare_lf",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "1\nA\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kInvalidChunkSize},
    SmugglingVector{"chunk_data_too_long",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "1\r\nAB\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kMissingChunkCrlf},
    SmugglingVector{"chunk_data_bare_lf",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "1\r\nA\n0\r\n\r\n"sv,
                    400, true, ParseError::kMissingChunkCrlf},
    SmugglingVector{"chunk_extension_empty_name",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "1;\r\nA\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kInvalidChunkExtension},
    SmugglingVector{"chunk_extension_ws_before_crlf",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "1;a=b \r\nA\r\n0\r\n\r\n"sv,
                    400, true, ParseError::kInvalidChunkExtension},
    SmugglingVector{"trailer_obs_fold",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "0\r\nX: a\r\n b\r\n\r\n"sv,
                    400, true, ParseError::kInvalidTrailer},
    SmugglingVector{"trailer_space_before_colon",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "0\r\nX : a\r\n\r\n"sv,
                    400, true, ParseError::kInvalidTrailer},
    SmugglingVector{"trailer_bare_lf",
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "0\r\nX: a\n\r\n"sv,
                    400, true, ParseError::kInvalidTrailer},
    // --- responses (the proxy answers 502)
    SmugglingVector{"response_cl_and_te",
                    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"sv,
                    502, false, ParseError::kContentLengthWithTransferEncoding},
    SmugglingVector{"response_te_xchunked",
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n"sv, 502, false,
                    ParseError::kInvalidTransferEncoding},
    SmugglingVector{"response_te_gzip_chunked",
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"sv, 502, false,
                    ParseError::kUnsupportedTransferCoding},
    SmugglingVector{"response_te_on_http10",
                    "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"sv, 502, false,
                    ParseError::kTransferEncodingOnHttp10},
    SmugglingVector{"response_cl_negative", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"sv, 502,
                    false, ParseError::kInvalidContentLength},
    SmugglingVector{"response_cl_differing",
                    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"sv, 502,
                    false, ParseError::kConflictingContentLength},
    SmugglingVector{"response_http_2", "HTTP/2.0 200 OK\r\n\r\n"sv, 502, false,
                    ParseError::kUnsupportedVersion},
    SmugglingVector{"response_lowercase_version", "http/1.1 200 OK\r\n\r\n"sv, 502, false,
                    ParseError::kInvalidVersion},
    SmugglingVector{"response_two_digit_status", "HTTP/1.1 20 OK\r\n\r\n"sv, 502, false,
                    ParseError::kInvalidStatusCode},
    SmugglingVector{"response_four_digit_status", "HTTP/1.1 2000 OK\r\n\r\n"sv, 502, false,
                    ParseError::kInvalidStatusCode},
    SmugglingVector{"response_status_600", "HTTP/1.1 600 X\r\n\r\n"sv, 502, false,
                    ParseError::kInvalidStatusCode},
    SmugglingVector{"response_bare_lf", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n"sv, 502, false,
                    ParseError::kBareLf},
    SmugglingVector{"response_obs_fold",
                    "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n"sv, 502, false,
                    ParseError::kObsFold},
    SmugglingVector{"response_space_before_colon",
                    "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n"sv, 502, false,
                    ParseError::kWhitespaceBeforeColon},
    SmugglingVector{"response_status_line_too_long", kLongStatusLine.view(), 502, false,
                    ParseError::kRequestLineTooLong},
    SmugglingVector{"response_bad_chunk",
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1x\r\nA\r\n0\r\n\r\n"sv,
                    502, false, ParseError::kInvalidChunkSize},
};

inline constexpr std::array kAcceptedVectors = {
    AcceptedVector{"simple_get", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"sv, true},
    AcceptedVector{"http10_no_host", "GET / HTTP/1.0\r\n\r\n"sv, true},
    AcceptedVector{"http10_keep_alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"sv, true},
    AcceptedVector{"leading_empty_lines", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"sv, true},
    AcceptedVector{"post_content_length",
                   "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"sv, true},
    AcceptedVector{"cl_identical_duplicates",
                   "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"
                   "hello"sv,
                   true},
    AcceptedVector{"cl_identical_list",
                   "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello"sv, true},
    AcceptedVector{"cl_surrounding_ows",
                   "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \t 5 \t\r\n\r\nhello"sv, true},
    AcceptedVector{"chunked_post",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5\r\nhello\r\n0\r\n\r\n"sv,
                   true},
    AcceptedVector{"chunked_uppercase_coding_and_hex",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
                   "A\r\n0123456789\r\n00\r\n\r\n"sv,
                   true},
    AcceptedVector{"chunked_extensions_and_trailers",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5 ; a=b;c ; d = \"e\\\"f\"\r\nhello\r\n0;last\r\nX-Sum: 1\r\nY:\r\n\r\n"sv,
                   true},
    AcceptedVector{"expect_100_continue",
                   "PUT /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n"
                   "x"sv,
                   true},
    AcceptedVector{
        "upgrade_websocket",
        "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"sv,
        true},
    AcceptedVector{"absolute_form", "GET http://example.com:8080/a?b HTTP/1.1\r\nHost: x\r\n\r\n"sv,
                   true},
    AcceptedVector{"options_asterisk", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"sv, true},
    AcceptedVector{"connect_authority",
                   "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"sv, true},
    AcceptedVector{"obs_text_in_value_and_target",
                   "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n"sv, true},
    AcceptedVector{"empty_host_value", "GET / HTTP/1.1\r\nHost:\r\n\r\n"sv, true},
    AcceptedVector{"ipv6_host", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"sv, true},
    AcceptedVector{"extension_method", "PURGE /x HTTP/1.1\r\nHost: a\r\n\r\n"sv, true},
    AcceptedVector{"response_content_length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"sv,
                   false},
    AcceptedVector{"response_chunked",
                   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"sv,
                   false},
    AcceptedVector{"response_until_close", "HTTP/1.1 200 OK\r\n\r\nanything"sv, false},
    AcceptedVector{"response_no_reason", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"sv, false},
    AcceptedVector{"response_empty_reason", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n"sv, false},
    AcceptedVector{"response_204", "HTTP/1.1 204 No Content\r\n\r\n"sv, false},
    AcceptedVector{"response_304_with_cl",
                   "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"sv, false},
    AcceptedVector{"response_100_continue", "HTTP/1.1 100 Continue\r\n\r\n"sv, false},
    AcceptedVector{"response_101",
                   "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                   "Upgrade: websocket\r\n\r\n"sv,
                   false},
    AcceptedVector{"response_http10", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"sv, false},
};

}  // namespace flotilla::http::test_vectors
