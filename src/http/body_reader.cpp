// Body progress for every framing: counts Content-Length down, delegates chunked, runs to close.
// Must never return bytes past the end of the body: they belong to the next message.
#include "http/body_reader.hpp"

#include <algorithm>

namespace flotilla::http {

void BodyReader::start(BodyFraming framing, std::uint64_t content_length) noexcept {
  framing_ = framing;
  body_bytes_ = 0;
  remaining_ = framing == BodyFraming::kContentLength ? content_length : 0;
  done_ = framing == BodyFraming::kNone ||
          (framing == BodyFraming::kContentLength && content_length == 0);
  if (framing == BodyFraming::kChunked) chunked_.reset();
}

BodyStep BodyReader::next(std::string_view input) noexcept {
  BodyStep step;
  if (done_) {
    step.done = true;
    return step;
  }
  switch (framing_) {
    case BodyFraming::kContentLength: {
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
      step.data = input.substr(0, take);
      step.consumed = take;
      remaining_ -= take;
      done_ = remaining_ == 0;
      break;
    }
    case BodyFraming::kChunked:
      step = chunked_.decode(input);
      done_ = step.done;
      break;
    case BodyFraming::kUntilClose:
      step.data = input;
      step.consumed = input.size();
      break;
    case BodyFraming::kNone:
      break;
  }
  step.done = done_;
  body_bytes_ += step.data.size();
  return step;
}

ParseError BodyReader::finish_at_eof() noexcept {
  if (framing_ == BodyFraming::kUntilClose) done_ = true;
  return done_ ? ParseError::kNone : ParseError::kBodyTruncated;
}

}  // namespace flotilla::http
