// The data-plane threads: one asio::io_context per thread, nothing shared between them.
// Owns the threads and their contexts; must never run control-plane work on them.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

namespace flotilla::net {

class WorkerPool {
 public:
  // `count` 0 means one per core.
  explicit WorkerPool(std::size_t count);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::size_t size() const noexcept { return contexts_.size(); }
  asio::io_context& context(std::size_t index) { return *contexts_[index]; }

  void start();
  // Lets each context return once its outstanding work is done (graceful), then joins.
  void release_and_join();
  // Stops every context at once and joins (work left undone).
  void stop_and_join();

 private:
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<std::optional<Guard>> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace flotilla::net
