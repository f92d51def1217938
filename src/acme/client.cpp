// RFC 8555 §7 top to bottom: directory → nonce → newAccount → newOrder → authorizations →
// challenges → poll → finalize → poll → certificate. Every POST is a JWS over client::exchange;
// a badNonce answer is retried with the nonce it carries (§6.5), up to kNonceRetries times.
#include "acme/client.hpp"

#include <charconv>

#include <fmt/format.h>
#include <openssl/pem.h>
#include <asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "acme/certificates.hpp"
#include "client/exchange.hpp"
#include "net/async.hpp"

namespace flotilla::acme {
namespace {

using json = nlohmann::json;

constexpr int kNonceRetries = 5;
constexpr int kPolls = 60;  // per authorization or order state, each ≥ 1 s apart
constexpr std::chrono::seconds kPollInterval{1};
constexpr std::chrono::seconds kMaxPollWait{10};

struct Reply {
  bool ok = false;  // a 2xx answer
  client::Response response;
  json body;            // parsed JSON, or null
  std::string error;    // transport failure or problem document, for the log
  std::string problem;  // the problem's type, e.g. "urn:ietf:params:acme:error:badNonce"
  std::chrono::seconds retry_after{0};
};

class Session {
 public:
  Session(asio::any_io_executor executor, const AccountKey& key, const OrderRequest& request,
          OrderResult& result)
      : executor_(std::move(executor)), key_(key), request_(request), result_(result) {
    options_.tls = request.tls;
    options_.timeout = std::chrono::seconds(30);
    options_.max_body = 1024 * 1024;
  }

  asio::awaitable<Reply> get(const std::string& url, const char* method = "GET") {
    Reply reply;
    client::Endpoint endpoint;
    std::string target;
    if (!split_url(url, endpoint, target, reply.error)) co_return reply;
    client::Request request;
    request.method = method;
    request.target = target;
    ++result_.requests;
    const client::Result got = co_await client::exchange(executor_, endpoint, request, options_);
    co_return take(got, url);
  }

  // A signed POST; `payload` empty is POST-as-GET.
  asio::awaitable<Reply> post(const std::string& url, const std::string& payload,
                              const char* accept = "application/json") {
    Reply reply;
    client::Endpoint endpoint;
    std::string target;
    if (!split_url(url, endpoint, target, reply.error)) co_return reply;
    for (int attempt = 0; attempt <= kNonceRetries; ++attempt) {
      if (nonce_.empty()) {
        Reply fresh = co_await get(directory_.value("newNonce", ""), "HEAD");
        if (nonce_.empty()) {
          fresh.error = "no Replay-Nonce from newNonce: " + fresh.error;
          co_return fresh;
        }
      }
      client::Request request;
      request.method = "POST";
      request.target = target;
      request.headers.push_back({"Content-Type", "application/jose+json"});
      request.headers.push_back({"Accept", accept});
      request.body = sign_request(key_, url, nonce_, kid_, payload);
      nonce_.clear();
      ++result_.requests;
      const client::Result got = co_await client::exchange(executor_, endpoint, request, options_);
      reply = take(got, url);
      if (reply.problem != "urn:ietf:params:acme:error:badNonce") co_return reply;
      ++result_.bad_nonces;  // the answer carried a fresh nonce: sign again with it
    }
    co_return reply;
  }

  asio::awaitable<void> sleep(std::chrono::seconds wait) {
    asio::steady_timer timer(executor_, std::min(std::max(wait, kPollInterval), kMaxPollWait));
    co_await timer.async_wait(net::use_nothrow);
  }

  json directory_;
  std::string kid_;

 private:
  Reply take(const client::Result& got, const std::string& url) {
    Reply reply;
    if (!got.ok()) {
      reply.error = fmt::format("{}: {}", url, got.message);
      return reply;
    }
    reply.response = got.response;
    if (const std::string* nonce = got.response.header("Replay-Nonce")) nonce_ = *nonce;
    reply.retry_after = parse_retry_after(got.response.header("Retry-After"));
    reply.body = json::parse(got.response.body, nullptr, false);
    if (reply.body.is_discarded()) reply.body = nullptr;
    reply.ok = got.response.status >= 200 && got.response.status < 300;
    if (!reply.ok) {
      if (reply.body.is_object()) {
        reply.problem = reply.body.value("type", "");
        reply.error = fmt::format("{}: {} {}: {}", url, got.response.status, reply.problem,
                                  reply.body.value("detail", ""));
      } else {
        reply.error = fmt::format("{}: HTTP {}", url, got.response.status);
      }
      if (got.response.status == 429 || got.response.status == 503) {
        result_.retry_after = std::max(result_.retry_after, reply.retry_after);
      }
    }
    return reply;
  }

  asio::any_io_executor executor_;
  const AccountKey& key_;
  const OrderRequest& request_;
  OrderResult& result_;
  client::Options options_;
  std::string nonce_;
};

std::string string_member(const json& body, const char* name) {
  if (!body.is_object()) return {};
  const auto found = body.find(name);
  return found != body.end() && found->is_string() ? found->get<std::string>() : std::string{};
}

// The object's "status" after polling `url` until it leaves the `pending`/`processing` states.
asio::awaitable<Reply> poll(Session& session, const std::string& url, Reply reply) {
  for (int i = 0; i < kPolls; ++i) {
    const std::string status = string_member(reply.body, "status");
    if (!reply.ok || (status != "pending" && status != "processing")) co_return reply;
    co_await session.sleep(reply.retry_after);
    reply = co_await session.post(url, "");
  }
  reply.ok = false;
  reply.error =
      fmt::format("{}: still {} after {} polls", url, string_member(reply.body, "status"), kPolls);
  co_return reply;
}

std::string problem_of(const json& object) {
  if (!object.is_object()) return {};
  const auto error = object.find("error");
  if (error == object.end() || !error->is_object()) return {};
  return fmt::format(" ({}: {})", error->value("type", ""), error->value("detail", ""));
}

asio::awaitable<bool> authorize(Session& session, const std::string& url,
                                const OrderRequest& request, const AccountKey& key,
                                OrderResult& result) {
  Reply authz = co_await session.post(url, "");
  if (!authz.ok) {
    result.error = authz.error;
    co_return false;
  }
  const std::string domain = authz.body.is_object() && authz.body.contains("identifier")
                                 ? authz.body["identifier"].value("value", "")
                                 : std::string{};
  if (string_member(authz.body, "status") == "valid") co_return true;
  const char* wanted = request.challenge == ChallengeType::kHttp01 ? "http-01" : "tls-alpn-01";
  const json* chosen = nullptr;
  if (authz.body.contains("challenges") && authz.body["challenges"].is_array()) {
    for (const json& candidate : authz.body["challenges"]) {
      if (candidate.value("type", "") == wanted) chosen = &candidate;
    }
  }
  if (chosen == nullptr) {
    result.error = fmt::format("authorization for {} offers no {} challenge", domain, wanted);
    co_return false;
  }
  Challenge challenge;
  challenge.type = request.challenge;
  challenge.domain = domain;
  challenge.token = chosen->value("token", "");
  challenge.key_authorization = key_authorization(challenge.token, key);
  const std::string challenge_url = chosen->value("url", "");
  if (request.present) request.present(challenge);
  const Reply started = co_await session.post(challenge_url, "{}");
  Reply done = started;
  if (started.ok) {
    Reply first = co_await session.post(url, "");
    done = co_await poll(session, url, std::move(first));
  }
  if (request.withdraw) request.withdraw(challenge);
  const std::string status = string_member(done.body, "status");
  if (!done.ok || status != "valid") {
    std::string detail;
    if (done.body.is_object() && done.body.contains("challenges")) {
      for (const json& candidate : done.body["challenges"]) detail += problem_of(candidate);
    }
    result.error =
        done.ok ? fmt::format("authorization for {} is {}{}", domain, status, detail) : done.error;
    co_return false;
  }
  co_return true;
}

}  // namespace

bool split_url(const std::string& url, client::Endpoint& endpoint, std::string& target,
               std::string& error) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) {
    error = fmt::format("'{}' is not a URL", url);
    return false;
  }
  const std::size_t slash = url.find('/', scheme + 3);
  const std::optional<client::Url> parsed = client::parse_url(url.substr(0, slash), error);
  if (!parsed) return false;
  endpoint = parsed->endpoint;
  target = slash == std::string::npos ? "/" : url.substr(slash);
  return true;
}

std::chrono::seconds parse_retry_after(const std::string* value) {
  if (value == nullptr) return std::chrono::seconds(0);
  long seconds = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
  if (ec != std::errc() || end != value->data() + value->size() || seconds < 0) {
    return std::chrono::seconds(0);
  }
  return std::chrono::seconds(std::min(seconds, 24L * 3600));
}

asio::awaitable<OrderResult> obtain(asio::any_io_executor executor, const AccountKey& account,
                                    OrderRequest request) {
  OrderResult result;
  Session session(executor, account, request, result);
  const auto fail = [&](const Reply& reply, std::string_view step) {
    result.error = fmt::format("{}: {}", step, reply.error);
    return result;
  };

  Reply directory = co_await session.get(request.directory);
  if (!directory.ok || !directory.body.is_object()) co_return fail(directory, "directory");
  session.directory_ = directory.body;

  json account_payload = json::object();
  account_payload["termsOfServiceAgreed"] = true;
  if (!request.email.empty()) {
    account_payload["contact"] = json::array();
    account_payload["contact"].push_back("mailto:" + request.email);
  }
  Reply created =
      co_await session.post(directory.body.value("newAccount", ""), account_payload.dump());
  const std::string* location = created.response.header("Location");
  if (!created.ok || location == nullptr) co_return fail(created, "newAccount");
  session.kid_ = *location;

  json identifiers = json::array();
  for (const std::string& domain : request.domains) {
    json identifier = json::object();
    identifier["type"] = "dns";
    identifier["value"] = domain;
    identifiers.push_back(std::move(identifier));
  }
  json order_payload = json::object();
  order_payload["identifiers"] = std::move(identifiers);
  // RFC 9773 §5: a renewal names the certificate it replaces, for a server that offers ARI.
  if (!request.replaces.empty() && directory.body.contains("renewalInfo")) {
    order_payload["replaces"] = request.replaces;
  }
  Reply order = co_await session.post(directory.body.value("newOrder", ""), order_payload.dump());
  const std::string* order_location = order.response.header("Location");
  if (!order.ok || order_location == nullptr) co_return fail(order, "newOrder");
  const std::string order_url = *order_location;

  if (order.body.contains("authorizations") && order.body["authorizations"].is_array()) {
    for (const json& authorization : order.body["authorizations"]) {
      if (!authorization.is_string()) continue;
      const bool valid =
          co_await authorize(session, authorization.get<std::string>(), request, account, result);
      if (!valid) co_return result;
    }
  }
  Reply ready = co_await session.post(order_url, "");
  ready = co_await poll(session, order_url, std::move(ready));
  if (!ready.ok) co_return fail(ready, "order");
  if (string_member(ready.body, "status") != "ready") {
    result.error =
        fmt::format("order is {}{}", string_member(ready.body, "status"), problem_of(ready.body));
    co_return result;
  }

  std::string key_error;
  tls::BioPtr bio(BIO_new_mem_buf(request.certificate_key_pem.data(),
                                  static_cast<int>(request.certificate_key_pem.size())));
  tls::EvpPkeyPtr certificate_key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate_key) {
    result.error = "the certificate key cannot be read";
    co_return result;
  }
  const std::string csr = make_csr(certificate_key.get(), request.domains);
  json finalize_payload = json::object();
  finalize_payload["csr"] = base64url(csr);
  Reply finalized =
      co_await session.post(string_member(ready.body, "finalize"), finalize_payload.dump());
  if (!finalized.ok) co_return fail(finalized, "finalize");
  finalized = co_await poll(session, order_url, std::move(finalized));
  if (!finalized.ok) co_return fail(finalized, "order");
  const std::string certificate_url = string_member(finalized.body, "certificate");
  if (string_member(finalized.body, "status") != "valid" || certificate_url.empty()) {
    result.error = fmt::format("order is {} after finalize{}",
                               string_member(finalized.body, "status"), problem_of(finalized.body));
    co_return result;
  }
  Reply chain = co_await session.post(certificate_url, "", "application/pem-certificate-chain");
  if (!chain.ok) co_return fail(chain, "certificate");
  result.chain_pem = chain.response.body;
  if (!read_leaf(result.chain_pem)) {
    result.error = "the certificate download is not a PEM chain";
    co_return result;
  }
  result.ok = true;
  co_return result;
}

}  // namespace flotilla::acme
