#include "http/head_driver.hpp"

namespace flotilla::http::detail {

void HeadDriver::reset() noexcept {
  scanner_.reset();
  scanning_ = false;
  result_ = ParseResult{};
}

ParseResult HeadDriver::fail(ParseError e) noexcept {
  result_.status = ParseStatus::kError;
  result_.error = e;
  result_.http_status =
      error_status_ != 0 ? error_status_ : static_cast<std::uint16_t>(status_for(e));
  result_.consumed = 0;
  return result_;
}

ParseResult HeadDriver::complete(std::size_t consumed) noexcept {
  result_.status = ParseStatus::kComplete;
  result_.consumed = consumed;
  return result_;
}

}  // namespace flotilla::http::detail
