// How asio_console::co_spawn hands a task to boost::asio::co_spawn and ends its record exactly once,
// whatever happens to the coroutine, without a coroutine frame of its own.
//
// boost::asio::co_spawn gets the caller's function, the task's executor (a task_executor; the
// task's first poll is where its body starts) and an outcome_handler around the completion handler
// the token made. The handler's call tells how the coroutine exited: no exception, completed;
// operation_aborted, cancelled; any other exception, failed. It owns the task_lifetime, so the
// record ends as `dropped` when the handler is destroyed uncalled (the io_context was destroyed
// with the task suspended, or a deferred co_spawn was never launched). It has every associated
// property (executor, allocator, cancellation slot) of the handler it wraps.
//
// A coroutine that never suspends completes through one more poll: Asio posts its completion so
// that no handler runs inside co_spawn itself.
#pragma once

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>
#include <exception>
#include <utility>

#include "asio_console/instrumentation/registry.hpp"

namespace asio_console::detail {

class task_lifetime {
 public:
  explicit task_lifetime(instrumentation::task_handle task) noexcept : task_(task) {}
  task_lifetime(task_lifetime&& other) noexcept : task_(std::exchange(other.task_, {})) {}
  task_lifetime& operator=(task_lifetime&&) = delete;
  ~task_lifetime() { end(instrumentation::task_outcome::dropped); }

  /// Ends the record with `outcome` unless it already ended.
  void end(instrumentation::task_outcome outcome) noexcept {
    if (task_.record != nullptr) {
      instrumentation::registry::instance().finish(task_, outcome);
      task_ = {};
    }
  }

 private:
  instrumentation::task_handle task_;
};

/// How a coroutine that co_spawn reports with `error` exited.
inline instrumentation::task_outcome outcome_of(const std::exception_ptr& error) noexcept {
  using instrumentation::task_outcome;
  if (!error) return task_outcome::completed;
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& failure) {
    return failure.code() == boost::asio::error::operation_aborted ? task_outcome::cancelled
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
    boost::asio::co_spawn(executor, std::forward<Function>(function),
                          outcome_handler<std::decay_t<Handler>>{std::forward<Handler>(handler), std::move(lifetime)});
  }
};

}  // namespace asio_console::detail

// outcome_handler has the associated executor, allocator and cancellation slot of the handler it
// wraps (including Asio's "unspecialised" markers, which co_spawn looks at).
template <template <typename, typename> class Associator, typename Handler, typename DefaultCandidate>
struct boost::asio::associator<Associator, asio_console::detail::outcome_handler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static decltype(auto) get(const asio_console::detail::outcome_handler<Handler>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler);
  }
  static decltype(auto) get(const asio_console::detail::outcome_handler<Handler>& h,
                            const DefaultCandidate& candidate) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler, candidate);
  }
};
