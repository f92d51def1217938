// ARI (see renewal_info.hpp): certificate IDs, RFC 3339 times, the suggested window and the
// two GETs that read it.
#include "acme/renewal_info.hpp"

#include <ctime>

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <nlohmann/json.hpp>

#include "acme/client.hpp"
#include "acme/jws.hpp"
#include "client/exchange.hpp"

namespace flotilla::acme {
namespace {

// The content octets of a DER INTEGER (tag 0x02, then a short or long form length).
std::string der_integer_content(const ASN1_INTEGER* serial) {
  unsigned char* der = nullptr;
  const int length = i2d_ASN1_INTEGER(serial, &der);
  std::string out;
  if (length > 2 && der[0] == 0x02) {
    std::size_t header = 2;
    if (der[1] & 0x80) header += der[1] & 0x7f;
    if (header < static_cast<std::size_t>(length)) {
      out.assign(reinterpret_cast<const char*>(der) + header,
                 static_cast<std::size_t>(length) - header);
    }
  }
  OPENSSL_free(der);
  return out;
}

int digits(std::string_view text, std::size_t at, std::size_t count, bool& ok) {
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') {
      ok = false;
      return 0;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<std::string> renewal_cert_id(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  tls::X509Ptr leaf(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  if (!leaf) return std::nullopt;
  const ASN1_OCTET_STRING* key_id = X509_get0_authority_key_id(leaf.get());
  if (key_id == nullptr || ASN1_STRING_length(key_id) <= 0) return std::nullopt;
  const std::string serial = der_integer_content(X509_get0_serialNumber(leaf.get()));
  if (serial.empty()) return std::nullopt;
  const std::string aki(reinterpret_cast<const char*>(ASN1_STRING_get0_data(key_id)),
                        static_cast<std::size_t>(ASN1_STRING_length(key_id)));
  return base64url(aki) + "." + base64url(serial);
}

std::optional<SystemTime> parse_rfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±hh:mm)
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  bool ok = true;
  std::tm tm{};
  tm.tm_year = digits(text, 0, 4, ok) - 1900;
  tm.tm_mon = digits(text, 5, 2, ok) - 1;
  tm.tm_mday = digits(text, 8, 2, ok);
  tm.tm_hour = digits(text, 11, 2, ok);
  tm.tm_min = digits(text, 14, 2, ok);
  tm.tm_sec = digits(text, 17, 2, ok);
  if (!ok || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
      tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  std::size_t at = 19;
  std::chrono::nanoseconds fraction{0};
  if (at < text.size() && text[at] == '.') {
    long long scale = 100000000;
    ++at;
    const std::size_t first = at;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
      fraction += std::chrono::nanoseconds((text[at] - '0') * scale);
      scale /= 10;
    }
    if (at == first) return std::nullopt;
  }
  std::chrono::seconds offset{0};
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
    // UTC
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    const int hours = digits(text, at + 1, 2, ok);
    const int minutes = digits(text, at + 4, 2, ok);
    if (!ok) return std::nullopt;
    offset = std::chrono::seconds((hours * 60 + minutes) * 60);
    if (text[at] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  const time_t seconds = timegm(&tm);
  return std::chrono::system_clock::from_time_t(seconds) - offset +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

std::optional<RenewalWindow> parse_renewal_info(std::string_view body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  const auto window = json.find("suggestedWindow");
  if (window == json.end() || !window->is_object()) return std::nullopt;
  const auto start = window->find("start");
  const auto end = window->find("end");
  if (start == window->end() || end == window->end() || !start->is_string() || !end->is_string()) {
    return std::nullopt;
  }
  const std::optional<SystemTime> from = parse_rfc3339(start->get<std::string>());
  const std::optional<SystemTime> to = parse_rfc3339(end->get<std::string>());
  if (!from || !to || *to <= *from) return std::nullopt;
  return RenewalWindow{*from, *to};
}

SystemTime renewal_moment(const RenewalWindow& window, double unit, SystemTime now) {
  if (window.end <= now) return now;
  const auto span = window.end - window.start;
  const auto offset = std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::duration<double, SystemTime::period>(static_cast<double>(span.count()) *
                                                        std::clamp(unit, 0.0, 1.0)));
  const SystemTime moment = window.start + std::min(offset, span - SystemTime::duration(1));
  return std::max(moment, now);
}

asio::awaitable<RenewalInfoAnswer> fetch_renewal_info(asio::any_io_executor executor,
                                                      std::string directory,
                                                      std::shared_ptr<const tls::ClientContext> tls,
                                                      std::string cert_id) {
  RenewalInfoAnswer answer;
  client::Options options;
  options.tls = std::move(tls);
  options.timeout = std::chrono::seconds(30);
  options.max_body = 256 * 1024;
  client::Endpoint endpoint;
  client::Request request;
  if (!split_url(directory, endpoint, request.target, answer.error)) co_return answer;
  const client::Result listing = co_await client::exchange(executor, endpoint, request, options);
  if (!listing.ok() || listing.response.status != 200) {
    answer.error = listing.ok() ? fmt::format("{}: HTTP {}", directory, listing.response.status)
                                : fmt::format("{}: {}", directory, listing.message);
    co_return answer;
  }
  const nlohmann::json json = nlohmann::json::parse(listing.response.body, nullptr, false);
  if (!json.is_object() || !json.contains("renewalInfo") || !json["renewalInfo"].is_string()) {
    co_return answer;  // no ARI: the caller renews at a third of the lifetime
  }
  answer.supported = true;
  std::string url = json["renewalInfo"].get<std::string>();
  if (!url.ends_with('/')) url += '/';
  url += cert_id;
  client::Request info;
  if (!split_url(url, endpoint, info.target, answer.error)) co_return answer;
  const client::Result got = co_await client::exchange(executor, endpoint, info, options);
  if (!got.ok()) {
    answer.error = fmt::format("{}: {}", url, got.message);
    co_return answer;
  }
  answer.retry_after = parse_retry_after(got.response.header("Retry-After"));
  if (got.response.status != 200) {
    answer.error = fmt::format("{}: HTTP {}", url, got.response.status);
    co_return answer;
  }
  answer.window = parse_renewal_info(got.response.body);
  if (!answer.window) answer.error = fmt::format("{}: no usable suggestedWindow", url);
  co_return answer;
}

}  // namespace flotilla::acme
