// RFC 9110 reason phrases for the status codes flotilla writes itself (gateway errors, the
// demo app). Std-only, like the rest of the codec.
#pragma once

#include <string_view>

namespace flotilla::http {

// The phrase for `status`, or "" for a code without one here.
std::string_view reason_phrase(int status) noexcept;

}  // namespace flotilla::http
