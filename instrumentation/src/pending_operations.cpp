// Deep mode's hooks: Asio calls creation() from inside the poll that starts an operation,
// completion() just before the handler that resumes the task, and destroys the operation
// (tracked_operation's destructor unlinks it) wherever it completes. What they record lives in the
// resource table (resource_table.hpp).
#include "asio_console/instrumentation/pending_operations.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "asio_console/deep/tracked_operation.hpp"
#include "build_modes.hpp"
#include "resource_table.hpp"
#include "wake_word.hpp"
#include "asio_console/instrumentation/clock.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::deep::detail {
namespace {

std::atomic<std::uint32_t> deep_units{0};
std::atomic<std::uint32_t> plain_units{0};

// Kinds whose operations schedule a task's own resumption rather than wait on an object. Runs on
// every operation: the first characters rule out most kinds before a comparison.
bool is_executor(const char* kind) noexcept {
  switch (kind[0]) {
    case 'i': return std::strcmp(kind, "io_context") == 0;
    case 's':
      return (kind[1] == 't' || kind[1] == 'y') &&
             (std::strcmp(kind, "strand") == 0 || std::strcmp(kind, "strand_executor") == 0 ||
              std::strcmp(kind, "system_executor") == 0);
    case 't': return std::strcmp(kind, "thread_pool") == 0;
    default: return false;
  }
}

// Asio calls an acceptor a socket; its operations say what it is.
bool is_accept(const char* operation) noexcept {
  return std::strncmp(operation, "async_accept", 12) == 0;
}

}  // namespace

void forget(pending_record& record) noexcept { end_operation(record); }

void operation_created(tracked_operation& tracked, const char* object_kind, const void* object,
                       std::uintmax_t native_handle, const char* operation) noexcept {
  pending_record& op = tracked.asio_console_pending_;
  const instrumentation::detail::running_poll& poll = instrumentation::detail::current_poll;
  if (poll.task == nullptr || object_kind == nullptr || is_executor(object_kind)) return;
  if (op.resource != nullptr) end_operation(op);  // never seen: Asio creates each operation once
  op.task_id = poll.generation;
  op.task = poll.task;
  op.operation = operation;
  op.since = instrumentation::now_ticks();
  start_operation(op, is_accept(operation) ? "acceptor" : object_kind, object, native_handle);
}

void completion(const tracked_operation& tracked) noexcept {
  const pending_record& op = tracked.asio_console_pending_;
  if (op.resource == nullptr) return;
  instrumentation::task_record& task = *op.task;
  // The task cannot finish while its operation is pending; the check is for a record already
  // reused by the time a dropped operation is destroyed.
  if (task.generation.load(std::memory_order_relaxed) != op.task_id) return;
  instrumentation::detail::wake_word_of(task).store(
      make_wake_word(op.resource->id, op.operation, instrumentation::detail::schedules_of(task)),
      std::memory_order_relaxed);
}

void object_operated(const char* object_kind, const void* object, std::uintmax_t native_handle,
                     const char* operation) noexcept {
  // "cancel" comes often (every timer's re-arm); "close" and "release" end a socket.
  if (operation[0] == 'c' ? std::strcmp(operation, "close") == 0 : std::strcmp(operation, "release") == 0) {
    close_resource(object_kind, object, native_handle);
  }
}

bool note_translation_unit(bool deep) noexcept {
  (deep ? deep_units : plain_units).fetch_add(1, std::memory_order_relaxed);
  return deep;
}

std::string mixed_build_warning() {
  const std::uint32_t deep = deep_units.load(std::memory_order_relaxed);
  const std::uint32_t plain = plain_units.load(std::memory_order_relaxed);
  if (deep == 0 || plain == 0) return {};
  return "this program mixes " + std::to_string(deep) + " translation unit(s) built with asio_console::deep and " +
         std::to_string(plain) +
         " without: their Asio operations differ in layout (undefined behaviour); link asio_console::deep into every "
         "target whose code includes Asio";
}

}  // namespace asio_console::deep::detail

namespace asio_console::instrumentation {

std::vector<pending_operation> pending_operations() {
  std::vector<pending_operation> out;
  deep::detail::append_pending_operations(out);
  std::sort(out.begin(), out.end(), [](const pending_operation& a, const pending_operation& b) {
    return a.task_id != b.task_id ? a.task_id < b.task_id : a.since_ns < b.since_ns;
  });
  return out;
}

bool deep_mode() noexcept { return deep::detail::deep_units.load(std::memory_order_relaxed) != 0; }

}  // namespace asio_console::instrumentation
