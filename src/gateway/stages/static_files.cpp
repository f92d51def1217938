// A route's `static:` — the route's path prefix mapped onto a root directory, as nginx's
// `location /static/ { root ...; }`: GET and HEAD only, conditional requests, ranges, index
// files, the SPA fallback, and bodies sent by the sink's file() (sendfile in the clear). Owns
// the decisions about one file answer; never opens anything outside root (static_path and
// open_file_cache see to it) and never holds more than a piece of a file in memory.
#include "gateway/stages/stages.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <span>
#include <string>

#include <fmt/format.h>

#include "gateway/pipeline/request_context.hpp"
#include "gateway/pipeline/response_body.hpp"
#include "gateway/pipeline/response_sink.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/request_target.hpp"
#include "gateway/snapshot.hpp"
#include "gateway/static_files/byte_ranges.hpp"
#include "gateway/static_files/conditional.hpp"
#include "gateway/static_files/mime_types.hpp"
#include "gateway/static_files/open_file_cache.hpp"
#include "gateway/static_files/small_files.hpp"
#include "gateway/static_files/static_path.hpp"
#include "gateway/worker.hpp"
#include "http/content_coding.hpp"

namespace flotilla::gateway {
namespace {

using files::OpenError;
using files::OpenFile;
using files::OpenResult;

constexpr std::string_view kAllow = "Allow: GET, HEAD\r\n";
// Every 200/206 about a file carries these (the compression stage removes Accept-Ranges).
constexpr std::string_view kFileLines =
    "Accept-Ranges: bytes\r\nX-Content-Type-Options: nosniff\r\n";

Verdict error_answer(RequestContext& ctx, int status) {
  ctx.answer = LocalAnswer{};
  ctx.answer.status = status;
  ctx.answer.error = true;
  return Verdict::kAnswer;
}

// The IMF-fixdate of the time last asked for, kept.
struct DateMemo {
  std::time_t time = -1;
  std::array<char, 29> text{};
  std::string_view view;
  std::string_view format(std::time_t t) noexcept {
    if (t != time || view.empty()) {
      view = files::format_http_date(t, text);
      time = t;
    }
    return view;
  }
};

// The file to answer with, its name (for the media type) and what went wrong otherwise.
struct Found {
  std::shared_ptr<const OpenFile> file;
  std::string_view name;
  int status = 200;           // 301 (directory without '/'), 400, 403, 404
  std::string_view encoding;  // a precompressed sibling's Content-Encoding token
};

class StaticFilesStage final : public RequestStage {
 public:
  StaticFilesStage(const config::StaticAction& files, std::string prefix)
      : files_(files), root_(files.root.string()), prefix_(std::move(prefix)) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
    if (files_.expires) {
      max_age_ = std::chrono::duration_cast<std::chrono::seconds>(*files_.expires).count();
      cache_control_ =
          fmt::format("public, max-age={}{}", max_age_, files_.immutable ? ", immutable" : "");
    }
  }
  std::string_view name() const noexcept override { return "static_files"; }

  // Everything that needs no waiting is answered here, without a coroutine: errors, the 301,
  // and a small file from memory (one write of head and body). The rest — a file sent from its
  // fd, ranges, 304 and 412 — goes on in on_request_async.
  Verdict on_request(RequestContext& ctx) const override {
    const http::Method method = ctx.head.method;
    if (method != http::Method::kGet && method != http::Method::kHead) {
      error_answer(ctx, 405);
      ctx.answer.extra_lines = kAllow;
      return Verdict::kAnswer;
    }
    Found found = find(ctx);
    if (found.status == 301) return moved(ctx);
    if (!found.file) return error_answer(ctx, found.status);
    if (files_.precompressed) choose_precompressed(ctx, found);
    return answer_from_memory(ctx, found) ? Verdict::kAnswer : Verdict::kAsync;
  }

  net::Awaitable<Verdict> on_request_async(RequestContext& ctx) const override {
    // on_request found a file it could not answer from memory: the same again (the cache's
    // entry is fresh), then the answer that waits.
    Found found = find(ctx);
    if (found.status == 301) co_return moved(ctx);
    if (!found.file) co_return error_answer(ctx, found.status);
    if (files_.precompressed) choose_precompressed(ctx, found);
    co_await send_file(ctx, *found.file, found.name, found.encoding);
    co_return Verdict::kDone;
  }

 private:
  static Verdict moved(RequestContext& ctx) {
    ctx.answer = LocalAnswer{};
    ctx.answer.status = 301;
    ctx.answer.location = ctx.scratch.location;
    ctx.answer.content_type = {};
    return Verdict::kAnswer;
  }

  // A small file whose bytes the cache holds, asked for without a Range and whose conditions
  // hold: a local answer of a copy of those bytes (send_answer runs the head and body stages, so a
  // compressible one is compressed as any answer is). False when the fd must send it.
  bool answer_from_memory(RequestContext& ctx, const Found& found) const {
    const OpenFile& file = *found.file;
    const std::string* bytes = files::thread_small_files().bytes(found.file);
    if (!bytes) return false;
    const files::Conditions conditions = files::conditions_of(ctx.head);
    if (!conditions.range.empty() && ctx.head.method == http::Method::kGet) return false;
    const files::Etag etag = files::make_etag(file.mtime, file.size);
    if (files::evaluate(conditions, etag.view(), file.mtime, true) !=
        files::Precondition::kProceed) {
      return false;
    }
    HeaderEdits& edits = ctx.scratch.response_edits;
    if (!found.encoding.empty()) edits.add("Content-Encoding", found.encoding);
    edits.add_lines(kFileLines);
    // (X-Request-Id: send_answer adds it.)
    add_validators(ctx, edits, file, etag.view(), false);
    ctx.answer = LocalAnswer{};
    ctx.answer.status = 200;
    ctx.answer.content_type = files::system_mime_table().content_type(found.name);
    // A copy (≤ kSmallFile) in the request's scratch: the cache entry may be replaced while the
    // answer is being written. `found.name` may live in scratch.text too: used up above.
    ctx.scratch.text.assign(*bytes);
    ctx.answer.body = ctx.scratch.text;
    if (!ctx.head_only()) {
      ctx.worker.metrics().static_file_bytes(observe::FileSend::copy, file.size);
    }
    return true;
  }

  // Path → open file: the directory rules (301, index), hidden names, the fallback.
  Found find(RequestContext& ctx) const {
    Found out;
    const files::StaticPath path = files::resolve_static_path(request_path(ctx.head), prefix_,
                                                              files_.show_hidden, ctx.scratch.path);
    if (path.verdict == files::PathVerdict::kBadRequest) {
      out.status = 400;
      return out;
    }
    if (path.verdict == files::PathVerdict::kNotFound) {
      out.status = 404;
      return out;
    }
    const auto now = std::chrono::steady_clock::now();
    files::OpenFileCache& cache = ctx.worker.open_files();
    OpenResult opened = cache.open(root_, path.relative, files_.follow_symlinks, now);
    out.name = path.relative;
    if (opened.file && opened.file->directory) {
      if (!path.trailing_slash) {
        // "/docs" names a directory: 301 to "/docs/" (the query kept), as nginx does.
        const std::string_view target = ctx.head.target;
        const std::string_view raw = request_path(ctx.head);
        const std::size_t query = target.find('?');
        std::string& location = ctx.scratch.location;
        location.assign(raw);
        location += '/';
        if (query != std::string_view::npos) location += target.substr(query);
        out.status = 301;
        return out;
      }
      std::string& index = ctx.scratch.text;
      index.assign(path.relative);
      if (!index.empty()) index += '/';
      index += files_.index;
      opened = cache.open(root_, index, files_.follow_symlinks, now);
      out.name = index;
      if (!opened.file && opened.error == OpenError::kNotFound) {
        opened.error = OpenError::kForbidden;  // listings are off: nginx's 403
      }
    } else if (opened.file && path.trailing_slash) {
      opened = OpenResult{nullptr, OpenError::kNotFound};  // "/a.txt/" is not a.txt
    }
    if (opened.file && opened.file->directory) opened = OpenResult{nullptr, OpenError::kForbidden};
    if (!opened.file && !files_.fallback.empty() &&
        (opened.error == OpenError::kNotFound || path.relative.empty())) {
      // A single-page app: any path that names no file gets the app's page.
      opened = cache.open(root_, files_.fallback, files_.follow_symlinks, now);
      out.name = files_.fallback;
      if (opened.file && !opened.file->regular) opened = OpenResult{nullptr, OpenError::kNotFound};
    }
    if (!opened.file) {
      out.status = opened.error == OpenError::kForbidden ? 403 : 404;
      return out;
    }
    out.file = std::move(opened.file);
    return out;
  }

  // `precompressed`: the sibling FILE.br / FILE.zst / FILE.gz the client accepts, chosen by the
  // shared Accept-Encoding negotiation (http/content_coding) among the siblings that exist; the
  // file itself when none does or the client takes none. The answer varies either way.
  void choose_precompressed(RequestContext& ctx, Found& found) const {
    // (on_request may have chosen once already, before on_request_async chooses again)
    if (!ctx.scratch.response_edits.added("Vary")) {
      ctx.scratch.response_edits.add("Vary", "Accept-Encoding");
    }
    std::string_view accept_value;
    const std::string_view* accept = nullptr;
    for (const http::Header& field : ctx.head.headers) {
      if (field.id != http::HeaderId::kAcceptEncoding) continue;
      accept_value = field.value;
      accept = &accept_value;
      break;
    }
    if (accept == nullptr) return;
    std::array<http::ContentCoding, 3> offered{
        http::ContentCoding::kBrotli, http::ContentCoding::kZstd, http::ContentCoding::kGzip};
    std::size_t count = offered.size();
    std::string sibling;
    const auto now = std::chrono::steady_clock::now();
    while (count > 0) {
      const http::ContentCoding coding = http::negotiate_coding(
          accept, std::span<const http::ContentCoding>(offered.data(), count));
      const auto at = std::find(offered.begin(), offered.begin() + count, coding);
      if (at == offered.begin() + count) return;  // identity (or nothing acceptable): as it is
      sibling.assign(found.name);
      sibling += coding == http::ContentCoding::kBrotli ? ".br"
                 : coding == http::ContentCoding::kZstd ? ".zst"
                                                        : ".gz";
      OpenResult opened = ctx.worker.open_files().open(root_, sibling, files_.follow_symlinks, now);
      if (opened.file && opened.file->regular) {
        found.file = std::move(opened.file);
        found.encoding = http::coding_token(coding);
        return;
      }
      std::rotate(at, at + 1, offered.begin() + count);  // not there: negotiate without it
      --count;
    }
  }

  // The validators and caching fields every answer about the file carries (200, 206, 304).
  void add_validators(RequestContext& ctx, HeaderEdits& edits, const OpenFile& file,
                      std::string_view etag, bool request_id = true) const {
    // The worker's last two dates, formatted: one file's mtime, and this second's Expires,
    // repeat from request to request (gmtime and the formatting cost ~450 instructions each).
    thread_local DateMemo last_modified;
    thread_local DateMemo expires_at;
    edits.add("Last-Modified", last_modified.format(file.mtime));
    edits.add("ETag", etag);
    if (files_.expires) {
      edits.add("Cache-Control", cache_control_);
      const std::time_t expires = std::time(nullptr) + static_cast<std::time_t>(max_age_);
      edits.add("Expires", expires_at.format(expires));
    }
    if (request_id && !ctx.scratch.request_id.empty() && !edits.added("X-Request-Id")) {
      edits.add("X-Request-Id", ctx.scratch.request_id);
    }
  }

  void send_head(RequestContext& ctx, int status, BodyLength length,
                 std::uint64_t content_length) const {
    run_response_head_stages(ctx, status);
    ResponseHeadOut head;
    head.status = status;
    head.edits = &ctx.scratch.response_edits;
    head.length = length;
    head.content_length = content_length;
    ctx.sink.head(head);
  }

  // Sends the file's bytes [offset, offset + length) and counts how they left.
  static net::Awaitable<bool> send_slice(RequestContext& ctx, const OpenFile& file,
                                         std::uint64_t offset, std::uint64_t length, bool last) {
    const bool zero_copy = ctx.sink.zero_copy_files();
    auto [error, sent] = co_await ctx.sink.file(file.fd, offset, length, last);
    ctx.worker.metrics().static_file_bytes(
        zero_copy ? observe::FileSend::sendfile : observe::FileSend::copy, sent);
    co_return !error;
  }

  net::Awaitable<void> send_file(RequestContext& ctx, const OpenFile& file, std::string_view name,
                                 std::string_view encoding) const {
    HeaderEdits& edits = ctx.scratch.response_edits;
    const files::Etag etag = files::make_etag(file.mtime, file.size);
    const files::Conditions conditions = files::conditions_of(ctx.head);
    const files::Precondition precondition =
        files::evaluate(conditions, etag.view(), file.mtime, true);
    if (precondition == files::Precondition::kFailed) {
      ctx.answer = LocalAnswer{};
      ctx.answer.status = 412;
      ctx.answer.error = true;
      co_await send_answer(ctx, ctx.answer);
      co_return;
    }
    const std::string_view content_type = files::system_mime_table().content_type(name);
    if (precondition == files::Precondition::kNotModified) {
      add_validators(ctx, edits, file, etag.view());
      if (ctx.route && !ctx.route->chain.response_body.empty()) {
        // The 200 this stands for may be compressed: its Vary and weak ETag, not its type or
        // coding (the body stages read them from the head, so they are there meanwhile).
        edits.add("Content-Type", content_type);
        if (!encoding.empty()) edits.add("Content-Encoding", encoding);
        ResponseHeadOut full;
        full.status = 200;
        full.edits = &edits;
        full.length = BodyLength::kKnown;
        full.content_length = file.size;
        not_modified_body_stages(ctx, full);
        edits.remove("Content-Type");
        edits.remove("Content-Encoding");
      }
      send_head(ctx, 304, BodyLength::kNone, 0);
      co_await ctx.sink.body({}, true);
      co_return;
    }

    // Range applies to GET only (§14.2), and only while If-Range holds.
    std::vector<files::ByteRange> ranges;
    files::RangeVerdict range = files::RangeVerdict::kIgnore;
    if (!conditions.range.empty() && ctx.head.method == http::Method::kGet &&
        files::if_range_holds(conditions.if_range, etag.view(), file.mtime)) {
      range = files::parse_ranges(conditions.range, file.size, ranges);
    }
    if (range == files::RangeVerdict::kUnsatisfiable) {
      std::string& line = edits.begin_line("Content-Range");
      fmt::format_to(std::back_inserter(line), "bytes */{}", file.size);
      edits.end_line();
      ctx.answer = LocalAnswer{};
      ctx.answer.status = 416;
      ctx.answer.error = true;
      co_await send_answer(ctx, ctx.answer);
      co_return;
    }

    if (!encoding.empty()) edits.add("Content-Encoding", encoding);
    edits.add_lines(kFileLines);
    add_validators(ctx, edits, file, etag.view());
    if (range == files::RangeVerdict::kSatisfiable && ranges.size() == 1) {
      const files::ByteRange r = ranges.front();
      edits.add("Content-Type", content_type);
      std::string& line = edits.begin_line("Content-Range");
      fmt::format_to(std::back_inserter(line), "bytes {}-{}/{}", r.first, r.last, file.size);
      edits.end_line();
      send_head(ctx, 206, BodyLength::kKnown, r.size());
      if (ctx.head_only()) {
        co_await ctx.sink.body({}, true);
      } else {
        co_await send_slice(ctx, file, r.first, r.size(), true);
      }
      co_return;
    }
    if (range == files::RangeVerdict::kSatisfiable) {
      co_await send_multipart(ctx, file, content_type, ranges);
      co_return;
    }
    edits.add("Content-Type", content_type);
    run_response_head_stages(ctx, 200);
    ResponseHeadOut head;
    head.status = 200;
    head.edits = &edits;
    head.length = BodyLength::kKnown;
    head.content_length = file.size;
    // The route's body stages (compression) decide as for any response: a compressible type
    // above min_length, no sibling already encoded (its Content-Encoding says so). They may make
    // the length unknown and weaken the ETag.
    BodyStages stages = start_body_stages(ctx, head);
    ctx.sink.head(head);
    if (ctx.head_only() || file.size == 0) {
      co_await stages.body(ctx.sink, {}, true);
    } else if (stages.active()) {
      co_await send_transformed(ctx, file, stages);
    } else {
      co_await send_slice(ctx, file, 0, file.size, true);
    }
  }

  // The whole file through the body stages: bounded pieces read at their offsets (the fd is
  // shared), each encoded and written before the next is read.
  static net::Awaitable<void> send_transformed(RequestContext& ctx, const OpenFile& file,
                                               BodyStages& stages) {
    const std::size_t piece =
        static_cast<std::size_t>(std::min<std::uint64_t>(file.size, ResponseSink::kFilePiece));
    const auto buffer = std::make_unique_for_overwrite<char[]>(piece);
    std::uint64_t done = 0;
    while (done < file.size) {
      const std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(file.size - done, piece));
      const ssize_t n = ::pread(file.fd, buffer.get(), want, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {  // an error, or the file shrank under us: the body cannot end well
        ctx.sink.close_after();
        co_return;
      }
      const auto count = static_cast<std::size_t>(n);
      done += count;
      const bool last = done == file.size;
      auto [error, written] = co_await stages.body(ctx.sink, {buffer.get(), count}, last, last);
      ctx.worker.metrics().static_file_bytes(observe::FileSend::copy, count);
      if (error) co_return;
    }
  }

  // Several ranges: multipart/byteranges (RFC 9110 §14.6), each part with its own head.
  net::Awaitable<void> send_multipart(RequestContext& ctx, const OpenFile& file,
                                      std::string_view content_type,
                                      const std::vector<files::ByteRange>& ranges) const {
    static thread_local std::uint64_t sequence = 0;
    const std::string boundary = fmt::format("{:020}", ++sequence * 0x9e3779b97f4a7c15ULL >> 1);
    const files::Multipart parts = files::make_multipart(ranges, file.size, content_type, boundary);
    HeaderEdits& edits = ctx.scratch.response_edits;
    std::string& line = edits.begin_line("Content-Type");
    fmt::format_to(std::back_inserter(line), "multipart/byteranges; boundary={}", boundary);
    edits.end_line();
    send_head(ctx, 206, BodyLength::kKnown, parts.content_length);
    if (ctx.head_only()) {
      co_await ctx.sink.body({}, true);
      co_return;
    }
    for (std::size_t i = 0; i < ranges.size(); ++i) {
      auto [error, written] = co_await ctx.sink.body(parts.heads[i], false);
      if (error) co_return;
      const bool sent = co_await send_slice(ctx, file, ranges[i].first, ranges[i].size(), false);
      if (!sent) co_return;
    }
    co_await ctx.sink.body(parts.tail, true);
  }

  config::StaticAction files_;
  std::string root_;
  std::string prefix_;
  std::int64_t max_age_ = 0;
  std::string cache_control_;
};

}  // namespace

std::shared_ptr<const RequestStage> make_static_files_stage(const config::StaticAction& files,
                                                            std::string prefix) {
  return std::make_shared<StaticFilesStage>(files, std::move(prefix));
}

}  // namespace flotilla::gateway
