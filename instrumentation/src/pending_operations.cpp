// Deep mode's list of pending operations: Asio calls creation() from inside the poll that starts an
// operation and destroys the operation (tracked_operation's destructor unlinks it) wherever it
// completes. The list is sharded by task, each shard under a mutex.
#include "asio_console/instrumentation/pending_operations.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <string_view>

#include "asio_console/deep/tracked_operation.hpp"
#include "build_modes.hpp"
#include "asio_console/instrumentation/clock.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::deep::detail {

class operation_shard {
 public:
  void link(pending_record& op) noexcept {
    std::lock_guard lock(mutex_);
    op.previous = nullptr;
    op.next = head_;
    if (head_ != nullptr) head_->previous = &op;
    head_ = &op;
    op.shard = this;
  }
  void unlink(pending_record& op) noexcept {
    std::lock_guard lock(mutex_);
    if (op.previous != nullptr) op.previous->next = op.next;
    if (op.next != nullptr) op.next->previous = op.previous;
    if (head_ == &op) head_ = op.next;
    op.shard = nullptr;
  }
  void append_to(std::vector<instrumentation::pending_operation>& out) {
    std::lock_guard lock(mutex_);
    for (const pending_record* op = head_; op != nullptr; op = op->next) {
      instrumentation::pending_operation copy;
      copy.task_id = op->task_id;
      copy.operation = op->operation;
      copy.object_kind = op->object_kind;
      copy.object_id = reinterpret_cast<std::uintptr_t>(op->object);
      if (op->native_handle != 0) copy.native_handle = op->native_handle;
      copy.since_ns = op->since_ns;
      out.push_back(std::move(copy));
    }
  }

 private:
  std::mutex mutex_;
  pending_record* head_ = nullptr;
};

namespace {

constexpr std::size_t shard_count = 16;
// Never destroyed: operations may end in static destructors (an io_context of static duration).
std::array<operation_shard, shard_count>& shards() {
  static auto* const all = new std::array<operation_shard, shard_count>();
  return *all;
}
std::atomic<std::uint32_t> deep_units{0};
std::atomic<std::uint32_t> plain_units{0};

// By task: one shard holds all of a task's operations, so a reader sees each task's as they were
// at one moment.
operation_shard& shard_of(std::uint64_t task_id) noexcept { return shards()[task_id % shard_count]; }

// Kinds whose operations schedule a task's own resumption rather than wait on an object.
bool is_executor(std::string_view kind) noexcept {
  return kind == "io_context" || kind == "strand" || kind == "strand_executor" || kind == "thread_pool" ||
         kind == "system_executor";
}

}  // namespace

void forget(pending_record& record) noexcept { record.shard->unlink(record); }

void creation(boost::asio::execution_context&, tracked_operation& tracked, const char* object_kind, const void* object,
              std::uintmax_t native_handle, const char* operation) noexcept {
  pending_record& op = tracked.asio_console_pending_;
  const instrumentation::detail::running_poll& poll = instrumentation::detail::current_poll;
  if (poll.task == nullptr || object_kind == nullptr || is_executor(object_kind)) return;
  if (op.shard != nullptr) op.shard->unlink(op);  // never seen: Asio creates each operation once
  op.task_id = poll.generation;
  op.operation = operation;
  // Asio calls an acceptor a socket; its operations say what it is.
  op.object_kind = std::strncmp(operation, "async_accept", 12) == 0 ? "acceptor" : object_kind;
  op.object = object;
  op.native_handle = native_handle;
  op.since_ns = instrumentation::steady_now_nanoseconds();
  shard_of(op.task_id).link(op);
}

void completion(const tracked_operation&) noexcept {}

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
  for (deep::detail::operation_shard& shard : deep::detail::shards()) shard.append_to(out);
  std::sort(out.begin(), out.end(), [](const pending_operation& a, const pending_operation& b) {
    return a.task_id != b.task_id ? a.task_id < b.task_id : a.since_ns < b.since_ns;
  });
  return out;
}

bool deep_mode() noexcept { return deep::detail::deep_units.load(std::memory_order_relaxed) != 0; }

}  // namespace asio_console::instrumentation
