#include "asio_console/instrumentation/await_stacks.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "asio_console/instrumentation/registry.hpp"

namespace asio_console::instrumentation {
namespace {

const char* load_pointer(const void* at) noexcept {
  const char* value = nullptr;
  std::memcpy(&value, at, sizeof value);
  return value;
}

const char* caller_of(const char* frame) noexcept { return load_pointer(frame + coroutine_frame_layout::caller_offset); }

// Visits the chain from `top` out to the task's own coroutine (co_spawn's entry point, the frame
// without a caller, is left out) as resume functions marked awaiting, at most `max_depth` of them,
// and returns how many. It stops early at anything that is not a coroutine's frame base (its handle
// must point just before it).
template <typename Visit>
[[gnu::always_inline]] inline std::size_t walk(const char* top, std::size_t max_depth, Visit visit) noexcept {
  std::size_t depth = 0;
  for (const char* frame = top; frame != nullptr && depth < max_depth;) {
    const char* coroutine = load_pointer(frame + coroutine_frame_layout::coroutine_handle_offset);
    if (coroutine == nullptr || coroutine + coroutine_frame_layout::promise_offset_in_frame != frame) break;
    const char* caller = caller_of(frame);
    if (caller == nullptr) break;
    visit(depth++, reinterpret_cast<std::uintptr_t>(load_pointer(coroutine)) | stack_table::awaiting_bit);
    frame = caller;
  }
  return depth;
}

// A reader announces itself, then looks at the task's polls; a poll that starts while another runs
// looks at the announcement after counting itself. For neither to miss the other, each side needs
// a full barrier between its write and its read. Readers are every capture and overlapping polls
// are rare, so the reader's barrier is only the compiler's and the overlapping poll pays for both
// with membarrier(2), which makes every thread of the process pass a full barrier (an asymmetric
// fence, as folly and the Linux kernel's RCU use). Without membarrier both sides are
// sequentially consistent.
long membarrier(int command) noexcept { return ::syscall(__NR_membarrier, command, 0, 0); }

[[gnu::noinline]] bool register_asymmetric_fence() noexcept {
  const long supported = membarrier(MEMBARRIER_CMD_QUERY);
  return supported > 0 && (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
         membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

// Decided once, on first use (tasks may run during static initialization), and the same for both
// sides from then on. Inline: every capture asks (a guard load and a branch).
inline bool asymmetric_fence() noexcept {
  static const bool available = register_asymmetric_fence();
  return available;
}

void announce_reading(task_record& record, bool asymmetric) noexcept {
  if (asymmetric) {
    record.reading_frames.store(1, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
  } else {
    record.reading_frames.store(1, std::memory_order_seq_cst);
  }
}

// Reads `record`'s frames with `read(top frame)` while nothing else can run them; false
// if they cannot be read now (another poll of the task runs).
template <typename Read>
bool read_frames(task_record& record, Read read) noexcept {
  const bool asymmetric = asymmetric_fence();
  announce_reading(record, asymmetric);
  // Acquire: the frames as the task's previous poll, wherever it ran, left them.
  const std::uint64_t polls =
      record.poll_word.load(asymmetric ? std::memory_order_acquire : std::memory_order_seq_cst);
  const bool alone = (polls & task_record::active_poll_mask) == 1;  // only the caller's own poll
  if (alone) {
    const void* anchor = record.await_anchor.load(std::memory_order_acquire);
    read(anchor != nullptr ? load_pointer(anchor) : nullptr);
  }
  record.reading_frames.store(0, std::memory_order_release);
  return alone;
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

stack_id intern(std::span<const std::uintptr_t> frames) noexcept {
  if (frames.empty()) return 0;
  const std::uint64_t hash = hash_of(frames);
  cached_stack& entry = cache[hash % cache_entries];
  if (entry.id != 0 && entry.hash == hash && entry.depth == frames.size() &&
      std::equal(frames.begin(), frames.end(), entry.frames)) {
    return entry.id;
  }
  const stack_id id = registry::instance().await_stacks().intern(frames);
  if (frames.size() <= cached_stack::max_frames) {
    entry.hash = hash;
    entry.depth = static_cast<std::uint32_t>(frames.size());
    entry.id = id;
    std::copy(frames.begin(), frames.end(), entry.frames);
  }
  return id;
}

// The chain this thread recorded last: a task mostly suspends where it (or the task before it on
// this thread) did, and then a walk that reads the same frames costs no hash.
struct last_capture {
  stack_id id = 0;
  std::size_t depth = 0;
  std::uintptr_t frames[max_await_depth] = {};  // initialized: constant, so no guard per access
};
thread_local last_capture last;

}  // namespace

void prepare_frame_reading() noexcept { asymmetric_fence(); }

void set_await_anchor(const task_handle& task, const void* anchor) noexcept {
  if (task.live() != nullptr) task.record->await_anchor.store(anchor, std::memory_order_release);
}

std::size_t read_await_chain(task_record& record, std::span<std::uintptr_t> out) noexcept {
  std::size_t depth = 0;
  read_frames(record, [&](const char* top) {
    depth = walk(top, out.size(), [&](std::size_t at, std::uintptr_t frame) { out[at] = frame; });
  });
  return depth;
}

void capture_await_stack(task_record& record) noexcept {
  last_capture& recorded = last;  // one thread-local address for the whole walk
  bool captured = false;  // false: keep what was recorded
  bool same_frames = true;
  read_frames(record, [&](const char* top) {
    // A running chain is about to change: only a chain suspended at an await is worth recording.
    if (top != nullptr && load_pointer(top + coroutine_frame_layout::attached_thread_offset) != nullptr) return;
    // Compared with the chain recorded last on this thread as it is read, and written over it
    // (frames past its depth are older chains': a differing depth decides those).
    const std::size_t depth = walk(top, max_await_depth, [&](std::size_t at, std::uintptr_t frame) {
      if (recorded.frames[at] != frame) {
        same_frames = false;
        recorded.frames[at] = frame;
      }
    });
    if (depth != recorded.depth) same_frames = false;
    recorded.depth = depth;
    captured = true;
  });
  if (!captured) return;  // another poll runs, or the chain runs on
  detail::current_poll.await_captured = true;
  if (!same_frames) recorded.id = intern({recorded.frames, recorded.depth});
  if (record.await_stack.load(std::memory_order_relaxed) != recorded.id) {
    record.await_stack.store(recorded.id, std::memory_order_relaxed);
  }
}

void wait_while_frames_read(const task_record& record) noexcept {
  if (asymmetric_fence()) membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
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
