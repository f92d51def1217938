// Microbenchmarks of the HTTP/1.1 codec's hot path: request/response heads, chunked bodies,
// head serialization. One iteration = one message, so time/iteration is ns per request.
#include <benchmark/benchmark.h>

#include <string>

#include "http/chunked_decoder.hpp"
#include "http/chunked_encoder.hpp"
#include "http/head_writer.hpp"
#include "http/request_parser.hpp"
#include "http/response_parser.hpp"

namespace {

using namespace flotilla::http;

// A Chrome 119 navigation: 13 header fields, ~700 bytes.
constexpr std::string_view kChromeGet =
    "GET /products/widgets?category=tools&sort=price_asc&page=2 HTTP/1.1\r\n"
    "Host: shop.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Google Chrome\";v=\"119\", \"Chromium\";v=\"119\", \"Not?A_Brand\";v=\"24\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Referer: https://shop.example.com/products\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "\r\n";

// A JSON API response as uvicorn/FastAPI sends it behind a proxy: 8 header fields.
constexpr std::string_view kJsonResponse =
    "HTTP/1.1 200 OK\r\n"
    "date: Tue, 21 Nov 2023 23:31:00 GMT\r\n"
    "server: uvicorn\r\n"
    "content-type: application/json\r\n"
    "content-length: 1234\r\n"
    "cache-control: no-store\r\n"
    "vary: Accept-Encoding\r\n"
    "x-request-id: 7b0c6a1e-2f4d-4c1b-9e8a-5d3f2a1b0c9d\r\n"
    "connection: keep-alive\r\n"
    "\r\n";

void BM_ParseChromeRequest(benchmark::State& state) {
  RequestParser parser;
  for (auto _ : state) {
    parser.reset();
    ParseResult r = parser.parse(kChromeGet);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(parser.head().headers.data());
  }
  if (!parser.parse(kChromeGet).complete()) state.SkipWithError("request did not parse");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kChromeGet.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["bytes"] = static_cast<double>(kChromeGet.size());
  state.counters["headers"] = static_cast<double>(parser.head().headers.size());
}
BENCHMARK(BM_ParseChromeRequest);

// The same request arriving in two reads (split in the middle of the headers).
void BM_ParseChromeRequestTwoReads(benchmark::State& state) {
  RequestParser parser;
  const std::string_view first = kChromeGet.substr(0, kChromeGet.size() / 2);
  for (auto _ : state) {
    parser.reset();
    ParseResult r = parser.parse(first);
    benchmark::DoNotOptimize(r);
    r = parser.parse(kChromeGet);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseChromeRequestTwoReads);

void BM_ParseJsonResponse(benchmark::State& state) {
  ResponseParser parser;
  for (auto _ : state) {
    parser.reset(Method::kGet);
    ParseResult r = parser.parse(kJsonResponse);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(parser.head().headers.data());
  }
  parser.reset();
  if (!parser.parse(kJsonResponse).complete()) state.SkipWithError("response did not parse");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kJsonResponse.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["headers"] = static_cast<double>(parser.head().headers.size());
}
BENCHMARK(BM_ParseJsonResponse);

// Parse + forward: drop hop-by-hop fields, append Via / X-Forwarded-For / X-Request-Id.
void BM_ParseAndWriteChromeRequest(benchmark::State& state) {
  RequestParser parser;
  HeadWriter writer;
  const std::string_view added[] = {"Via: 1.1 flotilla\r\n", "X-Forwarded-For: 203.0.113.7\r\n",
                                    "X-Request-Id: 7b0c6a1e2f4d4c1b\r\n"};
  ForwardOptions options;
  options.added = added;
  for (auto _ : state) {
    parser.reset();
    ParseResult r = parser.parse(kChromeGet);
    benchmark::DoNotOptimize(r);
    auto pieces = writer.write(parser.head(), options);
    benchmark::DoNotOptimize(pieces.data());
  }
  state.counters["pieces"] = static_cast<double>(writer.write(parser.head(), options).size());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseAndWriteChromeRequest);

std::string make_chunked_body(std::size_t total, std::size_t chunk) {
  std::string wire;
  std::array<char, kMaxChunkHeaderSize> buf{};
  bool first = true;
  for (std::size_t sent = 0; sent < total; sent += chunk) {
    const std::size_t n = std::min(chunk, total - sent);
    wire.append(buf.data(), write_chunk_header(buf, n, !first));
    wire.append(n, 'x');
    first = false;
  }
  wire.append(buf.data(), write_last_chunk(buf, {}, true));
  return wire;
}

// A 64 KiB body, chunk size as the argument; the whole body is in one buffer.
void BM_DecodeChunked64KiB(benchmark::State& state) {
  const std::string wire = make_chunked_body(64 * 1024, static_cast<std::size_t>(state.range(0)));
  ChunkedDecoder decoder;
  std::size_t body = 0;
  for (auto _ : state) {
    decoder.reset();
    std::string_view in = wire;
    body = 0;
    while (!decoder.done()) {
      const BodyStep s = decoder.decode(in);
      body += s.data.size();
      in.remove_prefix(s.consumed);
      if (s.failed()) break;
    }
    benchmark::DoNotOptimize(body);
  }
  if (body != 64 * 1024) state.SkipWithError("body did not decode");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_DecodeChunked64KiB)->Arg(256)->Arg(4096)->Arg(16384);

}  // namespace
