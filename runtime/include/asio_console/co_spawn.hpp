// asio_console::co_spawn: boost::asio::co_spawn that records the task it starts.
//
// Every overload of boost::asio::co_spawn is accepted, with the same completion tokens and return
// values, plus an optional last argument `task_options` (name, fields, spawn location):
//
//   asio_console::co_spawn(ctx, listener(), boost::asio::detached);
//   asio_console::co_spawn(ex, [&] { return session(std::move(s)); }, boost::asio::detached,
//                          {.name = "session"});
//   int n = co_await asio_console::co_spawn(ex, compute(), boost::asio::use_awaitable);
//
// Each call starts a new task whose parent is the task running on the calling thread (if any) and
// whose spawn site is the caller (or task_options::location). Tasks that Asio itself starts on a
// task's executor (awaitable operators, parallel_group, a plain boost::asio::co_spawn on
// `co_await this_coro::executor`) are part of that task.
//
// A task ends when its completion handler is called (completed, failed or cancelled, from the
// exception it reports) or destroyed uncalled (dropped). A coroutine that never suspends shows two
// polls where Asio posts its completion rather than calling the handler inside co_spawn (Asio 1.26
// to 1.32 always; from 1.36 only when the body ran inside co_spawn itself).
//
// co_spawn is a function object, so `using asio_console::co_spawn;` takes precedence over
// boost::asio::co_spawn found through argument-dependent lookup.
//
// Define ASIO_CONSOLE_DISABLE (in every translation unit) to make it plain boost::asio::co_spawn:
// options are ignored and nothing is recorded.
//
// Awaitables on a concrete executor type (`awaitable<T, io_context::executor_type>`) are recorded
// when that type is wrapped: `awaitable<T, asio_console::task_executor<io_context::executor_type>>`
// (one alias in most programs; task_executor converts from the executor it wraps). A spawn whose
// awaitable executor cannot carry a task_executor at all runs unrecorded: it is reported at compile
// time (a deprecation warning naming the fix; define ASIO_CONSOLE_ALLOW_UNRECORDED to silence it),
// by one line on stderr at the first such spawn of each site, and counted (registry_counters::
// unrecorded, shown by the console).
#pragma once

#include <exception>
#include <memory>
#include <source_location>
#include <type_traits>
#include <utility>

#include "asio_console/detail/asio/flavor.hpp"
#include "asio_console/task_options.hpp"

#if !defined(ASIO_CONSOLE_DISABLE)
#include "asio_console/deep/tracked_operation.hpp"
#include "asio_console/detail/asio/internals.hpp"
#include "asio_console/detail/recorded_spawn.hpp"
#include "asio_console/instrumentation/registry.hpp"
#include "asio_console/task_executor.hpp"

namespace asio_console::detail {
namespace {
// Each translation unit says whether it sees deep mode's Asio (ASIO_CONSOLE_DEEP comes with it).
#if defined(ASIO_CONSOLE_DEEP)
[[maybe_unused]] const bool deep_translation_unit = deep::detail::note_translation_unit(true);
#else
[[maybe_unused]] const bool deep_translation_unit = deep::detail::note_translation_unit(false);
#endif
// ...and which Asio it was built against (capabilities: no await stacks on an unchecked one).
[[maybe_unused]] const bool asio_build_noted = instrumentation::detail::note_asio_build(this_asio_build);
}  // namespace
}  // namespace asio_console::detail
#endif

namespace asio_console {
namespace detail {

template <typename Executor>
concept spawn_executor = net::is_executor<Executor>::value ||
                         net::execution::is_executor<Executor>::value;

template <typename Context>
concept spawn_context = std::is_convertible_v<Context&, net::execution_context&>;

template <typename Function>
concept awaitable_function = requires(std::decay_t<Function>& f) { typename decltype(f())::executor_type; };

template <typename Token>
concept completion_token_argument = !std::is_same_v<std::decay_t<Token>, task_options>;

template <typename Executor>
using default_token_t = typename net::default_completion_token<Executor>::type;

#if !defined(ASIO_CONSOLE_DISABLE)

// A task_executor, or a type derived from one (as_default_on's executor_with_default, say).
template <typename Executor>
concept is_task_executor = requires { typename Executor::inner_executor_type; } &&
                           std::is_base_of_v<task_executor<typename Executor::inner_executor_type>, Executor>;

template <typename Executor>
concept type_erased_executor = requires(const Executor& ex) { ex.target_type(); };

// The concrete executors a type-erased executor is looked into for: wrapped themselves, their task
// executor stays within any_io_executor's inline buffer, where a wrapped any_io_executor would not.
template <typename... Executors>
struct executor_list {};
using unwrapped_targets =
    executor_list<net::io_context::executor_type, net::strand<net::io_context::executor_type>,
                  net::thread_pool::executor_type, net::strand<net::thread_pool::executor_type>>;

// The executor the task's coroutine runs on: `executor` (unwrapped if it already belongs to a task,
// so a child never nests inside its parent's accounting) wrapped in a task_executor, and converted
// to the awaitable's executor type. Known targets of a type-erased executor are unwrapped.
template <typename AwaitableExecutor, typename Executor, typename Known, typename... Rest>
AwaitableExecutor wrap_type_erased(const Executor& executor, instrumentation::task_handle task,
                                   executor_list<Known, Rest...>) {
  if constexpr (std::is_constructible_v<AwaitableExecutor, task_executor<Known>>) {
    if (const auto* inner = executor.template target<task_executor<Known>>()) {
      return AwaitableExecutor(task_executor<Known>(inner->inner_executor(), task));
    }
    if (const auto* inner = executor.template target<Known>()) {
      return AwaitableExecutor(task_executor<Known>(*inner, task));
    }
  }
  if constexpr (sizeof...(Rest) > 0) {
    return wrap_type_erased<AwaitableExecutor>(executor, task, executor_list<Rest...>{});
  } else {
    if (const auto* inner = executor.template target<task_executor<Executor>>()) {
      return AwaitableExecutor(task_executor<Executor>(inner->inner_executor(), task));
    }
    return AwaitableExecutor(task_executor<Executor>(executor, task));
  }
}

template <typename AwaitableExecutor, typename Executor>
AwaitableExecutor make_task_executor(const Executor& executor, instrumentation::task_handle task) {
  if constexpr (is_task_executor<Executor>) {
    return make_task_executor<AwaitableExecutor>(executor.inner_executor(), task);
  } else if constexpr (type_erased_executor<Executor>) {
    return wrap_type_erased<AwaitableExecutor>(executor, task, unwrapped_targets{});
  } else {
    return AwaitableExecutor(task_executor<Executor>(executor, task));
  }
}

template <typename Executor>
struct untracked_executor {
  using type = Executor;
};
template <is_task_executor Executor>
struct untracked_executor<Executor> {
  using type = typename Executor::inner_executor_type;
};

template <typename Executor, typename AwaitableExecutor>
concept trackable = net::execution::is_executor<typename untracked_executor<Executor>::type>::value &&
                    std::is_constructible_v<AwaitableExecutor,
                                            task_executor<typename untracked_executor<Executor>::type>>;

// The completion signature of co_spawn for an awaitable type.
template <typename Awaitable>
struct spawn_signature {
  using type = void(std::exception_ptr, typename Awaitable::value_type);
};
template <typename Executor>
struct spawn_signature<net::awaitable<void, Executor>> {
  using type = void(std::exception_ptr);
};

#if defined(ASIO_CONSOLE_ALLOW_UNRECORDED)
template <typename AwaitableExecutor>
void warn_unrecorded() {}
#else
template <typename AwaitableExecutor>
[[deprecated(
    "asio-console cannot record this task: its awaitable's executor type cannot carry "
    "asio_console::task_executor. Use awaitable<T, asio_console::task_executor<E>> instead of "
    "awaitable<T, E> (README: \"Concrete executor types\"); ASIO_CONSOLE_ALLOW_UNRECORDED silences this")]]
void warn_unrecorded() {}
#endif

// A spawn that runs unrecorded: warned about when compiled, reported and counted when it runs.
template <typename AwaitableExecutor>
void report_unrecorded(const std::source_location& location) {
  warn_unrecorded<AwaitableExecutor>();
  instrumentation::registry::instance().count_unrecorded(location);
}

inline std::unique_ptr<instrumentation::task_extras> extras_of(const task_options& options) {
  if (options.name.empty() && options.fields.size() == 0) return nullptr;
  auto extras = std::make_unique<instrumentation::task_extras>();
  extras->name = options.name;
  extras->fields.reserve(options.fields.size());
  for (const task_field& field : options.fields) extras->fields.emplace_back(field.key, field.value);
  return extras;
}

#endif  // !ASIO_CONSOLE_DISABLE

template <typename Executor, typename Function, typename Token>
decltype(auto) spawn(const Executor& executor, Function&& function, Token&& token, const task_options& options,
                     const std::source_location& caller) {
#if defined(ASIO_CONSOLE_DISABLE)
  (void)options;
  (void)caller;
  return net::co_spawn(executor, std::forward<Function>(function), std::forward<Token>(token));
#else
  using awaitable_executor = typename decltype(std::declval<std::decay_t<Function>&>()())::executor_type;
  if constexpr (!trackable<Executor, awaitable_executor>) {
    report_unrecorded<awaitable_executor>(options.location.value_or(caller));
    return net::co_spawn(executor, std::forward<Function>(function), std::forward<Token>(token));
  } else {
    using signature = typename spawn_signature<decltype(std::declval<std::decay_t<Function>&>()())>::type;
    const instrumentation::task_handle task =
        instrumentation::registry::instance().spawn(options.location.value_or(caller), extras_of(options));
    return net::async_initiate<Token, signature>(
        initiate_recorded_spawn<awaitable_executor>{make_task_executor<awaitable_executor>(executor, task)}, token,
        std::forward<Function>(function), task_lifetime(task));
  }
#endif
}

template <typename T, typename Executor>
auto as_function(net::awaitable<T, Executor>&& body) {
  return [body = std::move(body)]() mutable { return std::move(body); };
}

struct co_spawn_function {
  // --- executor, awaitable -------------------------------------------------------------------
  template <spawn_executor Executor, typename T, typename AwaitableExecutor,
            completion_token_argument Token = default_token_t<Executor>>
    requires std::is_convertible_v<Executor, AwaitableExecutor>
  decltype(auto) operator()(const Executor& executor, net::awaitable<T, AwaitableExecutor> body,
                            Token&& token = default_token_t<Executor>(), task_options options = {},
                            std::source_location caller = std::source_location::current()) const {
    return spawn(executor, as_function(std::move(body)), std::forward<Token>(token), options, caller);
  }

  template <spawn_executor Executor, typename T, typename AwaitableExecutor>
    requires std::is_convertible_v<Executor, AwaitableExecutor>
  decltype(auto) operator()(const Executor& executor, net::awaitable<T, AwaitableExecutor> body,
                            task_options options,
                            std::source_location caller = std::source_location::current()) const {
    return spawn(executor, as_function(std::move(body)), default_token_t<Executor>(), options, caller);
  }

  // --- execution context, awaitable ----------------------------------------------------------
  template <spawn_context Context, typename T, typename AwaitableExecutor,
            completion_token_argument Token = default_token_t<typename Context::executor_type>>
    requires std::is_convertible_v<typename Context::executor_type, AwaitableExecutor>
  decltype(auto) operator()(Context& context, net::awaitable<T, AwaitableExecutor> body,
                            Token&& token = default_token_t<typename Context::executor_type>(),
                            task_options options = {},
                            std::source_location caller = std::source_location::current()) const {
    return spawn(context.get_executor(), as_function(std::move(body)), std::forward<Token>(token),
                 options, caller);
  }

  template <spawn_context Context, typename T, typename AwaitableExecutor>
    requires std::is_convertible_v<typename Context::executor_type, AwaitableExecutor>
  decltype(auto) operator()(Context& context, net::awaitable<T, AwaitableExecutor> body,
                            task_options options,
                            std::source_location caller = std::source_location::current()) const {
    return spawn(context.get_executor(), as_function(std::move(body)),
                 default_token_t<typename Context::executor_type>(), options, caller);
  }

  // --- executor, function returning an awaitable ---------------------------------------------
  template <spawn_executor Executor, awaitable_function Function,
            completion_token_argument Token = default_token_t<Executor>>
  decltype(auto) operator()(const Executor& executor, Function&& function,
                            Token&& token = default_token_t<Executor>(), task_options options = {},
                            std::source_location caller = std::source_location::current()) const {
    return spawn(executor, std::forward<Function>(function), std::forward<Token>(token), options,
                 caller);
  }

  template <spawn_executor Executor, awaitable_function Function>
  decltype(auto) operator()(const Executor& executor, Function&& function, task_options options,
                            std::source_location caller = std::source_location::current()) const {
    return spawn(executor, std::forward<Function>(function), default_token_t<Executor>(), options,
                 caller);
  }

  // --- execution context, function returning an awaitable ------------------------------------
  template <spawn_context Context, awaitable_function Function,
            completion_token_argument Token = default_token_t<typename Context::executor_type>>
  decltype(auto) operator()(Context& context, Function&& function,
                            Token&& token = default_token_t<typename Context::executor_type>(),
                            task_options options = {},
                            std::source_location caller = std::source_location::current()) const {
    return spawn(context.get_executor(), std::forward<Function>(function), std::forward<Token>(token),
                 options, caller);
  }

  template <spawn_context Context, awaitable_function Function>
  decltype(auto) operator()(Context& context, Function&& function, task_options options,
                            std::source_location caller = std::source_location::current()) const {
    return spawn(context.get_executor(), std::forward<Function>(function),
                 default_token_t<typename Context::executor_type>(), options, caller);
  }
};

}  // namespace detail

/// Spawns a coroutine as a recorded task. See the comment at the top of this header.
inline constexpr detail::co_spawn_function co_spawn{};

}  // namespace asio_console
