// The blocking admin client: POSIX sockets with poll() deadlines, our HTTP/1.1 response parser
// and body reader. One request per connection (`Connection: close`): CLI calls are few.
#include "admin/client.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "config/units.hpp"
#include "http/body_reader.hpp"
#include "http/header_names.hpp"
#include "http/response_parser.hpp"

namespace flotilla::admin {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxResponseBytes = 64 * 1024 * 1024;

class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~UniqueFd() { reset(); }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// strerror with a lowercase first letter, to sit inside a sentence.
std::string describe(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 24 * 3600 * 1000));
}

// Waits until `fd` is ready for `events`; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  pollfd entry{fd, events, 0};
  for (;;) {
    const int n = ::poll(&entry, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return true;  // let the following call report the error
  }
}

std::string bracket_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

std::string ClientTarget::display() const {
  if (kind == Kind::kUnixSocket) return path;
  return fmt::format("http://{}:{}", bracket_host(host), port);
}

std::optional<ClientTarget> parse_admin_url(std::string_view url, std::string& error) {
  ClientTarget target;
  if (url.starts_with("unix:")) {
    target.path = std::string(url.substr(5));
    if (target.path.empty()) {
      error = "admin URL 'unix:': missing socket path";
      return std::nullopt;
    }
    return target;
  }
  if (url.starts_with("https://")) {
    error = fmt::format(
        "admin URL '{}': the admin API speaks plain http:// (use the unix socket, "
        "or a TLS tunnel in front of it)",
        url);
    return std::nullopt;
  }
  if (url.starts_with("http://")) {
    std::string_view authority = url.substr(7);
    if (authority.ends_with('/')) authority.remove_suffix(1);
    if (authority.find('/') != std::string_view::npos) {
      error = fmt::format("admin URL '{}': expected http://HOST:PORT without a path", url);
      return std::nullopt;
    }
    const auto address = config::parse_address(authority);
    if (!address || address->kind != config::Address::Kind::tcp || address->port == 0) {
      error = fmt::format("admin URL '{}': expected http://HOST:PORT{}", url,
                          address ? "" : " (" + address.error() + ")");
      return std::nullopt;
    }
    target.kind = ClientTarget::Kind::kTcp;
    target.host = address->host;
    target.port = address->port;
    return target;
  }
  if (url.find("://") != std::string_view::npos) {
    error = fmt::format("admin URL '{}': expected http://HOST:PORT or unix:/path", url);
    return std::nullopt;
  }
  if (url.find('/') != std::string_view::npos) {
    target.path = std::string(url);
    return target;
  }
  error =
      fmt::format("admin URL '{}': expected http://HOST:PORT or the path of a unix socket", url);
  return std::nullopt;
}

std::string ClientResponse::error_message() const {
  if (json.is_object() && json.contains("error") && json["error"].is_string()) {
    return json["error"].get<std::string>();
  }
  const std::size_t end = body.find_last_not_of(" \r\n");
  if (end != std::string::npos) return body.substr(0, end + 1);
  return fmt::format("HTTP {}", status);
}

Client::Client(ClientTarget target, std::optional<std::string> token, std::string hint)
    : target_(std::move(target)), token_(std::move(token)), hint_(std::move(hint)) {}

void Client::set_timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds exchange) {
  connect_timeout_ = connect;
  exchange_timeout_ = exchange;
}

int Client::connect_socket() const {
  const auto unreachable = [this](int error) {
    std::string message =
        fmt::format("cannot reach flotilla at {}: {}", target_.display(), describe(error));
    if (error == ECONNREFUSED || error == ENOENT || error == ETIMEDOUT) {
      message += " — is `flotilla up` running?";
    }
    if (!hint_.empty()) message += fmt::format(" ({})", hint_);
    return ClientError(ClientError::Kind::kUnreachable, message);
  };

  if (target_.kind == ClientTarget::Kind::kUnixSocket) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (target_.path.size() >= sizeof(address.sun_path)) throw unreachable(ENAMETOOLONG);
    std::memcpy(address.sun_path, target_.path.c_str(), target_.path.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) throw unreachable(errno);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
      throw unreachable(errno);
    }
    return fd.release();
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(target_.port);
  if (const int rc = ::getaddrinfo(target_.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw ClientError(
        ClientError::Kind::kUnreachable,
        fmt::format("cannot reach flotilla at {}: {}", target_.display(), ::gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
  const Clock::time_point deadline = Clock::now() + connect_timeout_;
  int last_error = ECONNREFUSED;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (fd.get() < 0) {
      last_error = errno;
      continue;
    }
    int rc = ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (!wait_for(fd.get(), POLLOUT, deadline)) {
        last_error = ETIMEDOUT;
        continue;
      }
      socklen_t size = sizeof(last_error);
      rc = ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &last_error, &size) == 0 && last_error == 0
               ? 0
               : -1;
    } else if (rc != 0) {
      last_error = errno;
    }
    if (rc == 0) return fd.release();
  }
  throw unreachable(last_error);
}

ClientResponse Client::request(std::string_view method, std::string_view target,
                               const nlohmann::json* body) const {
  UniqueFd fd(connect_socket());
  const Clock::time_point deadline = Clock::now() + exchange_timeout_;
  const auto failed = [this](const std::string& what) {
    return ClientError(ClientError::Kind::kFailed,
                       fmt::format("flotilla at {}: {}", target_.display(), what));
  };

  std::string payload = body != nullptr ? body->dump() : std::string();
  std::string message = fmt::format(
      "{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: flotilla-cli/{}\r\nAccept: application/json\r\n"
      "Connection: close\r\n",
      method, target,
      target_.kind == ClientTarget::Kind::kTcp ? bracket_host(target_.host) : "localhost",
      FLOTILLA_VERSION);
  if (token_) message += fmt::format("Authorization: Bearer {}\r\n", *token_);
  if (body != nullptr) message += "Content-Type: application/json\r\n";
  if (body != nullptr || method == "POST" || method == "PUT") {
    message += fmt::format("Content-Length: {}\r\n", payload.size());
  }
  message += "\r\n";
  message += payload;

  std::size_t sent = 0;
  while (sent < message.size()) {
    if (!wait_for(fd.get(), POLLOUT, deadline)) throw failed("timed out sending the request");
    const ssize_t n = ::send(fd.get(), message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    // The server may answer (401, 413) and close before reading everything: read that answer.
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) break;
    if (n < 0) throw failed(describe(errno));
    sent += static_cast<std::size_t>(n);
  }

  std::string buffer;
  bool eof = false;
  const auto read_more = [&] {
    if (buffer.size() > kMaxResponseBytes) throw failed("answer too large");
    char chunk[16 * 1024];
    for (;;) {
      if (!wait_for(fd.get(), POLLIN, deadline)) throw failed("timed out waiting for the answer");
      const ssize_t n = ::recv(fd.get(), chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw failed(describe(errno));
      if (n == 0) eof = true;
      buffer.append(chunk, static_cast<std::size_t>(n));
      return;
    }
  };

  http::ResponseParser parser;
  const http::Method request_method = http::method_from(method);
  std::size_t head_start = 0;
  ClientResponse response;
  http::BodyReader reader;
  for (;;) {
    parser.reset(request_method);
    http::ParseResult result = parser.parse(std::string_view(buffer).substr(head_start));
    while (result.incomplete()) {
      if (eof) throw failed("connection closed before a complete answer");
      read_more();
      result = parser.parse(std::string_view(buffer).substr(head_start));
    }
    if (result.failed()) {
      throw failed(fmt::format("malformed answer: {}", http::to_string(result.error)));
    }
    head_start += result.consumed;
    if (parser.head().informational) continue;  // 100 Continue: the final answer follows
    response.status = parser.head().status;
    reader.start(parser.head().framing, parser.head().content_length);
    break;
  }

  std::size_t position = head_start;
  while (!reader.done()) {
    const http::BodyStep step = reader.next(std::string_view(buffer).substr(position));
    if (step.failed()) throw failed(fmt::format("malformed body: {}", http::to_string(step.error)));
    response.body.append(step.data);
    position += step.consumed;
    if (step.done || step.consumed > 0) continue;
    if (eof) {
      const http::ParseError error = reader.finish_at_eof();
      if (error != http::ParseError::kNone) throw failed("connection closed mid-answer");
      break;
    }
    read_more();
  }
  if (!response.body.empty()) {
    response.json = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (response.json.is_discarded()) response.json = nullptr;
  }
  return response;
}

}  // namespace flotilla::admin
