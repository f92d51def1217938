// Accept-Encoding negotiation: one pass over the field value per coding asked about (the lists
// are a few elements long), no allocation, no state.
#include "http/content_coding.hpp"

#include "http/ascii.hpp"

namespace flotilla::http {
namespace {

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths; -1 if malformed.
int parse_qvalue(std::string_view v) noexcept {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return -1;
  int value = (v[0] - '0') * 1000;
  if (v.size() == 1) return value;
  if (v[1] != '.' || v.size() > 5) return -1;
  int scale = 100;
  for (std::size_t i = 2; i < v.size(); ++i, scale /= 10) {
    if (v[i] < '0' || v[i] > '9') return -1;
    value += (v[i] - '0') * scale;
  }
  return value > 1000 ? -1 : value;
}

struct Element {
  std::string_view coding;
  int weight = 1000;  // -1: malformed, ignored
};

// Splits "coding;q=0.5" into its coding and weight (other parameters are ignored).
Element parse_element(std::string_view item) noexcept {
  Element element;
  const std::size_t semi = item.find(';');
  element.coding = trim_ows(item.substr(0, semi));
  std::string_view params = semi == std::string_view::npos ? std::string_view{} : item.substr(semi);
  while (!params.empty()) {
    params.remove_prefix(1);  // the ';'
    const std::size_t next = params.find(';');
    const std::string_view param = trim_ows(params.substr(0, next));
    params = next == std::string_view::npos ? std::string_view{} : params.substr(next);
    if (param.size() >= 2 && ascii_lower(param[0]) == 'q' && param[1] == '=') {
      element.weight = parse_qvalue(param.substr(2));
    }
  }
  return element;
}

// Calls `visit(element)` for each well-formed element of the list.
template <typename Visit>
void for_each_element(std::string_view list, Visit&& visit) noexcept {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    const Element element = parse_element(item);
    if (element.coding.empty() || element.weight < 0) continue;
    visit(element);
  }
}

}  // namespace

std::string_view coding_token(ContentCoding coding) noexcept {
  switch (coding) {
    case ContentCoding::kIdentity:
      return "identity";
    case ContentCoding::kGzip:
      return "gzip";
    case ContentCoding::kBrotli:
      return "br";
    case ContentCoding::kZstd:
      return "zstd";
    case ContentCoding::kNotAcceptable:
      break;
  }
  return {};
}

ContentCoding coding_from_token(std::string_view token) noexcept {
  if (ascii_iequals(token, "gzip") || ascii_iequals(token, "x-gzip")) return ContentCoding::kGzip;
  if (ascii_iequals(token, "br")) return ContentCoding::kBrotli;
  if (ascii_iequals(token, "zstd")) return ContentCoding::kZstd;
  if (ascii_iequals(token, "identity")) return ContentCoding::kIdentity;
  return ContentCoding::kNotAcceptable;
}

namespace {

// The weight the list gives `coding` by its own element or `*`, or -1 when it names neither.
int listed_weight(std::string_view accept_encoding, ContentCoding coding) noexcept {
  int own = -1;
  int star = -1;
  for_each_element(accept_encoding, [&](const Element& element) {
    if (element.coding == "*") {
      star = element.weight;
    } else if (coding_from_token(element.coding) == coding) {
      // A coding listed twice: the higher weight (lenient; RFC 9110 does not say).
      if (element.weight > own) own = element.weight;
    }
  });
  return own >= 0 ? own : star;
}

}  // namespace

int coding_weight(std::string_view accept_encoding, ContentCoding coding) noexcept {
  const int weight = listed_weight(accept_encoding, coding);
  if (weight >= 0) return weight;
  return coding == ContentCoding::kIdentity ? 1000 : 0;
}

ContentCoding negotiate_coding(const std::string_view* accept_encoding,
                               std::span<const ContentCoding> offered) noexcept {
  if (!accept_encoding) return ContentCoding::kIdentity;
  ContentCoding best = ContentCoding::kNotAcceptable;
  int best_weight = 0;
  for (const ContentCoding coding : offered) {
    if (coding == ContentCoding::kIdentity || coding == ContentCoding::kNotAcceptable) continue;
    const int weight = coding_weight(*accept_encoding, coding);
    if (weight > best_weight) {
      best = coding;
      best_weight = weight;
    }
  }
  // Identity competes by its weight only when the client gave it one (its own element or `*`);
  // otherwise it is the fallback, acceptable by default (RFC 9110 §12.5.3).
  const int identity = listed_weight(*accept_encoding, ContentCoding::kIdentity);
  if (identity > best_weight) return ContentCoding::kIdentity;
  if (best != ContentCoding::kNotAcceptable) return best;
  return identity != 0 ? ContentCoding::kIdentity : ContentCoding::kNotAcceptable;
}

}  // namespace flotilla::http
