// The in-process registry of task records: the only shared structure the recorder has.
//
// It is touched when a task is spawned and when it finishes, never on a resume. Records come from
// chunks that are never freed (records are recycled), so an executor copy that outlives its task
// can never touch freed memory. A finished record stays visible for the retention window (bounded
// by time and by count), then is reclaimed for reuse; while a reclaim barrier is set (a watcher
// has not yet seen some final states), finished records past it are kept unless the count bound
// forces them out, which is counted.
//
// Readers (snapshots, the server) visit records under a reader lock that reclamation also takes,
// so a visited record is never recycled under them; spawns and finishes do not take that lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>
#include <source_location>

#include "absl/functional/function_ref.h"
#include <mutex>
#include "asio_console/instrumentation/recorder_options.hpp"
#include "asio_console/instrumentation/site.hpp"
#include "asio_console/instrumentation/stack_table.hpp"
#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::instrumentation {

namespace detail {
class record_pool;
class site_table;
class finished_queues;
}  // namespace detail

/// Totals since the process started. spawned == live + retained + reclaimed, exactly, whenever no
/// spawn, finish or reclaim is in progress.
struct registry_counters {
  std::uint64_t spawned = 0;
  std::uint64_t finished = 0;
  std::uint64_t live = 0;      // spawned - finished
  std::uint64_t retained = 0;  // finished, not yet reclaimed
  std::uint64_t reclaimed = 0;
  std::uint64_t forced_reclaims = 0;  // reclaimed before every watcher saw them (count bound)
  std::uint64_t records_allocated = 0;  // capacity: records ever carved from chunks
  std::uint64_t unrecorded = 0;  // spawns that ran unrecorded (not in spawned)
  std::uint64_t long_polls = 0;  // polls longer than recorder_options::long_poll
};

/// What the tasks reclaimed so far did, summed. A reader that adds the records one visit sees to
/// the totals taken with it (visit_records(visit, totals)) gets sums that never go down: a record
/// leaves the visits exactly when it joins these.
struct reclaimed_totals {
  std::uint64_t polls = 0;
  std::uint64_t wakes = 0;
  std::int64_t busy_ns = 0;
  std::uint64_t finished_by_outcome[5] = {};  // indexed by task_outcome (none stays 0)
};

class registry {
 public:
  /// The process-wide registry, created (reading the environment) on first use. Never destroyed:
  /// coroutine frames die inside ~io_context, possibly during static destruction, and still find it.
  static registry& instance();

  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  // --- used by asio_console::co_spawn --------------------------------------------------------

  /// Starts a record for a new task spawned at `location`, child of the task polled on this thread
  /// (if any). `extras` (name and fields) may be null. Lock-free in the common case.
  task_handle spawn(const std::source_location& location, std::unique_ptr<task_extras> extras);

  /// Ends the task: stamps the outcome and time, makes the handle stale, queues it for retention.
  /// Called exactly once per handle returned by spawn().
  void finish(const task_handle& handle, task_outcome outcome) noexcept;

  /// Counts a spawn at `location` that runs unrecorded (its executor type cannot carry a task
  /// executor); the first one of each site says so on stderr.
  void count_unrecorded(const std::source_location& location);

  // --- configuration ---------------------------------------------------------------------------

  void configure(const recorder_options& options);
  recorder_options options() const;

  /// Finished records with finish_sequence greater than `sequence` are kept past their retention
  /// (up to max_retained) until the barrier moves. Default: no barrier.
  void set_reclaim_barrier(std::uint64_t sequence) noexcept;
  /// The finish sequence given last (0 before any). A finish only queues its record; readers
  /// (visits, reclaim, counters, visit_sites) collect the queued ones, and number them then. Every
  /// task with a sequence up to the returned one is seen as finished by a visit that starts
  /// afterwards.
  std::uint64_t last_finish_sequence() const noexcept;
  static constexpr std::uint64_t no_barrier = ~std::uint64_t{0};

  // --- readers -------------------------------------------------------------------------------

  /// Calls `visit` for every live or retained record, under the reader lock. Retained records past
  /// their retention are reclaimed first. `visit` must not call back into the registry.
  void visit_records(absl::FunctionRef<void(const task_record&)> visit);
  /// The same, and sets `totals` to what the records reclaimed before this visit added up to.
  void visit_records(absl::FunctionRef<void(const task_record&)> visit, reclaimed_totals& totals);
  /// Calls `visit` for every record ever made, free ones included, in index order, under the
  /// reader lock, after reclaiming: for a reader that remembers what each record held (a free
  /// record's phase is `free`, and the task it held, if any, is gone).
  void visit_every_record(absl::FunctionRef<void(const task_record&)> visit);

  /// Calls `visit` for every site, in creation order.
  void visit_sites(absl::FunctionRef<void(const site&)> visit);
  /// The site a live or retained record was spawned at.
  const site& site_of(const task_record& record) const noexcept;

  /// Reclaims finished records whose retention has passed (or beyond the count bound). Returns how
  /// many. Called by readers and by spawns that run out of free records; never blocks on readers
  /// when called from a spawn.
  std::size_t reclaim();

  /// Starts recording poll and scheduled-time histograms for this live or retained record (call it
  /// from a visitor: the reader lock must be held). At most max_histograms records have them at
  /// once; returns null beyond that.
  task_histograms* attach_histograms(const task_record& record);
  static constexpr std::size_t max_histograms = 1024;
  /// Stops recording them for this record (from a visitor too), when no console watches the task
  /// any more: the slot is free again once no poll that may still write them runs.
  void detach_histograms(const task_record& record);

  registry_counters counters();
  /// Bytes the recorder holds for its records, histograms and interned stacks (an estimate that
  /// leaves out task names and fields).
  std::size_t memory_bytes() const;
  /// Sampled spawn stacks.
  stack_table& stacks() noexcept { return *stacks_; }
  /// Where tasks are suspended (see await_stacks.hpp).
  stack_table& await_stacks() noexcept { return *await_stacks_; }

 private:
  registry();
  ~registry();

  std::size_t reclaim_locked(std::int64_t now_steady_ns);
  // Counts the tasks finished since the last call and gives them their finish sequences.
  void collect_finished_locked();
  stack_id capture_spawn_stack(task_record* parent);
  std::size_t try_reclaim_from_spawn();
  void free_detached_histograms_locked();

  mutable std::mutex options_mutex_;
  recorder_options options_;
  // Copies of the options read on every spawn/finish, so that those paths take no lock.
  std::atomic<std::uint64_t> sample_first_;
  std::atomic<std::uint64_t> sample_every_;
  std::atomic<std::int64_t> retention_ns_;
  std::atomic<std::size_t> max_retained_;
  std::atomic<std::uint64_t> reclaim_barrier_{no_barrier};

  std::mutex reader_mutex_;  // visitors and reclamation
  reclaimed_totals reclaimed_totals_;  // guarded by reader_mutex_; busy_ns is set when read,
  ticks reclaimed_busy_ = 0;           // busy ticks of the reclaimed records (reader_mutex_)
  // Histograms detached while a poll of their task ran, freed once none does (reader_mutex_).
  struct detached_histograms {
    const task_record* record;  // records are never freed: reading its poll word stays valid
    task_histograms* histograms;
  };
  std::vector<detached_histograms> detached_histograms_;

  std::unique_ptr<detail::record_pool> pool_;
  std::unique_ptr<detail::site_table> sites_;
  std::unique_ptr<detail::finished_queues> finished_;
  std::unique_ptr<stack_table> stacks_;
  std::unique_ptr<stack_table> await_stacks_;

  std::atomic<std::uint64_t> next_id_{1};
  // The last finish sequence given, also the number of finished tasks collected (reader_mutex_
  // guards its writes).
  std::atomic<std::uint64_t> finish_sequence_{0};
  std::atomic<std::uint64_t> reclaimed_{0};
  std::atomic<std::uint64_t> forced_reclaims_{0};
  std::atomic<std::uint64_t> unrecorded_{0};
  std::atomic<std::size_t> histograms_attached_{0};
};

}  // namespace asio_console::instrumentation
