// How asio_console::co_spawn hands a task to boost::asio::co_spawn and ends its record exactly once,
// whatever happens to the coroutine, without a coroutine frame of its own.
//
// The task is started as boost::asio::co_spawn would (launch_task, which also tells the recorder
// where the task's coroutine frames are) with the caller's function, the task's executor (a
// task_executor; the task's first poll is where its body starts) and an outcome_handler around the
// completion handler the token made. The handler's call tells how the coroutine exited: no exception, completed;
// operation_aborted, cancelled; any other exception, failed. It owns the task_lifetime, so the
// record ends as `dropped` when the handler is destroyed uncalled (the io_context was destroyed
// with the task suspended, or a deferred co_spawn was never launched). It has every associated
// property (executor, allocator, cancellation slot) of the handler it wraps.
//
// A coroutine that never suspends may complete through one more poll: Asio posts its completion so
// that no handler runs inside co_spawn itself (Asio 1.26 to 1.32 always; 1.36 and later only when
// the body ran inside co_spawn).
#pragma once

#include <exception>
#include <utility>

#include "asio_console/detail/asio/flavor.hpp"
#include "asio_console/detail/asio/internals.hpp"
#include "asio_console/detail/executor_accounting.hpp"
#include "asio_console/instrumentation/await_stacks.hpp"
#include "asio_console/instrumentation/registry.hpp"

namespace asio_console::detail {

// Ends the task's record exactly once: the object that holds that duty moves with the completion
// handler. The one left behind in the task's entry-point frame when the handler leaves it to be
// called is destroyed with the frame, inside the task's last poll, and then forgets the task's
// await anchor: the handler may run later, elsewhere (a strand, another executor), and the frames
// must not be read meanwhile. Objects left behind on the way to the frame die outside that poll.
class task_lifetime {
 public:
  explicit task_lifetime(instrumentation::task_handle task) noexcept : task_(task, task.record != nullptr) {}
  task_lifetime(task_lifetime&& other) noexcept : task_(other.task_) {
    other.task_.drop_work();  // left behind: keeps the task's name only to forget its frames
  }
  task_lifetime& operator=(task_lifetime&&) = delete;
  // Inline: a spawn destroys a handful of these, left behind as the handler moves.
  [[gnu::always_inline]] ~task_lifetime() {
    if (task_.holds_work()) [[unlikely]] {
      end(instrumentation::task_outcome::dropped);
    } else if (instrumentation::task_record* record = task_.polled_here()) {
      // The task's own poll holds its record: its frames are going, never read them again.
      record->await_anchor.store(nullptr, std::memory_order_release);
    }
  }

  /// The task while it has not finished, else an empty handle: exact while this object owns the
  /// task (the record cannot be reused before it ends).
  instrumentation::task_handle task() const noexcept { return task_.live(); }

  /// Ends the record with `outcome` unless it already ended.
  void end(instrumentation::task_outcome outcome) noexcept {
    if (task_.holds_work()) {
      instrumentation::registry::instance().finish(task(), outcome);
      task_.drop_work();
    }
  }

 private:
  // The task in 8 bytes (its record's index and a tag of its id); its "holds work" bit says this
  // object owns the duty to end the record. Asio allocates a frame as its size plus one byte,
  // rounded up to 16, so 8 more bytes in co_spawn's entry-point frame would cost 16 a task (496
  // requested against plain Asio's 480).
  compact_work_handle task_;
};
static_assert(sizeof(task_lifetime) == 8);

/// How a coroutine that co_spawn reports with `error` exited.
inline instrumentation::task_outcome outcome_of(const std::exception_ptr& error) noexcept {
  using instrumentation::task_outcome;
  if (!error) return task_outcome::completed;
  try {
    std::rethrow_exception(error);
  } catch (const net_system_error& failure) {
    return failure.code() == net::error::operation_aborted ? task_outcome::cancelled
                                                                    : task_outcome::failed;
  } catch (...) {
    return task_outcome::failed;
  }
}

template <typename Handler>
struct outcome_handler {
  [[no_unique_address]] Handler handler;  // detached and most tokens' handlers are empty
  task_lifetime lifetime;

  template <typename... Result>
  void operator()(std::exception_ptr error, Result&&... result) {
    lifetime.end(outcome_of(error));
    std::move(handler)(std::move(error), std::forward<Result>(result)...);
  }
};

/// The initiation of a recorded co_spawn: what boost::asio::co_spawn does, with the handler the
/// token made wrapped in an outcome_handler. Taking the task_lifetime as an argument (not a member)
/// lets a deferred operation that is never launched end the record when it is destroyed.
template <typename AwaitableExecutor>
struct initiate_recorded_spawn {
  AwaitableExecutor executor;

  template <typename Handler, typename Function>
  void operator()(Handler&& handler, Function&& function, task_lifetime&& lifetime) const {
    const instrumentation::task_handle task = lifetime.task();
    asio_internals::launch_task(executor, std::forward<Function>(function),
                outcome_handler<std::decay_t<Handler>>{std::forward<Handler>(handler), std::move(lifetime)}, task);
  }
};

}  // namespace asio_console::detail

// outcome_handler has the associated executor, allocator and cancellation slot of the handler it
// wraps (including Asio's "unspecialised" markers, which co_spawn looks at).
template <template <typename, typename> class Associator, typename Handler, typename DefaultCandidate>
struct asio_console::detail::net::associator<Associator, asio_console::detail::outcome_handler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static decltype(auto) get(const asio_console::detail::outcome_handler<Handler>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler);
  }
  static decltype(auto) get(const asio_console::detail::outcome_handler<Handler>& h,
                            const DefaultCandidate& candidate) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler, candidate);
  }
};
