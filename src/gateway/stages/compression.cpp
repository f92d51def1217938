// Response compression (gzip, brotli, zstd) as a response-body stage: decides per response from
// its head and the request's Accept-Encoding, edits the head (Content-Encoding, Vary, no length,
// weak ETag) and streams the body through a per-worker pooled encoder. Never buffers a body and
// never touches request bodies (an encoded upload passes as it is: no decompression here).
#include <array>
#include <string_view>
#include <vector>

#include "codec/encoder_pool.hpp"
#include "gateway/pipeline/request_context.hpp"
#include "gateway/pipeline/response_body.hpp"
#include "gateway/stages/stages.hpp"
#include "gateway/worker.hpp"

#include "http/ascii.hpp"
#include "http/content_coding.hpp"

namespace flotilla::gateway {
namespace {

using http::ContentCoding;

// Whether the comma-separated list `value` has the element `token` (case-insensitive; an
// element's own parameters, e.g. `max-age=60`, are not the token).
bool has_token(std::string_view value, std::string_view token) noexcept {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    item = http::trim_ows(item.substr(0, item.find('=')));
    if (http::ascii_iequals(item, token)) return true;
  }
  return false;
}

codec::Format format_of(ContentCoding coding) noexcept {
  switch (coding) {
    case ContentCoding::kBrotli:
      return codec::Format::kBrotli;
    case ContentCoding::kZstd:
      return codec::Format::kZstd;
    default:
      return codec::Format::kGzip;
  }
}

struct CompressionPool;

// One response's compression: a pooled encoder; bytes are counted in the worker's shard as they
// pass (on the worker's thread, while the response runs).
class CompressTransform final : public BodyTransform {
 public:
  void begin(std::shared_ptr<CompressionPool> pool, std::unique_ptr<codec::Encoder> encoder,
             ContentCoding coding, observe::MetricShard& metrics, bool flush_always) {
    pool_ = std::move(pool);
    encoder_ = std::move(encoder);
    coding_ = coding;
    metrics_ = &metrics;
    flush_always_ = flush_always;
    metrics_->compressed(coding_, 0, 0, 1);
  }

  void feed(std::string_view in, bool flush, bool last) override {
    metrics_->compressed(coding_, in.size(), 0, 0);
    const codec::Mode mode = last                     ? codec::Mode::kFinish
                             : flush || flush_always_ ? codec::Mode::kFlush
                                                      : codec::Mode::kProcess;
    encoder_->feed(in, mode);
  }

  Output next() override {
    const codec::Chunk chunk = encoder_->pull();
    metrics_->compressed(coding_, 0, chunk.data.size(), 0);
    return {chunk.data, chunk.more, encoder_->failed()};
  }

  void release() noexcept override;

 private:
  // Shared with the worker thread's own handle: a response whose frame is destroyed after its
  // worker thread ended (a forced stop) still returns its encoder to a live pool.
  std::shared_ptr<CompressionPool> pool_;
  std::unique_ptr<codec::Encoder> encoder_;
  ContentCoding coding_ = ContentCoding::kGzip;
  observe::MetricShard* metrics_ = nullptr;
  bool flush_always_ = false;
};

// A worker thread's encoders and transform objects: after warm-up a compressed response
// allocates nothing for gzip and zstd (brotli makes its state per stream, see codec/).
struct CompressionPool {
  codec::EncoderPool encoders;
  std::vector<std::unique_ptr<CompressTransform>> transforms;
  std::vector<CompressTransform*> idle;

  CompressTransform* take() {
    if (idle.empty()) {
      transforms.push_back(std::make_unique<CompressTransform>());
      idle.reserve(transforms.size());  // release() never allocates
      return transforms.back().get();
    }
    CompressTransform* t = idle.back();
    idle.pop_back();
    return t;
  }
};

// Per thread = per worker (workers are threads and never share a request).
thread_local std::shared_ptr<CompressionPool> t_pool;

const std::shared_ptr<CompressionPool>& thread_pool() {
  if (!t_pool) t_pool = std::make_shared<CompressionPool>();
  return t_pool;
}

void CompressTransform::release() noexcept {
  std::shared_ptr<CompressionPool> pool = std::move(pool_);
  pool->encoders.release(std::move(encoder_));
  metrics_ = nullptr;
  pool->idle.push_back(this);
  // `pool` may be the last owner (its thread has ended): it then takes this transform with it.
}

class CompressionStage final : public ResponseBodyStage {
 public:
  explicit CompressionStage(const config::Compression& config) : min_length_(config.min_length) {
    // The server's preference among codings the client weighs equally: brotli, zstd, gzip.
    if (config.brotli) offer(ContentCoding::kBrotli, config.levels.brotli);
    if (config.zstd) offer(ContentCoding::kZstd, config.levels.zstd);
    if (config.gzip) offer(ContentCoding::kGzip, config.levels.gzip);
    for (const std::string& type : config.types) {
      if (type.ends_with("/*")) {
        prefixes_.push_back(type.substr(0, type.size() - 1));  // "text/"
      } else {
        types_.push_back(type);
      }
    }
  }

  std::string_view name() const noexcept override { return "compression"; }

  BodyTransformPtr start(RequestContext& ctx, ResponseHeadOut& head,
                         HeaderEdits& edits) const override {
    std::string_view type;
    const ContentCoding coding = decide(ctx, head, edits, type);
    if (coding == ContentCoding::kIdentity) return {};

    const std::shared_ptr<CompressionPool>& pool = thread_pool();
    std::unique_ptr<codec::Encoder> encoder =
        pool->encoders.acquire(format_of(coding), level_of(coding));
    if (!encoder) return {};  // out of memory: the response goes as it is
    if (head.length == BodyLength::kKnown) encoder->size_hint(head.content_length);
    CompressTransform* transform = pool->take();
    // An event stream is never held back: every piece leaves as it comes.
    transform->begin(pool, std::move(encoder), coding, ctx.worker.metrics(),
                     http::ascii_iequals(type, "text/event-stream"));

    edits.set("Content-Encoding", http::coding_token(coding));  // replaces an `identity`
    edits.drop(http::HeaderId::kContentLength);
    head.length = BodyLength::kUnknown;
    // Byte ranges of the identity body mean nothing in the encoded one.
    edits.remove("Accept-Ranges");
    weaken_etag(head, edits);
    return BodyTransformPtr(transform);
  }

  // A 304 standing for the 200 `head` describes: that 200's Vary and weak ETag, no coding.
  void not_modified(RequestContext& ctx, ResponseHeadOut& head, HeaderEdits& edits) const {
    std::string_view type;
    if (decide(ctx, head, edits, type) != ContentCoding::kIdentity) weaken_etag(head, edits);
  }

 private:
  // The coding this response gets (kIdentity: none), from its head and the request's
  // Accept-Encoding; adds Vary once the answer depends on the latter. `type`: the media type.
  ContentCoding decide(const RequestContext& ctx, const ResponseHeadOut& head, HeaderEdits& edits,
                       std::string_view& type) const {
    if (head.length == BodyLength::kNone || head.upgrade) return ContentCoding::kIdentity;
    const int status = head.status;
    if (status < 200 || status == 204 || status == 206 || status == 304) {
      return ContentCoding::kIdentity;
    }
    std::string_view value;
    if (find_response_field(head, http::HeaderId::kContentEncoding, "Content-Encoding", value) &&
        !http::trim_ows(value).empty() && !http::ascii_iequals(http::trim_ows(value), "identity")) {
      return ContentCoding::kIdentity;  // already encoded
    }
    if (find_response_field(head, http::HeaderId::kCacheControl, "Cache-Control", value) &&
        has_token(value, "no-transform")) {
      return ContentCoding::kIdentity;
    }
    if (!find_response_field(head, http::HeaderId::kContentType, "Content-Type", type)) {
      return ContentCoding::kIdentity;
    }
    type = http::trim_ows(type.substr(0, type.find(';')));
    if (!listed(type)) return ContentCoding::kIdentity;
    if (head.length == BodyLength::kKnown && head.content_length < min_length_) {
      return ContentCoding::kIdentity;
    }

    // From here on the answer depends on the request's Accept-Encoding.
    add_vary(head, edits);
    if (ctx.head_only()) return ContentCoding::kIdentity;
    const std::string_view* accept = nullptr;
    for (const http::Header& field : ctx.head.headers) {
      if (field.id == http::HeaderId::kAcceptEncoding) {
        accept = &field.value;
        break;
      }
    }
    const ContentCoding coding =
        http::negotiate_coding(accept, std::span(offered_.data(), offered_count_));
    return coding == ContentCoding::kNotAcceptable ? ContentCoding::kIdentity : coding;
  }

  void offer(ContentCoding coding, int level) {
    offered_[offered_count_] = coding;
    levels_[offered_count_] = level;
    ++offered_count_;
  }

  int level_of(ContentCoding coding) const noexcept {
    for (std::size_t i = 0; i < offered_count_; ++i) {
      if (offered_[i] == coding) return levels_[i];
    }
    return 1;
  }

  bool listed(std::string_view type) const noexcept {
    for (const std::string& t : types_) {
      if (http::ascii_iequals(t, type)) return true;
    }
    for (const std::string& prefix : prefixes_) {
      if (type.size() > prefix.size() &&
          http::ascii_iequals(type.substr(0, prefix.size()), prefix)) {
        return true;
      }
    }
    return false;
  }

  // `Vary: Accept-Encoding` unless the response already varies on it (or on everything).
  static void add_vary(const ResponseHeadOut& head, HeaderEdits& edits) {
    std::string_view vary;
    if (find_response_field(head, http::HeaderId::kVary, "Vary", vary) &&
        (has_token(vary, "accept-encoding") || has_token(vary, "*"))) {
      return;
    }
    edits.add("Vary", "Accept-Encoding");
  }

  // A strong validator names exact bytes, which the encoded body no longer are (RFC 9110
  // §8.8.1): "abc" becomes W/"abc".
  static void weaken_etag(const ResponseHeadOut& head, HeaderEdits& edits) {
    std::string_view etag;
    if (!find_response_field(head, http::HeaderId::kEtag, "ETag", etag)) return;
    etag = http::trim_ows(etag);
    if (etag.empty() || etag.front() != '"') return;  // already weak (or not a validator)
    std::array<char, 256> weak;
    const bool fits = etag.size() + 2 <= weak.size();
    if (fits) {
      weak[0] = 'W';
      weak[1] = '/';
      std::copy(etag.begin(), etag.end(), weak.begin() + 2);
    }
    edits.remove("ETag");  // invalidates `etag` when it was an added line
    if (fits) edits.add("ETag", std::string_view(weak.data(), etag.size() + 2));
  }

  std::array<ContentCoding, 3> offered_{};
  std::array<int, 3> levels_{};
  std::size_t offered_count_ = 0;
  std::uint64_t min_length_;
  std::vector<std::string> types_;
  std::vector<std::string> prefixes_;
};

}  // namespace

std::shared_ptr<const ResponseBodyStage> make_compression_stage(const config::Compression& config) {
  return std::make_shared<CompressionStage>(config);
}

void compression_not_modified(const ResponseBodyStage& stage, RequestContext& ctx,
                              ResponseHeadOut& head, HeaderEdits& edits) {
  if (const auto* compression = dynamic_cast<const CompressionStage*>(&stage)) {
    compression->not_modified(ctx, head, edits);
  }
}

}  // namespace flotilla::gateway
