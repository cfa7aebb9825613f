#include "asio_console/instrumentation/await_stacks.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <thread>

#include "asio_console/instrumentation/registry.hpp"

namespace asio_console::instrumentation {
namespace {

const char* load_pointer(const void* at) noexcept {
  const char* value = nullptr;
  std::memcpy(&value, at, sizeof value);
  return value;
}

// Which chains a read takes: any (a spawn stack continues through the running spawner's chain),
// or only one suspended at an await (a capture: a running chain is about to change).
enum class chain_wanted : bool { any, suspended };

// The chain from the top-of-stack pointer at `anchor` out to the task's own coroutine; nullopt if
// `wanted` is suspended and the innermost frame runs.
std::optional<std::size_t> walk(const void* anchor, std::span<std::uintptr_t> out, chain_wanted wanted) noexcept {
  const char* frame = load_pointer(anchor);
  if (wanted == chain_wanted::suspended && frame != nullptr &&
      load_pointer(frame + coroutine_frame_layout::attached_thread_offset) != nullptr) {
    return std::nullopt;
  }
  std::size_t depth = 0;
  while (frame != nullptr && depth < out.size()) {
    const char* caller = load_pointer(frame + coroutine_frame_layout::caller_offset);
    if (caller == nullptr) break;  // co_spawn's entry point: the bottom, not the task's own code
    const char* coroutine = load_pointer(frame + coroutine_frame_layout::coroutine_handle_offset);
    const auto resume = coroutine != nullptr ? reinterpret_cast<std::uintptr_t>(load_pointer(coroutine)) : 0;
    out[depth++] = resume | stack_table::awaiting_bit;
    frame = caller;
  }
  return depth;
}

// The frames, read when nothing else can run them: nullopt if they could not be read now.
std::optional<std::size_t> read_chain(task_record& record, std::span<std::uintptr_t> out, chain_wanted wanted) noexcept {
  // Announce, then look: a poll starting now either is seen here or sees the announcement (both
  // sides are sequentially consistent) and waits in wait_while_frames_read.
  record.reading_frames.store(1, std::memory_order_seq_cst);
  std::optional<std::size_t> depth;
  const std::uint64_t polls = record.poll_word.load(std::memory_order_seq_cst);
  if ((polls & task_record::active_poll_mask) == 1) {  // only the caller's own poll
    const void* anchor = record.await_anchor.load(std::memory_order_acquire);
    depth = anchor != nullptr ? walk(anchor, out, wanted) : 0;
  }
  record.reading_frames.store(0, std::memory_order_release);
  return depth;
}

std::uint64_t hash_of(std::span<const std::uintptr_t> frames) noexcept {
  std::uint64_t hash = 0x9e3779b97f4a7c15ull ^ frames.size();
  for (std::uintptr_t frame : frames) hash = (hash ^ frame) * 0xff51afd7ed558ccdull;
  return hash ^ (hash >> 32);
}

// Interned ids of the await stacks this thread saw last, so that a task suspending where it (or
// another task) suspended before costs a hash and a compare, not a lock.
struct cached_stack {
  static constexpr std::size_t max_frames = 12;
  std::uint64_t hash = 0;
  std::uint32_t depth = 0;
  stack_id id = 0;
  std::uintptr_t frames[max_frames] = {};
};
constexpr std::size_t cache_entries = 64;
thread_local cached_stack cache[cache_entries];
// The last chain this thread interned: a task usually suspends again where it (or the task before
// it) did, and an operation often takes work twice, so most captures end with one comparison.
thread_local struct {
  std::size_t depth = 0;
  stack_id id = 0;
  std::uintptr_t frames[max_await_depth];
} last_interned;

void remember(std::span<const std::uintptr_t> frames, stack_id id) noexcept {
  last_interned.depth = frames.size();
  last_interned.id = id;
  std::copy(frames.begin(), frames.end(), last_interned.frames);
}

stack_id intern(std::span<const std::uintptr_t> frames) noexcept {
  if (frames.empty()) return 0;
  if (frames.size() == last_interned.depth && std::equal(frames.begin(), frames.end(), last_interned.frames)) {
    return last_interned.id;
  }
  const std::uint64_t hash = hash_of(frames);
  cached_stack& entry = cache[hash % cache_entries];
  if (entry.id != 0 && entry.hash == hash && entry.depth == frames.size() &&
      std::equal(frames.begin(), frames.end(), entry.frames)) {
    remember(frames, entry.id);
    return entry.id;
  }
  const stack_id id = registry::instance().await_stacks().intern(frames);
  if (frames.size() <= cached_stack::max_frames) {
    entry.hash = hash;
    entry.depth = static_cast<std::uint32_t>(frames.size());
    entry.id = id;
    std::copy(frames.begin(), frames.end(), entry.frames);
  }
  remember(frames, id);
  return id;
}

}  // namespace

void set_await_anchor(const task_handle& task, const void* anchor) noexcept {
  if (task.live() != nullptr) task.record->await_anchor.store(anchor, std::memory_order_release);
}

void clear_await_anchor(const task_handle& task) noexcept {
  task_record* record = task.record;
  if (record == nullptr) return;
  // Finished or not, the record belongs to this task while its generation says so. Callers are a
  // poll of the task or its finish, during which it cannot be reclaimed, or the destruction of its
  // frames after both (rare: only when a strand or another executor delivers the completion later).
  if ((record->generation.load(std::memory_order_relaxed) & ~task_record::finished_bit) ==
      (task.generation & ~task_record::finished_bit)) {
    record->await_anchor.store(nullptr, std::memory_order_release);
  }
}

std::size_t read_await_chain(task_record& record, std::span<std::uintptr_t> out) noexcept {
  return read_chain(record, out, chain_wanted::any).value_or(0);
}

void capture_await_stack(task_record& record) noexcept {
  std::uintptr_t frames[max_await_depth];
  const std::optional<std::size_t> depth = read_chain(record, frames, chain_wanted::suspended);
  if (!depth) return;  // another poll runs, or the chain runs on: keep what was recorded
  const stack_id id = intern({frames, *depth});
  if (record.await_stack.load(std::memory_order_relaxed) != id) record.await_stack.store(id, std::memory_order_relaxed);
}

void wait_while_frames_read(const task_record& record) noexcept {
  // A reader holds the flag for the few loads of a walk; yield only if it was preempted meanwhile.
  for (int spins = 0; record.reading_frames.load(std::memory_order_seq_cst) != 0; ++spins) {
    if (spins < 64) {
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();
    }
  }
}

}  // namespace asio_console::instrumentation
