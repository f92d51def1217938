// The three formats' factories and state bounds, internal to codec/ (encoder.cpp dispatches).
// Never included outside src/codec/.
#pragma once

#include <cstddef>
#include <memory>

#include "codec/encoder.hpp"

namespace flotilla::codec {

std::unique_ptr<Encoder> make_gzip_encoder(int level);
std::unique_ptr<Encoder> make_brotli_encoder(int level);
std::unique_ptr<Encoder> make_zstd_encoder(int level);

std::size_t gzip_state_bound(int level) noexcept;
std::size_t brotli_state_bound(int level) noexcept;
std::size_t zstd_state_bound(int level) noexcept;

// The window each format uses at a level (log2 of bytes).
int brotli_window_log(int level) noexcept;
int zstd_window_log(int level) noexcept;

}  // namespace flotilla::codec
