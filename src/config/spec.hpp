// The whole configuration as plain structs with their defaults: what every other module reads.
// Data only — no parsing, no validation, no behaviour (see loader.hpp for how it is filled).
// Durations are milliseconds, sizes are bytes, CPU is millicores, percentages are 0-100.
#pragma once

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "config/protection_spec.hpp"
#include "config/cache_spec.hpp"
#include "config/rate_limit_spec.hpp"
#include "config/retry_on.hpp"
#include "config/values.hpp"

namespace flotilla::config {

using namespace std::chrono_literals;

using StringMap = std::map<std::string, std::string>;
using HeaderList = std::vector<std::pair<std::string, std::string>>;  // order kept

// ---------------------------------------------------------------- listen

enum class TlsProtocol { tls1_2, tls1_3 };

// A value with variables, e.g. "https://$host$request_uri": parsed once by the loader into
// literal runs and variables, expanded per request by the gateway. Unknown variables are errors.
enum class Variable { scheme, host, remote_addr, request_id, request_uri };

struct TemplatePart {
  std::string literal;  // used when `variable` is empty
  std::optional<Variable> variable;
  friend bool operator==(const TemplatePart&, const TemplatePart&) = default;
};

struct ValueTemplate {
  std::string text;                 // as written
  std::vector<TemplatePart> parts;  // in order; literal runs merged
  bool constant() const { return parts.size() <= 1 && (parts.empty() || !parts[0].variable); }
  friend bool operator==(const ValueTemplate&, const ValueTemplate&) = default;
};

// One certificate chain and its key (PEM), with an optional OCSP response (DER) to staple.
struct TlsCertificate {
  SourcePos pos;               // of the entry (or of the tls block for the flat form)
  std::filesystem::path cert;  // absolute
  std::filesystem::path key;   // absolute
  std::optional<std::filesystem::path> ocsp;  // absolute
  friend bool operator==(const TlsCertificate&, const TlsCertificate&) = default;
};

enum class TlsVerify { none, optional, required };

enum class AcmeChallenge { http_01, tls_alpn_01 };

// `acme:` at the top level (defaults) and under a listener's `tls:` (certificates obtained and
// renewed by flotilla over RFC 8555). After loading, a listener's block has every default
// filled in from the top level; `ca_root` alone may stay empty (the system's trust store).
struct Acme {
  SourcePos pos;
  std::optional<std::string> email;
  std::vector<std::string> domains;              // one certificate each; the first is the default
  std::optional<std::string> directory;          // the ACME directory URL (https)
  std::optional<std::filesystem::path> ca_root;  // absolute; CA certificates of that server
  std::optional<AcmeChallenge> challenge;
  // After a failed order: retry after this, doubled per failure (jittered, at most 6 h).
  std::optional<Duration> retry_initial;
  std::optional<std::uint32_t> max_parallel_orders;  // top level only; default 4
  friend bool operator==(const Acme&, const Acme&) = default;
};
inline constexpr std::string_view kLetsEncryptDirectory =
    "https://acme-v02.api.letsencrypt.org/directory";

// A listener's TLS: `tls: { cert, key }` or `tls: { certificates: [...] }`; the first
// certificate is the default, the others are chosen by SNI from their own names.
struct Tls {
  SourcePos pos;
  // With `acme`, one entry per domain the loader makes:
  // <state_dir>/acme/certificates/<domain>/{fullchain,key}.pem
  std::vector<TlsCertificate> certificates;
  std::optional<Acme> acme;
  std::vector<TlsProtocol> protocols{TlsProtocol::tls1_2, TlsProtocol::tls1_3};
  std::string ciphers;              // TLS 1.2 cipher list (OpenSSL syntax); empty: the safe default
  std::string ciphersuites;         // TLS 1.3 suites; empty: the safe default
  std::vector<std::string> groups;  // key exchange groups; empty: X25519, P-256, P-384
  bool session_tickets = true;
  Duration ticket_key_rotation{1h};  // a new ticket key this often; the previous one still decrypts
  std::uint32_t session_cache = 20480;  // server-side session cache entries; 0 = off
  Duration session_timeout{10min};
  std::optional<std::filesystem::path> client_ca;  // absolute; asks clients for a certificate
  TlsVerify verify = TlsVerify::none;  // required when client_ca is set and verify is not
  std::string client_subject_header = "X-Client-Cert-Subject";  // verified subject, upstream
  Duration handshake_timeout{10s};
  std::uint32_t max_handshakes = 1024;  // concurrent handshakes per worker
  friend bool operator==(const Tls&, const Tls&) = default;
};

// Strict-Transport-Security on a TLS listener's responses.
struct Hsts {
  Duration max_age{365 * 24h};
  bool include_subdomains = false;
  bool preload = false;
  friend bool operator==(const Hsts&, const Hsts&) = default;
};

// Header rules for one direction: `set` replaces every field of that name, `add` appends one,
// `remove` drops every field of that name. Names are kept as written; matched case-insensitively.
struct HeaderEdit {
  std::string name;
  ValueTemplate value;
  friend bool operator==(const HeaderEdit&, const HeaderEdit&) = default;
};

struct HeaderRuleSet {
  std::vector<HeaderEdit> set;
  std::vector<HeaderEdit> add;
  std::vector<std::string> remove;
  bool empty() const { return set.empty() && add.empty() && remove.empty(); }
  friend bool operator==(const HeaderRuleSet&, const HeaderRuleSet&) = default;
};

// `headers: { request: {...}, response: {...} }`; the flat `headers: { set, add, remove }` is
// shorthand for `response:`.
struct HeaderRules {
  HeaderRuleSet request;   // on the request sent upstream
  HeaderRuleSet response;  // on the response sent to the client
  friend bool operator==(const HeaderRules&, const HeaderRules&) = default;
};

struct ListenerTimeouts {  // nginx: client_header_timeout, client_body_timeout, keepalive_timeout
  Duration client_header{60s};
  Duration client_body{60s};
  Duration keepalive{75s};
  friend bool operator==(const ListenerTimeouts&, const ListenerTimeouts&) = default;
};

struct ListenerLimits {
  std::uint64_t max_request_line = 8 * 1024;
  std::uint64_t max_header_bytes = 8 * 1024;  // the whole header block
  std::uint32_t max_headers = 100;
  std::uint64_t max_body = 1024 * 1024;  // nginx client_max_body_size; 0 = unlimited
  friend bool operator==(const ListenerLimits&, const ListenerLimits&) = default;
};

// `http2: { ... }` on a listener: the SETTINGS and windows flotilla advertises, and the flood
// budgets (RFC 9113 ranges checked by the parser). Defaults are gateway/h2/limits.hpp's.
struct Http2FloodBudgets {    // per second; a burst of a few seconds' worth is allowed
  std::uint32_t resets = 50;  // client RST_STREAM (CVE-2023-44487)
  std::uint32_t pings = 10;
  std::uint32_t settings = 10;
  std::uint32_t empty_data = 20;
  std::uint32_t window_updates = 100;
  std::uint32_t continuations = 8;  // CONTINUATION frames per header block (CVE-2024-27316)
  friend bool operator==(const Http2FloodBudgets&, const Http2FloodBudgets&) = default;
};

struct Http2Settings {
  std::uint32_t max_concurrent_streams = 128;
  std::uint64_t initial_window = 64 * 1024;       // per stream
  std::uint64_t connection_window = 1024 * 1024;  // all streams together
  std::optional<std::uint64_t> max_header_list;   // default: max_request_line + max_header_bytes
  std::uint64_t hpack_table = 4096;               // HPACK dynamic table (RFC 7541 default)
  std::uint64_t max_frame_size = 16 * 1024;
  std::optional<Duration> idle_timeout;  // no stream open; default: timeouts.keepalive
  Http2FloodBudgets floods;
  friend bool operator==(const Http2Settings&, const Http2Settings&) = default;
};

struct Listener {
  SourcePos pos;
  Address address;
  std::optional<Tls> tls;
  bool http2 = false;  // `http2: true`, or a mapping (then `h2` holds it)
  Http2Settings h2;
  // Plain listeners: every request but the health/ready paths is redirected to the first TLS
  // listener (301 for GET/HEAD, 308 otherwise).
  bool redirect_https = false;
  std::optional<Hsts> hsts;                // TLS listeners only
  std::optional<HeaderRules> headers;      // every request and response on this listener
  std::optional<std::string> health_path;  // answered "200 healthy" by the gateway itself
  std::optional<std::string> ready_path;   // 200 while an endpoint is up, else 503
  ListenerTimeouts timeouts;
  ListenerLimits limits;
  ListenerProtection protection;  // access rules, PROXY protocol, connection limits
  friend bool operator==(const Listener&, const Listener&) = default;
};

// ---------------------------------------------------------------- services

struct Command {
  std::vector<std::string> argv;  // what is exec'd; {"/bin/sh", "-c", text} when shell
  std::string text;               // as written (a list is joined with spaces), for display
  bool shell = false;
  friend bool operator==(const Command&, const Command&) = default;
};

// One rate limit on scaling (the HPA's HPAScalingPolicy): at most `value` pods, or `value`
// percent of the count at the start of the period, added (or removed) per `period`.
enum class ScalingPolicyType { pods, percent };

struct ScalingPolicy {
  ScalingPolicyType type = ScalingPolicyType::pods;
  std::uint32_t value = 1;
  Duration period{15s};
  friend bool operator==(const ScalingPolicy&, const ScalingPolicy&) = default;
};

// Which policy wins when several allow different changes: the largest change (max), the
// smallest (min), or no scaling in this direction at all (disabled).
enum class SelectPolicy { max, min, disabled };

// `behavior.scale_up` / `behavior.scale_down` (the HPA's HPAScalingRules).
struct ScalingRules {
  Duration stabilization{0s};  // recommendations of this window are considered
  SelectPolicy select = SelectPolicy::max;
  std::vector<ScalingPolicy> policies;
  friend bool operator==(const ScalingRules&, const ScalingRules&) = default;
};

// The Kubernetes defaults: up at once, at most +4 pods or +100% per 15 s (the larger);
// down to the highest recommendation of the last 5 minutes, at most -100% per 15 s.
inline ScalingRules default_scale_up() {
  return {Duration{0s},
          SelectPolicy::max,
          {{ScalingPolicyType::pods, 4, Duration{15s}},
           {ScalingPolicyType::percent, 100, Duration{15s}}}};
}
inline ScalingRules default_scale_down() {
  return {Duration{300s}, SelectPolicy::max, {{ScalingPolicyType::percent, 100, Duration{15s}}}};
}

struct Autoscale {
  std::uint32_t min = 1;
  std::uint32_t max = 1;
  // Target utilisation, percent of resources.cpu / resources.memory (of one core when no CPU
  // limit; memory needs a limit). When no target is given, cpu defaults to 80% like the HPA.
  std::optional<double> cpu_percent;
  std::optional<double> memory_percent;
  // Average-value targets per ready instance, from the gateway: requests per second, and
  // requests in flight.
  std::optional<double> rps_per_instance;
  std::optional<double> inflight_per_instance;
  ScalingRules scale_up = default_scale_up();
  ScalingRules scale_down = default_scale_down();
  Duration sync_period{15s};  // the HPA's --horizontal-pod-autoscaler-sync-period
  friend bool operator==(const Autoscale&, const Autoscale&) = default;
};

enum class ProbeKind { http, tcp, exec };

struct Probe {
  ProbeKind kind = ProbeKind::http;
  std::string http_path = "/";
  std::vector<int> http_status;       // empty: any 2xx or 3xx counts as success
  std::optional<std::uint16_t> port;  // http/tcp: default is the instance's own $PORT
  Command exec;
  Duration initial_delay{0s};  // Kubernetes defaults below
  Duration period{10s};
  Duration timeout{1s};
  std::uint32_t success_threshold = 1;
  std::uint32_t failure_threshold = 3;
  friend bool operator==(const Probe&, const Probe&) = default;
};

struct Probes {
  std::optional<Probe> startup;
  std::optional<Probe> readiness;
  std::optional<Probe> liveness;
  friend bool operator==(const Probes&, const Probes&) = default;
};

enum class RestartPolicy { always, on_failure, never };

struct RestartConfig {  // exponential back-off from delay to max_delay
  RestartPolicy policy = RestartPolicy::always;
  Duration delay{1s};
  Duration max_delay{5min};
  Duration reset_after{10min};  // running this long resets the back-off
  friend bool operator==(const RestartConfig&, const RestartConfig&) = default;
};

struct Resources {  // unset = unlimited
  std::optional<std::uint32_t> cpu_millis;
  std::optional<std::uint64_t> memory_bytes;
  std::optional<std::uint32_t> pids;
  friend bool operator==(const Resources&, const Resources&) = default;
};

struct RolloutConfig {
  IntOrPercent max_surge{1, false};
  IntOrPercent max_unavailable{0, false};
  Duration progress_deadline{60s};  // new instances not ready by then → automatic rollback
  friend bool operator==(const RolloutConfig&, const RolloutConfig&) = default;
};

struct StopConfig {
  int signal = SIGTERM;
  Duration grace{30s};  // then SIGKILL
  friend bool operator==(const StopConfig&, const StopConfig&) = default;
};

struct LogRotation {
  std::uint64_t max_size = 10 * 1024 * 1024;
  std::uint32_t keep = 5;
  friend bool operator==(const LogRotation&, const LogRotation&) = default;
};

struct Service {
  SourcePos pos;
  std::string name;
  Command command;
  StringMap env;
  std::filesystem::path cwd;  // absolute; defaults to the config file's directory
  std::optional<std::string> user;
  std::optional<std::string> group;
  std::uint32_t replicas = 1;  // with autoscale: the starting count (= autoscale.min)
  std::optional<Autoscale> autoscale;
  std::optional<PortRange> ports;  // no ports: a worker, never routed to
  Probes probes;
  RestartConfig restart;
  Resources resources;
  RolloutConfig rollout;
  StopConfig stop;
  LogRotation logs;
  friend bool operator==(const Service&, const Service&) = default;
};

// ---------------------------------------------------------------- upstreams

enum class Balance { round_robin, least_conn, random_two, hash, ip_hash };
enum class HashOn { client_ip, header, cookie };

struct HashKey {
  HashOn on = HashOn::client_ip;
  std::string name;  // header or cookie name
  friend bool operator==(const HashKey&, const HashKey&) = default;
};

struct Server {
  Address address;
  std::uint32_t weight = 1;
  bool backup = false;                     // used only while no primary endpoint is up
  std::optional<std::uint32_t> max_fails;  // overrides the upstream's
  std::optional<Duration> fail_timeout;    // overrides the upstream's
  friend bool operator==(const Server&, const Server&) = default;
};

struct HealthCheck {  // active checks (HAProxy check inter/rise/fall)
  std::string path;
  Duration interval{5s};
  Duration timeout{2s};
  std::uint32_t rise = 2;
  std::uint32_t fall = 3;
  std::vector<int> status{200};
  friend bool operator==(const HealthCheck&, const HealthCheck&) = default;
};

struct Outlier {  // Envoy outlier detection
  std::uint32_t consecutive_errors = 5;
  Duration base_ejection{30s};
  double max_ejected_percent = 10;
  friend bool operator==(const Outlier&, const Outlier&) = default;
};

// TLS towards an upstream's endpoints (`tls: {}` verifies against the system's CAs).
struct UpstreamTls {
  SourcePos pos;
  bool verify = true;
  std::optional<std::filesystem::path> ca;  // absolute; default: the system's trust store
  std::string sni;  // empty: the server's host name (none for an IP literal)
  std::optional<std::filesystem::path> client_cert;  // absolute; with client_key
  std::optional<std::filesystem::path> client_key;
  std::vector<TlsProtocol> protocols{TlsProtocol::tls1_2, TlsProtocol::tls1_3};
  friend bool operator==(const UpstreamTls&, const UpstreamTls&) = default;
};

struct Upstream {
  SourcePos pos;
  std::string name;
  std::optional<std::string> service;  // the ready instances of this service...
  std::vector<Server> servers;         // ...plus these
  Balance balance = Balance::round_robin;
  std::optional<HashKey> hash;  // set iff balance == hash
  std::uint32_t max_fails = 1;  // nginx passive checks: max_fails within fail_timeout
  Duration fail_timeout{10s};
  std::uint32_t keepalive = 32;  // idle connections kept per endpoint
  Duration keepalive_timeout{60s};
  std::uint32_t keepalive_requests = 1000;
  std::optional<HealthCheck> health_check;
  Duration slow_start{0s};  // 0 = off
  std::optional<Outlier> outlier;
  std::optional<UpstreamTls> tls;
  friend bool operator==(const Upstream&, const Upstream&) = default;
};

// ---------------------------------------------------------------- routes

struct RouteMatch {
  std::string host;        // empty: any; "*.example.com": any subdomain; else exact (lowercase)
  std::string path = "/";  // prefix
  friend bool operator==(const RouteMatch&, const RouteMatch&) = default;
};

struct ProxyAction {
  std::string upstream;
  friend bool operator==(const ProxyAction&, const ProxyAction&) = default;
};

struct StaticAction {
  std::filesystem::path root;        // absolute; the route's path prefix maps onto it
  std::string index = "index.html";  // a file name, served for a directory
  std::optional<Duration> expires;   // Cache-Control max-age (public) and Expires
  bool immutable = false;
  bool precompressed = false;    // serve .br/.zst/.gz siblings the client accepts
  std::string fallback;          // relative to root, for paths not found (SPA); empty = none
  bool follow_symlinks = false;  // symlinks that leave root are refused unless set
  bool show_hidden = false;      // dotfiles are 404 unless set
  friend bool operator==(const StaticAction&, const StaticAction&) = default;
};

struct RedirectAction {
  ValueTemplate to;  // $scheme, $host, $request_uri, ...
  int status = 301;
  friend bool operator==(const RedirectAction&, const RedirectAction&) = default;
};

using RouteAction = std::variant<ProxyAction, StaticAction, RedirectAction>;

// `auto` (derived from the upstream's observed latency) or a fixed duration.
struct AdaptiveDuration {
  bool automatic = true;
  Duration fixed{0s};  // when not automatic
  friend bool operator==(const AdaptiveDuration&, const AdaptiveDuration&) = default;
};

struct Retry {  // nginx proxy_next_upstream
  std::vector<RetryOn> on{RetryOn::error, RetryOn::timeout};
  std::uint32_t tries = 3;      // attempts in total, the first included
  Duration timeout{0s};         // budget for all attempts; 0 = none
  bool non_idempotent = false;  // also retry POST/PATCH/LOCK...
  // How long one try of an idempotent, replayable request may wait for its response head before
  // the next try starts; absent = the route's read timeout.
  std::optional<AdaptiveDuration> per_try_timeout;
  friend bool operator==(const Retry&, const Retry&) = default;
};

// Hedged tries: an idempotent request with no response head after `after` also goes to another
// endpoint; the first head wins.
struct Hedge {
  AdaptiveDuration after;
  std::uint32_t max = 1;  // hedges per request
  friend bool operator==(const Hedge&, const Hedge&) = default;
};

struct RouteTimeouts {  // nginx proxy_connect/send/read_timeout
  Duration connect{60s};
  Duration send{60s};
  Duration read{60s};
  friend bool operator==(const RouteTimeouts&, const RouteTimeouts&) = default;
};

// Levels per coding (gzip 1–9, brotli 0–11, zstd 1–19).
struct CompressionLevels {
  int gzip = 6;
  int brotli = 4;
  int zstd = 3;
  friend bool operator==(const CompressionLevels&, const CompressionLevels&) = default;
};

// `compression:` globally, and per route `compression: false` or a block overriding the global
// one key by key. Off unless a section turns it on.
struct Compression {
  bool enabled = false;
  bool gzip = true;
  bool brotli = true;
  bool zstd = true;
  CompressionLevels levels;
  std::uint64_t min_length = 1000;  // bodies of a known length below this go as they are
  // Media types compressed (parameters ignored); `text/*` matches every text type.
  std::vector<std::string> types{"text/html",
                                 "text/css",
                                 "text/plain",
                                 "text/javascript",
                                 "application/javascript",
                                 "application/json",
                                 "application/xml",
                                 "image/svg+xml"};
  friend bool operator==(const Compression&, const Compression&) = default;
};

struct Route {
  SourcePos pos;
  RouteMatch match;
  RouteAction action;
  std::optional<Retry> retry;  // absent: the gateway's own default
  std::optional<Hedge> hedge;  // absent: no hedging
  RouteTimeouts timeouts;
  std::optional<RateLimit> rate_limit;
  std::optional<CachePolicy> cache;
  std::optional<HeaderRules> headers;
  // Absent: the global `compression`; else the global one with the route's keys applied (or off).
  std::optional<Compression> compression;
  // nginx proxy_ignore_client_abort: false cancels the upstream attempt when the client leaves.
  bool ignore_client_abort = false;
  bool allow_trace = false;    // TRACE is answered 405 unless a route allows it
  RouteProtection protection;  // allow/deny, methods, block
  friend bool operator==(const Route&, const Route&) = default;
};

// ---------------------------------------------------------------- the rest

struct Admin {
  Address listen{Address::Kind::tcp, "127.0.0.1", 9090, ""};
  std::filesystem::path socket;  // absolute; default <config dir>/flotilla.sock
  std::optional<std::filesystem::path> token_file;
  std::optional<std::string> token_env;  // name of the variable holding the bearer token
  friend bool operator==(const Admin&, const Admin&) = default;
};

struct AlertRule {
  SourcePos pos;
  std::string name;
  std::string expr;  // kept as text; parsed by the alerting module
  Duration for_duration{0s};
  StringMap labels;
  StringMap annotations;
  friend bool operator==(const AlertRule&, const AlertRule&) = default;
};

// Windows of the built-in rules (Prometheus' seed values); short ones let tests run in seconds.
struct DefaultAlertRules {
  Duration window{5min};  // rate()/histogram_quantile() window: HighErrorRate, HighResponseTime
  Duration restart_window{15min};  // increase() window of InstanceCrashLooping
  Duration for_duration{5min};     // `for` of all four rules
  friend bool operator==(const DefaultAlertRules&, const DefaultAlertRules&) = default;
};

struct Alerts {
  bool defaults = true;  // HighErrorRate, HighResponseTime, InstanceCrashLooping, HighMemoryUsage,
                         // CertificateRenewalFailing
  DefaultAlertRules default_rules;  // `defaults: { window: 10s, for: 2s }` also turns them on
  Duration evaluation_interval{15s};
  std::vector<AlertRule> rules;
  friend bool operator==(const Alerts&, const Alerts&) = default;
};

struct Alertmanager {
  std::string url;
  friend bool operator==(const Alertmanager&, const Alertmanager&) = default;
};

struct AccessLog {
  bool enabled = false;
  std::optional<std::filesystem::path> path;  // absent: stdout
  std::uint64_t max_size = 100 * 1024 * 1024;
  std::uint32_t keep = 5;
  friend bool operator==(const AccessLog&, const AccessLog&) = default;
};

enum class LogLevel { trace, debug, info, warn, error };
enum class LogFormat { text, json };

struct LogConfig {
  LogLevel level = LogLevel::info;
  LogFormat format = LogFormat::text;
  friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

// A gated feature the file uses, so `flotilla up` can refuse what this build cannot run yet.
struct FeatureUse {
  std::string feature;  // a name from feature_gate.hpp, e.g. "tls"
  std::string key;      // as shown to the user: "listen[0].tls", "upstreams.app.balance: hash"
  SourcePos pos;
  friend bool operator==(const FeatureUse&, const FeatureUse&) = default;
};

struct Spec {
  std::string source_file;         // as given to the loader, for messages
  std::filesystem::path base_dir;  // the file's directory; relative paths resolved against it
  std::uint32_t workers = 0;       // data-plane threads; 0 = auto (one per core)
  std::vector<Listener> listeners;
  std::vector<Service> services;       // file order
  std::vector<Upstream> upstreams;     // file order
  std::vector<Route> routes;           // file order
  std::vector<RateLimit> rate_limits;  // `rate_limits:`, named and shared by routes
  Compression compression;
  Admin admin;
  Alerts alerts;
  std::optional<Alertmanager> alertmanager;
  AccessLog access_log;
  std::filesystem::path state_dir;       // absolute; default <config dir>/.flotilla
  std::optional<Acme> acme;              // top-level defaults for listeners' `tls.acme`
  std::vector<CacheStore> cache_stores;  // named in file order; `default` added when missing
  LogConfig log;
  std::vector<FeatureUse> features;
  GlobalProtection protection;  // trusted_proxies, max_connections
  friend bool operator==(const Spec&, const Spec&) = default;
};

}  // namespace flotilla::config
