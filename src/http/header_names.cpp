// Method and header-name recognition: a switch on length, then one or two comparisons.
// Must stay branch-light: it runs once per header of every request and response.
#include "http/header_names.hpp"

#include "http/char_class.hpp"

namespace flotilla::http {

Method method_from(std::string_view m) noexcept {
  switch (m.size()) {
    case 3:
      if (m == "GET") return Method::kGet;
      if (m == "PUT") return Method::kPut;
      break;
    case 4:
      if (m == "POST") return Method::kPost;
      if (m == "HEAD") return Method::kHead;
      break;
    case 5:
      if (m == "PATCH") return Method::kPatch;
      if (m == "TRACE") return Method::kTrace;
      break;
    case 6:
      if (m == "DELETE") return Method::kDelete;
      break;
    case 7:
      if (m == "OPTIONS") return Method::kOptions;
      if (m == "CONNECT") return Method::kConnect;
      break;
    default:
      break;
  }
  return Method::kOther;
}

std::string_view to_string(Method method) noexcept {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kDelete:
      return "DELETE";
    case Method::kConnect:
      return "CONNECT";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kTrace:
      return "TRACE";
    case Method::kPatch:
      return "PATCH";
    case Method::kOther:
      break;
  }
  return "OTHER";
}

HeaderId header_id_from(std::string_view n) noexcept {
  using detail::iequals;
  // The first letter narrows each length bucket to one or two candidates.
  const char first = detail::to_lower(n.empty() ? '\0' : n[0]);
  switch (n.size()) {
    case 2:
      if (iequals(n, "te")) return HeaderId::kTe;
      break;
    case 3:
      if (first == 'v' && iequals(n, "via")) return HeaderId::kVia;
      if (first == 'a' && iequals(n, "age")) return HeaderId::kAge;
      break;
    case 4:
      if (first == 'h' && iequals(n, "host")) return HeaderId::kHost;
      if (first == 'd' && iequals(n, "date")) return HeaderId::kDate;
      if (first == 'e' && iequals(n, "etag")) return HeaderId::kEtag;
      if (first == 'v' && iequals(n, "vary")) return HeaderId::kVary;
      break;
    case 5:
      if (first == 'r' && iequals(n, "range")) return HeaderId::kRange;
      break;
    case 6:
      if (first == 'c' && iequals(n, "cookie")) return HeaderId::kCookie;
      if (first == 'e' && iequals(n, "expect")) return HeaderId::kExpect;
      if (first == 's' && iequals(n, "server")) return HeaderId::kServer;
      if (first == 'p' && iequals(n, "pragma")) return HeaderId::kPragma;
      break;
    case 7:
      if (first == 'u' && iequals(n, "upgrade")) return HeaderId::kUpgrade;
      if (first == 't' && iequals(n, "trailer")) return HeaderId::kTrailer;
      if (first == 'e' && iequals(n, "expires")) return HeaderId::kExpires;
      break;
    case 8:
      if (first == 'l' && iequals(n, "location")) return HeaderId::kLocation;
      break;
    case 9:
      if (first == 'f' && iequals(n, "forwarded")) return HeaderId::kForwarded;
      if (first == 'x' && iequals(n, "x-real-ip")) return HeaderId::kXRealIp;
      break;
    case 10:
      if (first == 'c' && iequals(n, "connection")) return HeaderId::kConnection;
      if (first == 'k' && iequals(n, "keep-alive")) return HeaderId::kKeepAlive;
      if (first == 's' && iequals(n, "set-cookie")) return HeaderId::kSetCookie;
      if (first == 'u' && iequals(n, "user-agent")) return HeaderId::kUserAgent;
      break;
    case 12:
      if (first == 'c' && iequals(n, "content-type")) return HeaderId::kContentType;
      if (first == 'x' && iequals(n, "x-request-id")) return HeaderId::kXRequestId;
      break;
    case 13:
      if (first == 'a' && iequals(n, "authorization")) return HeaderId::kAuthorization;
      if (first == 'c' && iequals(n, "cache-control")) return HeaderId::kCacheControl;
      if (first == 'l' && iequals(n, "last-modified")) return HeaderId::kLastModified;
      if (first == 'i' && iequals(n, "if-none-match")) return HeaderId::kIfNoneMatch;
      break;
    case 14:
      if (first == 'c' && iequals(n, "content-length")) return HeaderId::kContentLength;
      break;
    case 15:
      if (first == 'x' && iequals(n, "x-forwarded-for")) return HeaderId::kXForwardedFor;
      if (first == 'a' && iequals(n, "accept-encoding")) return HeaderId::kAcceptEncoding;
      break;
    case 16:
      if (first == 'c' && iequals(n, "content-encoding")) return HeaderId::kContentEncoding;
      if (first == 'p' && iequals(n, "proxy-connection")) return HeaderId::kProxyConnection;
      if (first == 'x' && iequals(n, "x-forwarded-host")) return HeaderId::kXForwardedHost;
      break;
    case 17:
      if (first == 't' && iequals(n, "transfer-encoding")) return HeaderId::kTransferEncoding;
      if (first == 'x' && iequals(n, "x-forwarded-proto")) return HeaderId::kXForwardedProto;
      if (first == 'i' && iequals(n, "if-modified-since")) return HeaderId::kIfModifiedSince;
      break;
    default:
      break;
  }
  return HeaderId::kOther;
}

HeaderId underscore_alias_of(std::string_view name) noexcept {
  // Every known name is shorter than this; a longer one cannot alias any of them.
  char folded[32];
  if (name.size() > sizeof folded || name.find('_') == std::string_view::npos) {
    return HeaderId::kOther;
  }
  for (std::size_t i = 0; i < name.size(); ++i) folded[i] = name[i] == '_' ? '-' : name[i];
  return header_id_from(std::string_view(folded, name.size()));
}

}  // namespace flotilla::http
