// A doubly linked list threaded through its elements (which derive from ListHook): O(1) insert
// and unlink without allocating, so a worker can keep thousands of connections in order of
// their deadlines for free. Single-threaded; never owns or destroys its elements.
#pragma once

#include <cstddef>

namespace flotilla::net {

class ListHook {
 public:
  ListHook() = default;
  ListHook(const ListHook&) = delete;
  ListHook& operator=(const ListHook&) = delete;
  ~ListHook() { unlink(); }

  bool linked() const noexcept { return next_ != nullptr; }
  void unlink() noexcept {
    if (!next_) return;
    prev_->next_ = next_;
    next_->prev_ = prev_;
    prev_ = next_ = nullptr;
  }

 private:
  template <class T>
  friend class IntrusiveList;
  ListHook* prev_ = nullptr;
  ListHook* next_ = nullptr;
};

template <class T>
class IntrusiveList {
 public:
  IntrusiveList() { head_.prev_ = head_.next_ = &head_; }
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;
  // Elements still linked are detached, not destroyed.
  ~IntrusiveList() {
    while (!empty()) head_.next_->unlink();
    head_.prev_ = head_.next_ = nullptr;
  }

  bool empty() const noexcept { return head_.next_ == &head_; }
  T* front() const noexcept { return empty() ? nullptr : static_cast<T*>(head_.next_); }
  // Unlinks `element` from whatever list holds it, then appends it here.
  void push_back(T* element) noexcept {
    ListHook* hook = element;
    hook->unlink();
    hook->prev_ = head_.prev_;
    hook->next_ = &head_;
    head_.prev_->next_ = hook;
    head_.prev_ = hook;
  }
  // Unlinks `element`, then inserts it after the last element `e` for which `before(e, element)`
  // is false, walking from the back: O(1) for an element that sorts last.
  template <class Less>
  void insert_sorted(T* element, Less&& before) {
    ListHook* hook = element;
    hook->unlink();
    ListHook* at = head_.prev_;
    while (at != &head_ && before(element, static_cast<T*>(at))) at = at->prev_;
    hook->prev_ = at;
    hook->next_ = at->next_;
    at->next_->prev_ = hook;
    at->next_ = hook;
  }
  // Calls `f(T*)` on every element in order; `f` may unlink the element it is given (and no
  // other).
  template <class F>
  void for_each(F&& f) {
    for (ListHook* hook = head_.next_; hook != &head_;) {
      ListHook* next = hook->next_;
      f(static_cast<T*>(hook));
      hook = next;
    }
  }

 private:
  ListHook head_;
};

}  // namespace flotilla::net
