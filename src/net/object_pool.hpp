// Per-worker free list of reusable objects (request workspaces with their I/O buffers, parsers
// and scratch space). Idle keep-alive connections hold none, which keeps memory per idle
// connection small; busy ones reuse warmed-up objects, so requests do not allocate.
// Single-threaded: a pool belongs to one worker and is never touched by another.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace flotilla::net {

template <class T>
class ObjectPool {
 public:
  // A leased object; goes back to the pool when destroyed.
  class Lease {
   public:
    Lease() = default;
    Lease(ObjectPool* pool, std::unique_ptr<T> object) : pool_(pool), object_(std::move(object)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), object_(std::move(other.object_)) {}
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        release();
        pool_ = std::exchange(other.pool_, nullptr);
        object_ = std::move(other.object_);
      }
      return *this;
    }
    ~Lease() { release(); }

    T* operator->() const noexcept { return object_.get(); }
    T& operator*() const noexcept { return *object_; }
    explicit operator bool() const noexcept { return object_ != nullptr; }
    void release() noexcept {
      if (object_ && pool_) pool_->give_back(std::move(object_));
      object_.reset();
    }

   private:
    ObjectPool* pool_ = nullptr;
    std::unique_ptr<T> object_;
  };

  // `make` builds a new object when the free list is empty; at most `max_free` are kept idle.
  ObjectPool(std::function<std::unique_ptr<T>()> make, std::size_t max_free = 1024)
      : make_(std::move(make)), max_free_(max_free) {
    free_.reserve(max_free_);
  }
  ObjectPool(const ObjectPool&) = delete;
  ObjectPool& operator=(const ObjectPool&) = delete;

  Lease lease() {
    if (free_.empty()) return Lease(this, make_());
    std::unique_ptr<T> object = std::move(free_.back());
    free_.pop_back();
    return Lease(this, std::move(object));
  }

  std::size_t idle() const noexcept { return free_.size(); }

 private:
  // Capacity is reserved up front, so keeping an object never allocates; beyond max_free the
  // object is simply destroyed.
  void give_back(std::unique_ptr<T> object) noexcept {
    if (free_.size() < max_free_) free_.push_back(std::move(object));
  }

  std::function<std::unique_ptr<T>()> make_;
  std::size_t max_free_;
  std::vector<std::unique_ptr<T>> free_;
};

}  // namespace flotilla::net
