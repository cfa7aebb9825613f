// gRPC hands a reactor to the threads that run its reactions (OnWriteDone, OnCancel, OnDone) through
// code Debian builds without ThreadSanitizer, so TSan cannot see that the reactor was constructed
// before them. Streams call publish() once set up, and every reaction calls observe() first: a
// release sequence on one counter that makes the hand-off a visible happens-before edge. The cost is
// one atomic operation per reaction; nothing on the application's paths.
#pragma once

#include <atomic>
#include <cstdint>

namespace asio_console::server_internal {

class reactor_handoff {
 public:
  static void publish() noexcept { counter().fetch_add(1, std::memory_order_acq_rel); }
  static void observe() noexcept { (void)counter().load(std::memory_order_acquire); }

 private:
  static std::atomic<std::uint64_t>& counter() noexcept {
    static std::atomic<std::uint64_t> value{0};
    return value;
  }
};

}  // namespace asio_console::server_internal
