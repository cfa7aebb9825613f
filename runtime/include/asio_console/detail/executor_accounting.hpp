// What every task_executor shares, whatever it wraps: the handle of its task it carries, and the
// accounting of one execution of the task's coroutine (a wake, then a poll).
#pragma once

#include <concepts>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "asio_console/detail/asio/flavor.hpp"
#include "asio_console/instrumentation/record_directory.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::detail {

// The function an instrumented execute() hands to the inner executor: one poll of the task.
template <typename Function>
struct polled_function {
  Function function;
  instrumentation::task_handle task;
  instrumentation::ticks wake_stamp;

  void operator()() {
    instrumentation::poll_scope poll(task, wake_stamp);
    function();
  }
};

// Whether `executor` answers `property` with `value`; false if it cannot be asked. Decided at
// compile time for an io_context executor.
template <typename Executor, typename Property, typename Value>
bool query_is(const Executor& executor, const Property& property, const Value& value) noexcept {
  if constexpr (net::can_query<const Executor&, Property>::value) {
    return net::query(executor, property) == value;
  } else {
    return false;
  }
}

template <typename Executor>
bool never_blocks(const Executor& executor) noexcept {
  return query_is(executor, net::execution::blocking, net::execution::blocking.never);
}

template <typename Executor>
bool runs_inline_here(const Executor& executor) noexcept {
  if constexpr (requires { { executor.running_in_this_thread() } -> std::convertible_to<bool>; }) {
    return executor.running_in_this_thread();
  } else {
    return false;
  }
}

// Whether `executor` keeps outstanding work (a pending operation's executor does). Decided at
// compile time for an io_context executor and a strand of one.
template <typename Executor>
bool tracks_work(const Executor& executor) noexcept {
  return query_is(executor, net::execution::outstanding_work, net::execution::outstanding_work.tracked);
}

// How a task_executor names its task, plus one bit: whether this executor holds a unit of the
// task's pending work. Two forms with one interface; task_executor picks the smallest that keeps it
// within any_io_executor's 24-byte inline buffer, and the fastest where both fit.

// The record's address and the task id (16 bytes), the bit in the address's alignment. Reading it
// is one load and a compare.
class wide_work_handle {
 public:
  wide_work_handle() noexcept = default;
  wide_work_handle(const instrumentation::task_handle& task, bool holds_work) noexcept
      : record_bits_(reinterpret_cast<std::uintptr_t>(task.record) | (holds_work ? 1u : 0u)),
        generation_(task.generation) {}

  /// The task's record and generation while it has not finished; an empty handle after (and for
  /// no task).
  instrumentation::task_handle live() const noexcept {
    const instrumentation::task_handle task{record(), generation_};
    return task.live() != nullptr ? task : instrumentation::task_handle{};
  }
  bool holds_work() const noexcept { return (record_bits_ & 1u) != 0; }
  wide_work_handle without_work() const noexcept { return {record_bits_ & ~std::uintptr_t{1}, generation_}; }
  void drop_work() noexcept { record_bits_ &= ~std::uintptr_t{1}; }
  void take_work() noexcept { record_bits_ |= 1u; }

  friend bool same_task(const wide_work_handle& a, const wide_work_handle& b) noexcept {
    return a.record() == b.record() && a.generation_ == b.generation_;
  }

 private:
  wide_work_handle(std::uintptr_t record_bits, std::uint64_t generation) noexcept
      : record_bits_(record_bits), generation_(generation) {}
  instrumentation::task_record* record() const noexcept {
    return reinterpret_cast<instrumentation::task_record*>(record_bits_ & ~std::uintptr_t{1});
  }

  std::uintptr_t record_bits_ = 0;
  std::uint64_t generation_ = 0;
};

// The record's index and a tag of the task id (8 bytes), the bit in the tag's bit 0 (the finished
// bit, 0 for a live task). Reading it looks the record up in the directory first.
class compact_work_handle {
 public:
  compact_work_handle() noexcept = default;
  compact_work_handle(const instrumentation::task_handle& task, bool holds_work) noexcept
      : index_(task.record != nullptr ? task.record->index : 0),
        tag_(index_ != 0 ? instrumentation::detail::generation_tag(task.generation) | (holds_work ? 1u : 0u) : 0) {}

  instrumentation::task_handle live() const noexcept {
    if (index_ == 0) return {};
    instrumentation::task_record* record = instrumentation::detail::record_at(index_);
    const std::uint64_t generation = record->generation.load(std::memory_order_relaxed);
    if (instrumentation::detail::generation_tag(generation) != (tag_ & ~std::uint32_t{1})) return {};
    return {record, generation};
  }
  /// The task's record if the innermost poll on this thread is one of the task's, else nullptr;
  /// without looking the record up: the tag first (a register compare that tells other tasks
  /// apart; no poll's tag is 0), then the polled record's index (tags repeat every 2^31 ids).
  instrumentation::task_record* polled_here() const noexcept {
    const instrumentation::detail::running_poll& poll = instrumentation::detail::current_poll;
    return instrumentation::detail::generation_tag(poll.generation) == (tag_ & ~std::uint32_t{1}) &&
                   poll.task != nullptr && poll.task->index == index_
               ? poll.task
               : nullptr;
  }
  bool holds_work() const noexcept { return (tag_ & 1u) != 0; }
  compact_work_handle without_work() const noexcept { return {index_, tag_ & ~std::uint32_t{1}}; }
  void drop_work() noexcept { tag_ &= ~std::uint32_t{1}; }
  void take_work() noexcept { tag_ |= 1u; }

  friend bool same_task(const compact_work_handle& a, const compact_work_handle& b) noexcept {
    return a.index_ == b.index_ && (a.tag_ | 1u) == (b.tag_ | 1u);
  }

 private:
  compact_work_handle(std::uint32_t index, std::uint32_t tag) noexcept : index_(index), tag_(tag) {}

  std::uint32_t index_ = 0;
  std::uint32_t tag_ = 0;
};

// The handle a task_executor around `Executor` carries: wide if that still fits any_io_executor's
// inline buffer (around io_context's executor), compact otherwise (around thread_pool's).
template <typename Executor>
using work_handle_for =
    std::conditional_t<sizeof(Executor) + sizeof(wide_work_handle) <= 3 * sizeof(void*), wide_work_handle,
                       compact_work_handle>;

// Runs `function` through `target` (which has execute, never_blocks and runs_inline_here) as an
// execution of `task`'s coroutine: a wake, then a poll around it. `task` is live or empty.
template <typename Target, typename Function>
[[gnu::always_inline]] inline void execute_as_task(const Target& target, const instrumentation::task_handle& task,
                                                   Function&& function) {
  using polled = polled_function<std::decay_t<Function>>;
  instrumentation::task_record* record = task.record;
  if (record == nullptr) {
    target.execute(std::forward<Function>(function));
    return;
  }
  const bool never_blocks = target.never_blocks();
  instrumentation::ticks stamp = instrumentation::task_record::not_a_wake;
  if (instrumentation::current_task() == record) {
    // From inside the task's own poll: a "never" execution is a yield; anything else runs nested,
    // and if the inner executor runs it right here it is simply part of this poll.
    if (never_blocks) {
      stamp = instrumentation::record_wake(task, /*from_own_poll=*/true, /*runs_inline=*/false);
    } else if (target.runs_inline_here()) {
      instrumentation::detail::task_resumes_inline();
      target.execute(std::forward<Function>(function));
      return;
    }
  } else {
    stamp = instrumentation::record_wake(task, /*from_own_poll=*/false,
                                         /*runs_inline=*/!never_blocks && target.runs_inline_here());
  }
  target.execute(polled{std::forward<Function>(function), task, stamp});
}

// execute_as_task's target for an executor that is itself what the task runs on.
template <typename Executor>
struct executor_target {
  const Executor& executor;

  template <typename Function>
  void execute(Function&& function) const {
    executor.execute(std::forward<Function>(function));
  }
  bool never_blocks() const noexcept { return detail::never_blocks(executor); }
  bool runs_inline_here() const noexcept { return detail::runs_inline_here(executor); }
};

}  // namespace asio_console::detail
