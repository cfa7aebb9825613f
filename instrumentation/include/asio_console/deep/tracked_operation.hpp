// The base deep mode gives every Asio operation (asio_console/deep/handler_tracking.hpp), and the
// functions Asio's tracking hooks call. Includes no Asio header: Asio includes it (Boost.Asio or
// standalone Asio alike).
#pragma once

#include <cstdint>

namespace asio_console::instrumentation {
class task_record;
}  // namespace asio_console::instrumentation

namespace asio_console::deep::detail {

struct resource_record;

// What a pending operation is, and its place in its resource's list of pending operations
// (guarded by the mutex of the resource's shard).
struct pending_record {
  std::uint64_t task_id = 0;  // 0: started outside any recorded task (not listed)
  instrumentation::task_record* task = nullptr;  // the record task_id was issued for
  const char* operation = nullptr;  // "async_wait", "async_receive", ... (string literals)
  resource_record* resource = nullptr;  // what it waits on; nullptr when in no list
  std::int64_t since = 0;  // instrumentation::ticks: when it started
  pending_record* previous = nullptr;
  pending_record* next = nullptr;
};

static_assert(sizeof(pending_record) == 56, "what README says deep mode adds to every operation");

void forget(pending_record& record) noexcept;

// The base of every Asio operation in deep mode. Its one member has a name no Asio class uses:
// every name here is seen inside all of Asio's operation classes.
class tracked_operation {
 public:
  tracked_operation(const tracked_operation&) = delete;
  tracked_operation& operator=(const tracked_operation&) = delete;

  pending_record asio_console_pending_;

 protected:
  tracked_operation() noexcept = default;
  ~tracked_operation() {
    if (asio_console_pending_.resource != nullptr) forget(asio_console_pending_);
  }
};

void operation_created(tracked_operation& op, const char* object_kind, const void* object,
                       std::uintmax_t native_handle, const char* operation) noexcept;
void completion(const tracked_operation& op) noexcept;
// An object's operation that is not asynchronous; "close" and "release" end a socket or descriptor.
void object_operated(const char* object_kind, const void* object, std::uintmax_t native_handle,
                     const char* operation) noexcept;

// What Asio's hooks call, with Boost.Asio's or standalone Asio's execution context (not needed).
template <typename Context>
void creation(Context&, tracked_operation& op, const char* object_kind, const void* object,
              std::uintmax_t native_handle, const char* operation) noexcept {
  operation_created(op, object_kind, object, native_handle, operation);
}
template <typename Context>
void object_operation(Context&, const char* object_kind, const void* object, std::uintmax_t native_handle,
                      const char* operation) noexcept {
  object_operated(object_kind, object, native_handle, operation);
}
// Every translation unit that includes asio_console's co_spawn says once whether it is deep: a
// program that mixes both is told at its first spawn (their Asio operations differ in layout).
bool note_translation_unit(bool deep) noexcept;

}  // namespace asio_console::deep::detail

