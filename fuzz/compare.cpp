// Compares two framing verdicts on the same stream and describes where they part.
// Owns the definition of "same framing"; must never excuse a difference (intended_differences
// does).
#include "compare.hpp"

#include <cstdio>
#include <string_view>

namespace flotilla::fuzz {
namespace {

// `head_only`: the messages are unfinished heads; what follows the head is not known yet.
std::string differing_fact(const MessageFraming& a, const MessageFraming& b,
                           bool head_only = false) {
  auto num = [](const char* name, auto x, auto y) {
    return std::string(name) + " " + std::to_string(x) + " vs " + std::to_string(y);
  };
  if (a.start != b.start) return num("start", a.start, b.start);
  if (!head_only && a.end != b.end) return num("end", a.end, b.end);
  if (a.method != b.method)
    return "method '" + escape(a.method) + "' vs '" + escape(b.method) + "'";
  if (a.target != b.target)
    return "target '" + escape(a.target) + "' vs '" + escape(b.target) + "'";
  if (a.status != b.status) return num("status", a.status, b.status);
  if (a.version_major != b.version_major || a.version_minor != b.version_minor) {
    return "version " + std::to_string(a.version_major) + "." + std::to_string(a.version_minor) +
           " vs " + std::to_string(b.version_major) + "." + std::to_string(b.version_minor);
  }
  if (a.header_count != b.header_count) return num("header_count", a.header_count, b.header_count);
  if (head_only) return {};
  if (a.body_length != b.body_length) return num("body_length", a.body_length, b.body_length);
  if (a.keep_alive != b.keep_alive) return num("keep_alive", a.keep_alive, b.keep_alive);
  return {};
}

const MessageFraming* message_at(const StreamVerdict& v, std::size_t i, bool& complete) {
  complete = i < v.messages.size();
  if (complete) return &v.messages[i];
  if (i == v.messages.size() && v.tail_head_complete) return &v.tail_head;
  return nullptr;
}

void append_message(std::string& out, const MessageFraming& m) {
  char line[160];
  std::snprintf(line, sizeof line, "    [%zu,%zu) ", m.start, m.end);
  out += line;
  if (m.status != 0) {
    out += "status " + std::to_string(m.status);
  } else {
    out += "'" + escape(m.method) + "' '" + escape(m.target) + "'";
  }
  std::snprintf(line, sizeof line, " HTTP/%d.%d headers=%zu body=%llu keep_alive=%d\n",
                m.version_major, m.version_minor, m.header_count,
                static_cast<unsigned long long>(m.body_length), m.keep_alive ? 1 : 0);
  out += line;
  for (const auto& [name, value] : m.headers) {
    out += "      " + escape(name) + ": " + escape(value) + "\n";
  }
}

void append_verdict(std::string& out, const char* who, const StreamVerdict& v) {
  out += std::string(who) + ": " + std::to_string(v.messages.size()) + " message(s), then " +
         std::string(to_string(v.end));
  if (!v.error_name.empty()) out += " (" + v.error_name + ")";
  if (v.end == StreamEnd::kRejected || v.end == StreamEnd::kIncomplete) {
    out += " in the message at " + std::to_string(v.tail_start);
    out += v.tail_head_complete ? ", after its head" : ", in its head";
  }
  out += "\n";
  for (const MessageFraming& m : v.messages) append_message(out, m);
  if (v.tail_head_complete) {
    out += "    unfinished:\n";
    append_message(out, v.tail_head);
  }
}

}  // namespace

std::string escape(std::string_view bytes) {
  std::string out;
  for (unsigned char ch : bytes) {
    switch (ch) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (ch < 0x20 || ch >= 0x7f) {
          char hex[5];
          std::snprintf(hex, sizeof hex, "\\x%02x", ch);
          out += hex;
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  return out;
}

std::optional<Divergence> first_divergence(const FuzzCase& c, const StreamVerdict& flotilla,
                                           const StreamVerdict& llhttp) {
  Divergence d;
  d.input = &c;
  d.flotilla = &flotilla;
  d.llhttp = &llhttp;
  const std::size_t common = std::min(flotilla.messages.size(), llhttp.messages.size());
  for (d.index = 0; d.index < common; ++d.index) {
    d.what = differing_fact(flotilla.messages[d.index], llhttp.messages[d.index]);
    if (!d.what.empty()) break;
  }
  if (d.index == common && flotilla.messages.size() == llhttp.messages.size() &&
      flotilla.end == llhttp.end) {
    // Both stopped inside the same message: one may have accepted its head (a proxy forwards an
    // accepted head before the body fails), or both did but read different heads.
    const bool unfinished =
        flotilla.end == StreamEnd::kRejected || flotilla.end == StreamEnd::kIncomplete;
    if (!unfinished) return std::nullopt;
    if (flotilla.tail_head_complete != llhttp.tail_head_complete) {
      d.what = std::string("both ") + std::string(to_string(flotilla.end)) + ", but only " +
               (flotilla.tail_head_complete ? "flotilla" : "llhttp") + " accepted the head";
    } else if (flotilla.tail_head_complete) {
      d.what = differing_fact(flotilla.tail_head, llhttp.tail_head, true);
    }
    if (d.what.empty()) return std::nullopt;
  } else if (d.index == common) {
    d.what = "flotilla has " + std::to_string(flotilla.messages.size()) + " message(s) then " +
             std::string(to_string(flotilla.end)) + ", llhttp " +
             std::to_string(llhttp.messages.size()) + " then " + std::string(to_string(llhttp.end));
  }
  d.fl = message_at(flotilla, d.index, d.fl_complete);
  d.ll = message_at(llhttp, d.index, d.ll_complete);
  return d;
}

bool identical(const StreamVerdict& a, const StreamVerdict& b) {
  if (a.end != b.end || a.error_code != b.error_code || a.tail_start != b.tail_start ||
      a.tail_head_complete != b.tail_head_complete || a.messages.size() != b.messages.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.messages.size(); ++i) {
    if (!differing_fact(a.messages[i], b.messages[i]).empty()) return false;
    if (a.messages[i].headers != b.messages[i].headers) return false;
    if (a.messages[i].head_end != b.messages[i].head_end) return false;
  }
  return !a.tail_head_complete || (differing_fact(a.tail_head, b.tail_head).empty() &&
                                   a.tail_head.headers == b.tail_head.headers);
}

std::string describe(const FuzzCase& c, const StreamVerdict& flotilla, const StreamVerdict& llhttp,
                     const Divergence* d) {
  std::string out = c.response_mode
                        ? "mode: responses (HEAD mask " + std::to_string(c.head_mask) + ")\n"
                        : "mode: requests\n";
  out += "input (" + std::to_string(c.stream.size()) + " bytes): \"" + escape(c.stream) + "\"\n";
  append_verdict(out, "flotilla", flotilla);
  append_verdict(out, "llhttp  ", llhttp);
  if (d != nullptr)
    out += "first difference at message " + std::to_string(d->index) + ": " + d->what + "\n";
  return out;
}

}  // namespace flotilla::fuzz
