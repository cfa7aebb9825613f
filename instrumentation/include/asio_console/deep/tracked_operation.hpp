// The base deep mode gives every Asio operation (asio_console/deep/handler_tracking.hpp), and the
// functions Asio's tracking hooks call. Includes no Asio header: Asio includes it.
#pragma once

#include <cstdint>

namespace boost::asio {
class execution_context;
}  // namespace boost::asio

namespace asio_console::deep::detail {

class operation_shard;

// What a pending operation is, and its place in the list of pending operations (guarded by its
// shard's mutex).
struct pending_record {
  std::uint64_t task_id = 0;  // 0: started outside any recorded task (not listed)
  const char* operation = nullptr;    // "async_wait", "async_receive", ... (string literals)
  const char* object_kind = nullptr;  // "deadline_timer", "socket", "channel", ...
  const void* object = nullptr;
  std::uintmax_t native_handle = 0;
  std::int64_t since_ns = 0;
  pending_record* previous = nullptr;
  pending_record* next = nullptr;
  operation_shard* shard = nullptr;  // the list it is in; nullptr when in none
};

static_assert(sizeof(pending_record) == 72, "what README says deep mode adds to every operation");

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
    if (asio_console_pending_.shard != nullptr) forget(asio_console_pending_);
  }
};

void creation(boost::asio::execution_context& context, tracked_operation& op, const char* object_kind,
              const void* object, std::uintmax_t native_handle, const char* operation) noexcept;
void completion(const tracked_operation& op) noexcept;
// Every translation unit that includes asio_console's co_spawn says once whether it is deep: a
// program that mixes both is told at its first spawn (their Asio operations differ in layout).
bool note_translation_unit(bool deep) noexcept;

}  // namespace asio_console::deep::detail

