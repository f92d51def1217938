#include "observe/access_log_buffer.hpp"

namespace flotilla::observe {

AccessLogBuffer::AccessLogBuffer(AccessLogWriter& writer) : writer_(writer) {
  batch_.reserve(AccessLogWriter::kBatchCapacity);
}

void AccessLogBuffer::append(const AccessLogEntry& entry) {
  append_access_log_line(batch_, entry, clock_);
  ++lines_;
  if (batch_.size() >= kFlushBytes) flush();
}

void AccessLogBuffer::flush() {
  if (lines_ == 0) return;
  batch_ = writer_.submit(std::move(batch_), lines_);
  lines_ = 0;
}

}  // namespace flotilla::observe
