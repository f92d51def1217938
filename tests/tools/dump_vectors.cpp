// Prints the codec's smuggling and accepted vector tables (tests/unit/http/smuggling_vectors.hpp)
// as JSON, so the integration tests can replay the very same bytes through the proxy. The raw
// bytes go out as hex: the vectors hold NULs, CRs and non-UTF-8 bytes. Must never edit a vector.
#include <cstdio>
#include <string_view>

#include "http/smuggling_vectors.hpp"

namespace {

void print_hex(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (const char c : raw) {
    const auto byte = static_cast<unsigned char>(c);
    std::putchar(kDigits[byte >> 4]);
    std::putchar(kDigits[byte & 0xF]);
  }
}

// Vector names and error names are identifiers and plain English: no JSON escaping needed.
void print_string(std::string_view text) {
  std::printf("\"%.*s\"", static_cast<int>(text.size()), text.data());
}

}  // namespace

int main() {
  using namespace flotilla::http;
  std::printf("{\"rejected\": [\n");
  bool first = true;
  for (const test_vectors::SmugglingVector& v : test_vectors::kSmugglingVectors) {
    std::printf("%s  {\"name\": ", first ? "" : ",\n");
    print_string(v.name);
    std::printf(", \"status\": %d, \"request\": %s, \"error\": ", v.expected_status,
                v.is_request ? "true" : "false");
    print_string(to_string(v.expected_error));
    std::printf(", \"raw_hex\": \"");
    print_hex(v.raw);
    std::printf("\"}");
    first = false;
  }
  std::printf("\n], \"accepted\": [\n");
  first = true;
  for (const test_vectors::AcceptedVector& v : test_vectors::kAcceptedVectors) {
    std::printf("%s  {\"name\": ", first ? "" : ",\n");
    print_string(v.name);
    std::printf(", \"request\": %s, \"raw_hex\": \"", v.is_request ? "true" : "false");
    print_hex(v.raw);
    std::printf("\"}");
    first = false;
  }
  std::printf("\n]}\n");
  return 0;
}
