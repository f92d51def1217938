// Data-plane threads, one io_context each, run by exactly one thread.
#include "net/worker_pool.hpp"

#include <pthread.h>

#include <string>

namespace flotilla::net {

WorkerPool::WorkerPool(std::size_t count) {
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  contexts_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    // UNSAFE_IO: a worker's sockets are only ever touched by its own thread, so Asio may skip
    // per-descriptor locking; posts from the control thread still go through the locked queue.
    contexts_.push_back(std::make_unique<asio::io_context>(ASIO_CONCURRENCY_HINT_UNSAFE_IO));
    guards_.emplace_back(asio::make_work_guard(*contexts_.back()));
  }
}

WorkerPool::~WorkerPool() {
  stop_and_join();
}

void WorkerPool::start() {
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      const std::string name = "flotilla-w" + std::to_string(i);
      pthread_setname_np(pthread_self(), name.c_str());
      contexts_[i]->run();
    });
  }
}

void WorkerPool::release_and_join() {
  for (auto& guard : guards_) guard.reset();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void WorkerPool::stop_and_join() {
  for (auto& guard : guards_) guard.reset();
  for (auto& context : contexts_) context->stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace flotilla::net
