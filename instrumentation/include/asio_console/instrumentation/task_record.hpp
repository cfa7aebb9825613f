// The per-task record and the hot-path accounting that every resume of a task performs.
//
// A record lives in memory the registry never frees (it is recycled), so an executor copy that
// outlives its task can still look at it safely: a handle carries the record's generation (the
// task's id, which is never reused), and a mismatch turns every operation into a no-op. The
// generation gains `finished_bit` when the task finishes, so the executes Asio performs after a
// coroutine returns are not charged to it.
//
// Hot fields are written lock-free by the task's polls and wakes (relaxed atomics, no allocation,
// no queue). Cold fields are written once when the task is spawned, before the record is
// published (phase becomes `live` with release), and at finish. Readers sample; nothing is queued,
// so nothing can be dropped.
//
// The task's await stack (where its coroutines are suspended) is read from its coroutine frames on
// the task's own thread only, while no other poll of the task runs (see await_stacks.hpp): a poll
// that starts while another one is active first waits for a frame reader to finish (nanoseconds).
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "asio_console/instrumentation/clock.hpp"
#include "asio_console/instrumentation/duration_histogram.hpp"

namespace asio_console::instrumentation {

/// How a finished task ended.
enum class task_outcome : std::uint8_t {
  none,       ///< not finished
  completed,  ///< the coroutine returned
  failed,     ///< the coroutine exited with an exception
  cancelled,  ///< the coroutine exited with operation_aborted (cancellation)
  dropped,    ///< the frame was destroyed without finishing: io_context destroyed, or never started
};

/// Where a record is in its life. Only the registry moves a record back to `free`.
enum class record_phase : std::uint8_t { free, live, finished };

/// What only some tasks carry, allocated only for those: a name and fields (from task_options),
/// and the histograms attached while a console watches the task's details.
struct task_extras {
  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;
  // Set by registry::attach_histograms while a console watches the task, cleared by
  // detach_histograms when none does; freed then or with the extras when the record is reclaimed.
  std::atomic<task_histograms*> histograms{nullptr};

  task_extras() = default;
  task_extras(const task_extras&) = delete;
  task_extras& operator=(const task_extras&) = delete;
  ~task_extras() { delete histograms.load(std::memory_order_relaxed); }
};

/// Interned stack (see stack_table): a spawn stack, 0 when the spawn was not sampled; an await
/// stack, 0 when the task is not suspended in a coroutine of its own.
using stack_id = std::uint32_t;

class task_record {
 public:
  // poll_word packs the number of polls in progress (low bits) and the number of polls started.
  static constexpr std::uint64_t active_poll_one = 1;
  static constexpr std::uint64_t active_poll_mask = 0xffff;
  static constexpr std::uint64_t started_poll_one = std::uint64_t{1} << 16;

  // Wake stamps carried from an execute() to the poll it causes.
  static constexpr ticks not_a_wake = 0;   // ran inside the task's own poll: no wake
  static constexpr ticks inline_wake = 1;  // a wake that runs at once: no scheduled time
  static constexpr ticks self_wake = 2;    // a yield: scheduled from the end of the waking poll

  // --- identity (with two small fields of other groups, packed into one word) -----------------
  // The task's id while it is live, the id plus finished_bit once it has finished. Ids start at 1,
  // so a record that was never used matches no handle.
  static constexpr std::uint64_t finished_bit = std::uint64_t{1} << 63;
  std::atomic<std::uint64_t> generation{finished_bit};
  std::atomic<record_phase> phase{record_phase::free};
  std::atomic<task_outcome> outcome{task_outcome::none};  // written at finish
  // Set while a thread reads the task's coroutine frames (read_await_chain).
  std::atomic<std::uint8_t> reading_frames{0};
  stack_id stack = 0;  // written at spawn

  // --- hot: written by polls and wakes --------------------------------------------------------
  std::atomic<std::uint64_t> poll_word{0};
  // The spawn's first dispatch plus every wake from outside the task's own poll. A task is
  // scheduled as many times as this plus its self-wakes (schedules_of).
  std::atomic<std::uint64_t> schedules{0};
  // Wakes from inside the task's own poll (yields), since the spawn: not in `schedules`, so that a
  // yield makes no locked instruction. Written only by the task's sole polls (see
  // overlap_counters), which add with a load and a store; polls that overlap another add theirs to
  // the task's overlap_counters.
  std::atomic<std::uint64_t> self_wakes{0};
  std::atomic<ticks> busy{0};
  std::atomic<ticks> scheduled{0};
  std::atomic<ticks> longest_poll{0};
  // When the last poll started while one runs, when it ended otherwise (0 before the first poll);
  // once the task has finished, when it finished: the end of the poll it finished in (finish
  // stamps it only when it comes from outside the task's polls), or of a poll still ending.
  // One field for both: nobody needs the previous end while a poll runs. (When polls of one task
  // overlap on two threads, an end can be read as the running one's start: its time so far is
  // then counted from that end.)
  std::atomic<ticks> last_poll_edge{0};
  // Units of outstanding work taken for this task (see add_pending_work), measured from
  // pending_work_base, the count at the spawn (never reset, as poll_word).
  std::atomic<std::int32_t> pending_work{0};
  std::atomic<std::int32_t> pending_work_base{0};
  // Where the task's coroutines were suspended when it last took work for an operation or yielded
  // (an interned await stack; 0: not inside a coroutine of its own).
  std::atomic<stack_id> await_stack{0};
  std::uint32_t site_id = 0;  // written at spawn; see registry::site_of
  // The address of the task's coroutine stack top (`top_of_stack_` in Asio's entry-point frame)
  // while that frame exists; null before it is known and once it is gone.
  std::atomic<const void*> await_anchor{nullptr};
  // (Deep mode's record of what last woke the task lives beside the records: detail::wake_word_of.)

  // --- cold: written at spawn before publication, immutable until reclaimed -------------------
  std::uint64_t id() const noexcept { return generation.load(std::memory_order_relaxed) & ~finished_bit; }
  std::uint64_t parent_id = 0;  // 0: spawned outside any task
  ticks created = 0;
  // Name, fields and histograms, for the tasks that have any: set at spawn, or by
  // registry::attach_histograms (under the reader lock) if the task had none; then kept until
  // the record is reclaimed, never while a poll runs.
  mutable std::atomic<task_extras*> extras{nullptr};
  // poll_word and schedules are never reset (a stale handle may be undoing an increment on them
  // while the record is reused); a task's own counts are measured from these values at its spawn.
  std::uint64_t poll_word_at_spawn = 0;
  std::uint64_t schedules_at_spawn = 0;

  // --- owned by the registry ------------------------------------------------------------------
  // Order of finishing, for watchers: given when the registry collects the finished record.
  std::uint64_t finish_sequence = 0;
  std::uint32_t index = 0;  // in the record directory (record_directory.hpp); set when carved
  std::uint32_t next = 0;   // the index of the next record on a free list or finished queue; 0 ends it
};

// Every parked task pays for its record: BENCHMARKS.md's memory figures count these bytes.
static_assert(sizeof(task_record) <= 152);

/// What a task's polls that overlap another of its polls count. A poll that starts while none of
/// the task's polls is active is a *sole* poll; sole polls of one task never run at once (any poll
/// that starts during one sees it active), so they add to the record's busy and scheduled times,
/// longest poll and self-wakes with a plain load and store: no locked instruction per resume.
/// A poll that starts while another is active (rare: a completion resuming the task on a second
/// thread before the first poll has returned, or functions posted to its executor from several
/// threads) adds here instead, atomically. Readers add both (take the larger longest poll).
///
/// Kept in arrays parallel to the record directory's chunks, made when a chunk's first overlap
/// happens and never freed: records stay small, and the registry resets a record's counters when
/// it is reused for a new task.
struct overlap_counters {
  std::atomic<ticks> busy{0};
  std::atomic<ticks> scheduled{0};
  std::atomic<ticks> longest_poll{0};
  std::atomic<std::uint64_t> self_wakes{0};
};

namespace detail {
/// `record`'s overlap counters, made with its chunk's on first use (record_pool.cpp).
overlap_counters& overlap_counters_of(const task_record& record) noexcept;
/// `record`'s overlap counters, or nullptr if no poll in its chunk ever overlapped another.
overlap_counters* find_overlap_counters(const task_record& record) noexcept;

/// Deep mode: the operation whose completion last woke `record`'s task, packed in one word (see
/// deep::detail::make_wake_word), 0 before any. Kept in arrays parallel to the record directory's
/// chunks like the overlap counters, made when a task of the chunk is first woken by a tracked
/// operation: processes that never build a deep translation unit pay nothing for it.
std::atomic<std::uint64_t>& wake_word_of(const task_record& record) noexcept;
/// `record`'s wake word, or nullptr if no task in its chunk was ever woken by a tracked operation.
std::atomic<std::uint64_t>* find_wake_word(const task_record& record) noexcept;

/// How many times `record` has been scheduled, counting its `schedules` from before its task's
/// spawn (subtract schedules_at_spawn) and its self-wakes since; `overlap` is
/// find_overlap_counters(record). Each wake is loaded with acquire, so that the polls a reader
/// loads afterwards are never behind the wakes they answer.
inline std::uint64_t schedules_of(const task_record& record, const overlap_counters* overlap) noexcept {
  std::uint64_t schedules = record.schedules.load(std::memory_order_acquire) +
                            record.self_wakes.load(std::memory_order_acquire);
  if (overlap != nullptr) [[unlikely]] schedules += overlap->self_wakes.load(std::memory_order_acquire);
  return schedules;
}
inline std::uint64_t schedules_of(const task_record& record) noexcept {
  return schedules_of(record, find_overlap_counters(record));
}

/// Adds `delta` to a counter that only one thread writes at a time, ordered by the task's poll
/// word: a load and a store instead of a locked read-modify-write.
template <std::memory_order order = std::memory_order_relaxed, typename T>
inline void add_as_sole_writer(std::atomic<T>& counter, T delta) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + delta, order);
}
}  // namespace detail

/// A record plus the incarnation (task id) it was issued for. Trivially copyable, 16 bytes.
struct task_handle {
  task_record* record = nullptr;
  std::uint64_t generation = 0;

  /// The record if the task it names has not finished, else nullptr.
  task_record* live() const noexcept {
    return record != nullptr && record->generation.load(std::memory_order_relaxed) == generation
               ? record
               : nullptr;
  }
  friend bool operator==(const task_handle&, const task_handle&) = default;
};

namespace detail {
// The poll running on this thread (innermost, when polls nest): its task, the incarnation it belongs
// to, and the pending-work changes it made and has not yet added to the record. A resume starts
// operations and ends others on its own thread, and those mostly cancel out, so they are summed
// here and added once when the poll ends. `await_captured`: where the task is suspended has been
// recorded in this poll, and the task has not run since (an operation takes work more than once,
// a post takes work and yields: the first records it). `sole`: no other poll of the task was
// active when this one started (see overlap_counters).
struct running_poll {
  task_record* task = nullptr;
  std::uint64_t generation = 0;
  std::int64_t pending_work = 0;
  bool await_captured = false;
  bool sole = false;
};
inline thread_local running_poll current_poll;
}  // namespace detail

/// The record of the task being polled on this thread, or nullptr.
inline task_record* current_task() noexcept { return detail::current_poll.task; }

namespace detail {
/// Whether the innermost poll running on this thread is one of the task `handle` names.
inline bool polled_here(const task_handle& handle) noexcept {
  return current_poll.task == handle.record && current_poll.generation == handle.generation;
}
}  // namespace detail

namespace detail {
// The task co_spawn is launching on this thread (launch_task), while it does.
inline thread_local task_record* launching_task = nullptr;
}  // namespace detail

/// Whether an executor of the task `handle` names that starts tracking work now holds a unit of
/// the task's pending work: not the work guards co_spawn makes as it launches the task (outside
/// the task's polls), which last the task's whole life and are not work it waits for. Leaving them
/// out saves two locked instructions per spawn.
inline bool counts_as_pending_work(const task_handle& handle) noexcept {
  return detail::launching_task != handle.record || detail::current_poll.task == handle.record;
}

/// Marks the task that co_spawn launches on this thread for as long as it lives.
class launch_scope {
 public:
  explicit launch_scope(const task_handle& handle) noexcept
      : previous_(std::exchange(detail::launching_task, handle.record)) {}
  launch_scope(const launch_scope&) = delete;
  launch_scope& operator=(const launch_scope&) = delete;
  ~launch_scope() { detail::launching_task = previous_; }

 private:
  task_record* previous_;
};

// --- await stacks (await_stacks.cpp) ---------------------------------------------------------------
namespace detail {
// Whether tasks record where they are suspended (recorder_options::await_stacks).
inline std::atomic<bool> await_stacks_enabled{true};
// Polls longer than recorder_options::long_poll, in ticks, and how many there were (for metrics):
// a poll pays one compare of its length; only a long one touches the shared count.
inline std::atomic<ticks> long_poll_ticks{std::numeric_limits<ticks>::max()};
inline std::atomic<std::uint64_t> long_polls{0};
}  // namespace detail

/// Records where `record`, the task polled on this thread, is suspended now: called when the task
/// takes work for an operation or yields, the moments before anything else can resume it.
void capture_await_stack(task_record& record) noexcept;
/// Returns once no other thread reads `record`'s coroutine frames. Called by a poll that starts
/// while another poll of the same task is active, before it resumes anything.
void wait_while_frames_read(const task_record& record) noexcept;

namespace detail {
// Called inside `record`'s own poll on this thread.
inline void capture_await_stack_if_enabled(task_record& record) noexcept {
  if (!current_poll.await_captured && await_stacks_enabled.load(std::memory_order_relaxed)) capture_await_stack(record);
}
/// The task polled on this thread is about to run again inside this poll: what was recorded of
/// where it is suspended is about to change.
inline void task_resumes_inline() noexcept { current_poll.await_captured = false; }
}  // namespace detail

/// Records that the task named by `handle` has been woken and returns the stamp its poll must
/// carry. `from_own_poll`: the wake comes from inside the task's own poll (a yield: a self-wake).
/// `runs_inline`: the executor will run the poll at once on this thread (no scheduled time).
inline ticks record_wake(const task_handle& handle, bool from_own_poll, bool runs_inline) noexcept {
  task_record& record = *handle.record;
  if (from_own_poll) {
    // Inside its own poll the record cannot be recycled (the poll keeps it). Release: a reader
    // that sees this wake (acquire) then sees at least the poll it came from (totals_of).
    if (detail::current_poll.sole) [[likely]] {
      detail::add_as_sole_writer<std::memory_order_release>(record.self_wakes, std::uint64_t{1});
    } else {
      detail::overlap_counters_of(record).self_wakes.fetch_add(1, std::memory_order_release);
    }
    detail::capture_await_stack_if_enabled(record);  // a yield: suspended, not yet queued
    return task_record::self_wake;
  }
  const std::uint64_t before = record.schedules.fetch_add(1, std::memory_order_relaxed);
  if (record.generation.load(std::memory_order_relaxed) != handle.generation) {
    // Recycled between the caller's check and the increment: the wake belongs to nobody.
    record.schedules.fetch_sub(1, std::memory_order_relaxed);
    return task_record::not_a_wake;
  }
  if (runs_inline) return task_record::inline_wake;
  // The first schedule is co_spawn's own dispatch, right after the spawn: the task has been waiting
  // since it was created (and that saves a clock read per spawn).
  return before == record.schedules_at_spawn ? record.created : now_ticks();
}

/// Adds `delta` units of pending work to the task `handle` names: +1 when an executor takes
/// outstanding work for it (what every pending Asio operation does for the handler it will
/// resume), -1 when that executor is destroyed. A finished task's count is frozen: units taken or
/// given back after it finished are not counted, so a unit is given back exactly when it was
/// counted. Changes made inside the task's own poll on this thread are summed in a thread-local
/// and added when the poll ends (no atomic for those).
inline void add_pending_work(const task_handle& handle, std::int64_t delta) noexcept {
  task_record* record = handle.record;
  if (record == nullptr) return;
  if (detail::polled_here(handle)) {
    detail::current_poll.pending_work += delta;  // added to the record when this poll ends
    // An operation is taking work to resume the task: the task is suspended (or about to be) and
    // the operation has not started, so nothing else can resume it yet.
    if (delta > 0) detail::capture_await_stack_if_enabled(*record);
    return;
  }
  if (record->generation.load(std::memory_order_relaxed) != handle.generation) return;
  const auto count = static_cast<std::int32_t>(delta);
  record->pending_work.fetch_add(count, std::memory_order_relaxed);
  if (record->generation.load(std::memory_order_relaxed) != handle.generation) {
    record->pending_work.fetch_sub(count, std::memory_order_relaxed);  // recycled meanwhile: undo
  }
}

/// Accounts one poll of a task for as long as it lives: enter in the constructor, leave in the
/// destructor. Nested polls of the same task on one thread (Asio runs `post` completions through a
/// second, inline execute) count once. A stale handle or a finished task makes it a no-op.
class poll_scope {
 public:
  [[gnu::always_inline]] poll_scope(const task_handle& handle, ticks wake_stamp) noexcept {
    task_record* record = handle.record;
    if (record == nullptr) return;
    if (detail::current_poll.task == record) {
      // Inline inside its own poll. A wake counted for it is consumed here so that the number of
      // schedules and polls stay equal (only an executor that queued a "possibly" execute does that).
      if (wake_stamp != task_record::not_a_wake && handle.live() != nullptr) {
        record->poll_word.fetch_add(task_record::started_poll_one, std::memory_order_relaxed);
      }
      detail::task_resumes_inline();
      return;
    }
    if (handle.live() == nullptr) return;
    // Sequentially consistent: a frame reader in another poll of this task either sees this
    // poll start or is seen here (await_stacks.cpp).
    const std::uint64_t before =
        record->poll_word.fetch_add(task_record::active_poll_one + task_record::started_poll_one,
                                    std::memory_order_seq_cst);
    if (record->generation.load(std::memory_order_relaxed) != handle.generation) {
      // The record was recycled between the check and the increment: undo, stay untracked.
      record->poll_word.fetch_sub(task_record::active_poll_one + task_record::started_poll_one,
                                  std::memory_order_release);
      return;
    }
    const bool sole = (before & task_record::active_poll_mask) == 0;
    if (!sole) [[unlikely]] {
      wait_while_frames_read(*record);  // another poll runs: it may be reading this task's frames
    }
    if (wake_stamp == task_record::not_a_wake) {
      // Executed from inside the task's poll as "possibly blocking" but queued by the executor.
      record->schedules.fetch_add(1, std::memory_order_relaxed);
    }
    record_ = record;
    previous_ = std::exchange(detail::current_poll, {record, handle.generation, 0, false, sole});
    start_ = now_ticks();
    ticks waiting = 0;
    if (wake_stamp == task_record::self_wake) {
      // A task is not scheduled while it still runs: the wait starts when the waking poll ended.
      // If that poll is still finishing on another thread, there was no wait.
      if (sole) waiting = start_ - record->last_poll_edge.load(std::memory_order_relaxed);
    } else if (wake_stamp > task_record::self_wake) {
      waiting = start_ - wake_stamp;
    }
    if (waiting > 0) {
      if (sole) [[likely]] {
        detail::add_as_sole_writer(record->scheduled, waiting);
      } else {
        detail::overlap_counters_of(*record).scheduled.fetch_add(waiting, std::memory_order_relaxed);
      }
    }
    if (task_histograms* histograms = histograms_of(*record)) histograms->scheduled_times.record(waiting);
    record->last_poll_edge.store(start_, std::memory_order_relaxed);
  }

  poll_scope(const poll_scope&) = delete;
  poll_scope& operator=(const poll_scope&) = delete;

  [[gnu::always_inline]] ~poll_scope() {
    if (record_ == nullptr) return;
    const ticks end = now_ticks();
    const ticks length = end - start_;
    const detail::running_poll ending = std::exchange(detail::current_poll, previous_);
    if (ending.sole) [[likely]] {
      detail::add_as_sole_writer(record_->busy, length);
      if (length > record_->longest_poll.load(std::memory_order_relaxed)) {
        record_->longest_poll.store(length, std::memory_order_relaxed);
      }
    } else {
      end_overlapping_poll(length);
    }
    if (length > detail::long_poll_ticks.load(std::memory_order_relaxed)) [[unlikely]] {
      detail::long_polls.fetch_add(1, std::memory_order_relaxed);
    }
    record_->last_poll_edge.store(end, std::memory_order_relaxed);
    if (task_histograms* histograms = histograms_of(*record_)) histograms->poll_times.record(length);
    // A task that finished in this poll keeps its count frozen (see add_pending_work).
    if (ending.pending_work != 0 && record_->generation.load(std::memory_order_relaxed) == ending.generation) {
      record_->pending_work.fetch_add(static_cast<std::int32_t>(ending.pending_work), std::memory_order_relaxed);
    }
    // Last touch: once no poll is active the registry may recycle the record.
    record_->poll_word.fetch_sub(task_record::active_poll_one, std::memory_order_release);
  }

 private:
  void end_overlapping_poll(ticks length) noexcept {
    overlap_counters& overlap = detail::overlap_counters_of(*record_);
    overlap.busy.fetch_add(length, std::memory_order_relaxed);
    ticks longest = overlap.longest_poll.load(std::memory_order_relaxed);
    while (length > longest && !overlap.longest_poll.compare_exchange_weak(longest, length, std::memory_order_relaxed)) {
    }
  }

  static task_histograms* histograms_of(const task_record& record) noexcept {
    const task_extras* extras = record.extras.load(std::memory_order_acquire);
    // Sequentially consistent (a plain load on x86): registry::detach_histograms relies on it.
    return extras != nullptr ? extras->histograms.load(std::memory_order_seq_cst) : nullptr;
  }

  task_record* record_ = nullptr;
  detail::running_poll previous_;
  ticks start_ = 0;
};

}  // namespace asio_console::instrumentation
