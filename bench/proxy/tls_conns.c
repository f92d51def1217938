// TLS handshake load for bench/proxy/run.sh: CONCURRENCY connections at a time, each one a new
// TCP connection, a TLS handshake (full, or resumed from the newest session the proxy gave us),
// one `GET /` with `Connection: close`, the response read to the proxy's close; for DURATION s.
// Never verifies the certificate (the proxies' cost is measured, not ours); bounded in time.
//
//   cc -O2 -o tls_conns tls_conns.c -lssl -lcrypto
//   tls_conns HOST PORT DURATION_S CONCURRENCY MODE [VERSION]
//     MODE: full    every handshake is a full one (no session offered)
//           ticket  offer the newest session: TLS 1.3 PSK / TLS 1.2 ticket (stateless)
//           id      TLS 1.2 only: no ticket extension, resume by session id (the server's cache)
//     VERSION: 1.3 (default) or 1.2
//
// Prints one line: JSON {"connections":N,"resumed":R,"failed":F,"duration_us":D,"version":V}
// (connections = completed with a 200 response; resumed = those that resumed a session).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { kMaxConcurrency = 1024, kMaxResponse = 4096 };
static const char kRequest[] = "GET / HTTP/1.1\r\nHost: bench.test\r\nConnection: close\r\n\r\n";

enum State { kConnecting, kHandshaking, kWriting, kReading };
struct Slot {
  int fd;
  SSL* ssl;
  enum State state;
  size_t got;
  char response[kMaxResponse];
};

static SSL_CTX* ctx;
static SSL_SESSION* newest;  // the session to offer next (resumption modes)
static int resume;
static struct sockaddr_in target;
static int epoll_fd;
static long completed, resumed_count, failed;
static const char* version_seen = "";

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void close_slot(struct Slot* s) {
  ERR_clear_error();  // a failed connection's errors must not be read as the next one's
  if (s->ssl) SSL_free(s->ssl);
  s->ssl = NULL;
  if (s->fd >= 0) {
    struct linger lg = {1, 0};  // a reset: no TIME_WAIT piles up on the client side
    setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(s->fd);
  }
  s->fd = -1;
}

static int open_slot(struct Slot* s) {
  s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd < 0) return -1;
  int one = 1;
  setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  s->ssl = SSL_new(ctx);
  SSL_set_fd(s->ssl, s->fd);
  SSL_set_tlsext_host_name(s->ssl, "bench.test");
  if (resume && newest) SSL_set_session(s->ssl, newest);
  s->got = 0;
  s->state = kConnecting;
  struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = s};
  if (connect(s->fd, (struct sockaddr*)&target, sizeof target) != 0 && errno != EINPROGRESS)
    return -1;
  return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, s->fd, &ev);
}

static void wait_for(struct Slot* s, int want) {
  struct epoll_event ev = {.events = want == SSL_ERROR_WANT_WRITE ? EPOLLOUT : EPOLLIN,
                           .data.ptr = s};
  epoll_ctl(epoll_fd, EPOLL_CTL_MOD, s->fd, &ev);
}

// Advances one connection; returns 1 when it is over (done or failed), 0 while it waits.
static int step(struct Slot* s) {
  if (s->state == kConnecting) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) return -1;
    s->state = kHandshaking;
  }
  if (s->state == kHandshaking) {
    int r = SSL_connect(s->ssl);
    if (r != 1) {
      int e = SSL_get_error(s->ssl, r);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        wait_for(s, e);
        return 0;
      }
      return -1;
    }
    s->state = kWriting;
  }
  if (s->state == kWriting) {
    int r = SSL_write(s->ssl, kRequest, (int)(sizeof kRequest - 1));
    if (r <= 0) {
      int e = SSL_get_error(s->ssl, r);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        wait_for(s, e);
        return 0;
      }
      return -1;
    }
    s->state = kReading;
  }
  for (;;) {  // kReading: to the proxy's close (Connection: close)
    if (s->got == kMaxResponse) return -1;
    int r = SSL_read(s->ssl, s->response + s->got, (int)(kMaxResponse - s->got));
    if (r > 0) {
      s->got += (size_t)r;
      continue;
    }
    int e = SSL_get_error(s->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      wait_for(s, e);
      return 0;
    }
    // The proxy's close: close_notify, or a FIN (IGNORE_UNEXPECTED_EOF) or a reset after the
    // response; the response is judged below either way.
    if (e != SSL_ERROR_ZERO_RETURN && e != SSL_ERROR_SYSCALL) return -1;
    break;
  }
  if (s->got < 12 || memcmp(s->response, "HTTP/1.1 200", 12) != 0 ||
      memmem(s->response, s->got, "\r\n\r\nok", 6) == NULL)
    return -1;
  completed++;
  // A clean end as far as OpenSSL is concerned: freeing an SSL that has not "shut down" marks its
  // session not resumable (we reset the TCP connection instead of sending close_notify).
  SSL_set_shutdown(s->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  if (SSL_session_reused(s->ssl)) resumed_count++;
  version_seen = SSL_get_version(s->ssl);
  if (resume) {
    SSL_SESSION* session = SSL_get1_session(s->ssl);  // after the read: TLS 1.3 tickets are in
    if (session && SSL_SESSION_is_resumable(session)) {
      if (newest) SSL_SESSION_free(newest);
      newest = session;
    } else if (session) {
      SSL_SESSION_free(session);
    }
  }
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s HOST PORT DURATION_S CONCURRENCY full|ticket|id [1.3|1.2]\n",
            argv[0]);
    return 2;
  }
  double duration = atof(argv[3]);
  int concurrency = atoi(argv[4]);
  const char* mode = argv[5];
  const char* version = argc > 6 ? argv[6] : "1.3";
  if (concurrency < 1 || concurrency > kMaxConcurrency || duration <= 0) return 2;
  memset(&target, 0, sizeof target);
  target.sin_family = AF_INET;
  target.sin_port = htons((unsigned short)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1) return 2;

  ctx = SSL_CTX_new(TLS_client_method());
  int v = strcmp(version, "1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
  SSL_CTX_set_min_proto_version(ctx, v);
  SSL_CTX_set_max_proto_version(ctx, v);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);  // we keep the newest ourselves
  if (strcmp(mode, "full") == 0) {
    resume = 0;
  } else if (strcmp(mode, "ticket") == 0) {
    resume = 1;
  } else if (strcmp(mode, "id") == 0 && v == TLS1_2_VERSION) {
    resume = 1;
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  } else {
    fprintf(stderr, "bad mode '%s' for TLS %s\n", mode, version);
    return 2;
  }

  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  static struct Slot slots[kMaxConcurrency];
  double start = now_s(), end = start + duration, hard_end = end + 10;
  for (int i = 0; i < concurrency; i++) {
    slots[i].fd = -1;
    if (open_slot(&slots[i]) != 0) {
      failed++;
      close_slot(&slots[i]);
    }
  }
  int open_count = 0;
  for (int i = 0; i < concurrency; i++) open_count += slots[i].fd >= 0;
  struct epoll_event events[kMaxConcurrency];
  while (open_count > 0 && now_s() < hard_end) {
    int n = epoll_wait(epoll_fd, events, concurrency, 200);
    double t = now_s();
    for (int i = 0; i < n; i++) {
      struct Slot* s = events[i].data.ptr;
      int r = step(s);
      if (r == 0) continue;
      if (r < 0) failed++;
      close_slot(s);
      open_count--;
      if (t < end) {
        if (open_slot(s) == 0) {
          open_count++;
        } else {
          failed++;
          close_slot(s);
        }
      }
    }
    if (failed > 1000 && completed == 0) break;  // nothing works: say so quickly
  }
  double stop = now_s();
  for (int i = 0; i < concurrency; i++) {
    if (slots[i].fd >= 0) failed++;  // still open at the hard end
    close_slot(&slots[i]);
  }
  printf(
      "JSON {\"connections\":%ld,\"resumed\":%ld,\"failed\":%ld,\"duration_us\":%.0f,"
      "\"version\":\"%s\",\"mode\":\"%s\"}\n",
      completed, resumed_count, failed, (stop - start) * 1e6, version_seen, mode);
  return completed > 0 ? 0 : 1;
}
