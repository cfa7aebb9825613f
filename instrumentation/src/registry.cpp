#include "asio_console/instrumentation/registry.hpp"

#include <cstdio>

#include "asio_console/instrumentation/await_stacks.hpp"
#include "asio_console/instrumentation/snapshot.hpp"
#include "build_modes.hpp"
#include "finished_queues.hpp"
#include "record_pool.hpp"
#include "site_table.hpp"

namespace asio_console::instrumentation {

registry& registry::instance() {
  static registry* const the_registry = new registry();  // intentionally never destroyed
  return *the_registry;
}

registry::registry()
    : pool_(std::make_unique<detail::record_pool>()),
      sites_(std::make_unique<detail::site_table>()),
      finished_(std::make_unique<detail::finished_queues>()),
      stacks_(std::make_unique<stack_table>()),
      await_stacks_(std::make_unique<stack_table>()) {
  tick_clock::instance();  // calibrate before the first record is issued
  prepare_frame_reading();
  std::vector<std::string> problems;
  configure(recorder_options::from_environment(problems));
  if (std::string mixed = deep::detail::mixed_build_warning(); !mixed.empty()) problems.push_back(std::move(mixed));
  if (std::string asio = detail::asio_build_warning(); !asio.empty()) problems.push_back(std::move(asio));
  for (const std::string& problem : problems) std::fprintf(stderr, "asio-console: %s\n", problem.c_str());
}

registry::~registry() = default;

void registry::configure(const recorder_options& options) {
  std::lock_guard lock(options_mutex_);
  options_ = options;
  sample_first_.store(options.stacks.first, std::memory_order_relaxed);
  sample_every_.store(options.stacks.every, std::memory_order_relaxed);
  retention_ns_.store(absl::ToInt64Nanoseconds(options.retention), std::memory_order_relaxed);
  max_retained_.store(options.max_retained, std::memory_order_relaxed);
  detail::await_stacks_enabled.store(options.await_stacks, std::memory_order_relaxed);
  const double long_poll_ticks = static_cast<double>(absl::ToInt64Nanoseconds(options.long_poll)) /
                                 tick_clock::instance().nanoseconds_per_tick();
  detail::long_poll_ticks.store(static_cast<ticks>(long_poll_ticks), std::memory_order_relaxed);
}

recorder_options registry::options() const {
  std::lock_guard lock(options_mutex_);
  return options_;
}

void registry::set_reclaim_barrier(std::uint64_t sequence) noexcept {
  reclaim_barrier_.store(sequence, std::memory_order_relaxed);
}

std::uint64_t registry::last_finish_sequence() const noexcept {
  return finish_sequence_.load(std::memory_order_acquire);
}

task_handle registry::spawn(const std::source_location& location, std::unique_ptr<task_extras> extras) {
  task_record* record = pool_->take_cached();
  if (record == nullptr) {
    if (!pool_->refill_cache() && !(try_reclaim_from_spawn() > 0 && pool_->refill_cache())) {
      pool_->grow_cache();
    }
    record = pool_->take_cached();
  }

  site& spawn_site = sites_->find_or_add(location);
  const std::uint64_t spawned_before = spawn_site.count_spawn();
  task_record* parent = current_task();

  const std::uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  record->parent_id = parent != nullptr ? parent->id() : 0;
  record->site_id = spawn_site.id();
  record->extras.store(extras.release(), std::memory_order_relaxed);
  record->stack = 0;
  const stack_sampling sampling{sample_first_.load(std::memory_order_relaxed),
                                sample_every_.load(std::memory_order_relaxed)};
  if (sampling.captures(spawned_before)) record->stack = capture_spawn_stack(parent);

  record->poll_word_at_spawn =
      record->poll_word.load(std::memory_order_relaxed) & ~task_record::active_poll_mask;
  record->schedules_at_spawn = record->schedules.load(std::memory_order_relaxed);
  record->pending_work_base.store(record->pending_work.load(std::memory_order_relaxed), std::memory_order_relaxed);
  record->self_wakes.store(0, std::memory_order_relaxed);
  if (overlap_counters* overlap = detail::find_overlap_counters(*record)) {
    overlap->busy.store(0, std::memory_order_relaxed);
    overlap->scheduled.store(0, std::memory_order_relaxed);
    overlap->longest_poll.store(0, std::memory_order_relaxed);
    overlap->self_wakes.store(0, std::memory_order_relaxed);
  }
  if (std::atomic<std::uint64_t>* wake_word = detail::find_wake_word(*record)) {
    wake_word->store(0, std::memory_order_relaxed);
  }
  record->busy.store(0, std::memory_order_relaxed);
  record->scheduled.store(0, std::memory_order_relaxed);
  record->longest_poll.store(0, std::memory_order_relaxed);
  record->last_poll_edge.store(0, std::memory_order_relaxed);
  record->await_stack.store(0, std::memory_order_relaxed);
  record->await_anchor.store(nullptr, std::memory_order_relaxed);
  record->outcome.store(task_outcome::none, std::memory_order_relaxed);
  record->finish_sequence = 0;
  record->created = now_ticks();

  // A new generation: handles of the record's earlier tasks no longer match it.
  record->generation.store(id, std::memory_order_relaxed);
  record->phase.store(record_phase::live, std::memory_order_release);
  return task_handle{record, id};
}

void registry::finish(const task_handle& handle, task_outcome outcome) noexcept {
  task_record* record = handle.live();
  if (record == nullptr) return;
  record->outcome.store(outcome, std::memory_order_relaxed);
  // The finish time. Inside the task's own poll, that poll's end stamps it (it holds the poll's
  // start meanwhile, and the record is not reclaimed while a poll runs): one clock read less.
  if (!detail::polled_here(handle)) record->last_poll_edge.store(now_ticks(), std::memory_order_relaxed);
  // Its frames are gone or going: never read them again.
  record->await_anchor.store(nullptr, std::memory_order_release);
  // From here on the task's executor copies are pass-through: Asio's own executes after the
  // coroutine returned (posting the completion handler) are not the task's polls.
  record->generation.store(handle.generation | task_record::finished_bit, std::memory_order_relaxed);
  record->phase.store(record_phase::finished, std::memory_order_release);
  // Counted and given its finish sequence when collected (collect_finished_locked): no shared
  // counter is touched here.
  finished_->push(record);
}

void registry::collect_finished_locked() {
  std::uint64_t sequence = finish_sequence_.load(std::memory_order_relaxed);
  finished_->collect([&](task_record& record) {
    // Collected after its finish was published: a reader that reads the sequence and then visits
    // the records (whose visit collects first) sees every task up to that number as finished.
    record.finish_sequence = ++sequence;
    sites_->at(record.site_id).count_finish();
  });
  finish_sequence_.store(sequence, std::memory_order_release);
}

void registry::count_unrecorded(const std::source_location& location) {
  site& spawn_site = sites_->find_or_add(location);
  unrecorded_.fetch_add(1, std::memory_order_relaxed);
  if (spawn_site.count_unrecorded() == 0) {
    std::fprintf(stderr,
                 "asio-console: tasks spawned at %s:%u (%s) are not recorded: their awaitable's executor type cannot "
                 "carry asio_console::task_executor (use awaitable<T, asio_console::task_executor<E>>; see README, "
                 "\"Concrete executor types\")\n",
                 spawn_site.file().c_str(), spawn_site.line(), spawn_site.function().c_str());
  }
}

std::size_t registry::reclaim() {
  std::lock_guard lock(reader_mutex_);
  return reclaim_locked(steady_now_nanoseconds());
}

std::size_t registry::try_reclaim_from_spawn() {
  if (!reader_mutex_.try_lock()) return 0;
  const std::size_t reclaimed = reclaim_locked(steady_now_nanoseconds());
  reader_mutex_.unlock();
  return reclaimed;
}

std::size_t registry::reclaim_locked(std::int64_t now_steady_ns) {
  collect_finished_locked();
  const detail::reclaim_policy policy{now_steady_ns, retention_ns_.load(std::memory_order_relaxed),
                                      max_retained_.load(std::memory_order_relaxed),
                                      reclaim_barrier_.load(std::memory_order_relaxed),
                                      finish_sequence_.load(std::memory_order_relaxed) -
                                          reclaimed_.load(std::memory_order_relaxed)};
  if (!detached_histograms_.empty()) free_detached_histograms_locked();
  detail::reclaimed_list taken = finished_->take_reclaimable(policy);
  if (taken.count == 0) return 0;
  for (task_record* record = taken.first; record != nullptr; record = detail::record_or_null(record->next)) {
    const task_totals totals = totals_of(*record);  // final: the task finished, no poll runs
    reclaimed_totals_.polls += totals.polls;
    reclaimed_totals_.wakes += totals.wakes;
    reclaimed_busy_ += totals.busy;  // in nanoseconds when read: this runs for every record
    reclaimed_totals_.finished_by_outcome[static_cast<std::size_t>(record->outcome.load(std::memory_order_relaxed))]++;
    // No poll is running (take_reclaimable checked), so no one is recording into its histograms.
    // Extras are set only by a spawn (before the record is published) or under the reader lock.
    if (task_extras* extras = record->extras.load(std::memory_order_acquire)) {
      record->extras.store(nullptr, std::memory_order_relaxed);
      if (extras->histograms.load(std::memory_order_relaxed) != nullptr) {
        histograms_attached_.fetch_sub(1, std::memory_order_relaxed);
      }
      delete extras;
    }
    record->phase.store(record_phase::free, std::memory_order_relaxed);
  }
  pool_->release(taken.first, taken.last, taken.count);
  reclaimed_.fetch_add(taken.count, std::memory_order_relaxed);
  forced_reclaims_.fetch_add(taken.forced, std::memory_order_relaxed);
  return taken.count;
}

void registry::visit_records(absl::FunctionRef<void(const task_record&)> visit) {
  reclaimed_totals ignored;
  visit_records(visit, ignored);
}

void registry::visit_records(absl::FunctionRef<void(const task_record&)> visit, reclaimed_totals& totals) {
  std::lock_guard lock(reader_mutex_);
  reclaim_locked(steady_now_nanoseconds());
  totals = reclaimed_totals_;
  totals.busy_ns = tick_clock::instance().to_nanoseconds(reclaimed_busy_);
  pool_->visit([&](task_record& record) {
    if (record.phase.load(std::memory_order_acquire) != record_phase::free) visit(record);
  });
}

void registry::visit_every_record(absl::FunctionRef<void(const task_record&)> visit) {
  std::lock_guard lock(reader_mutex_);
  reclaim_locked(steady_now_nanoseconds());
  pool_->visit([&](task_record& record) { visit(record); });
}

[[gnu::noinline]] stack_id registry::capture_spawn_stack(task_record* parent) {
  // The spawning thread's call stack, then, inside a task's poll, the coroutines awaiting the one
  // that spawns: its callers are suspended, not on the thread's stack.
  void* calls[48];
  const std::size_t call_depth = capture_stack(calls, /*skip=*/1);  // this function (symbolize drops the rest of ours)
  std::uintptr_t frames[48 + max_await_depth];
  for (std::size_t i = 0; i < call_depth; ++i) frames[i] = reinterpret_cast<std::uintptr_t>(calls[i]);
  std::size_t depth = call_depth;
  if (parent != nullptr && detail::await_stacks_enabled.load(std::memory_order_relaxed)) {
    depth += read_await_chain(*parent, std::span(frames + call_depth, max_await_depth));
  }
  return stacks_->intern(std::span<const std::uintptr_t>(frames, depth));
}

void registry::visit_sites(absl::FunctionRef<void(const site&)> visit) {
  {
    std::lock_guard lock(reader_mutex_);
    collect_finished_locked();  // every finish so far is in the sites' counts
  }
  sites_->visit(visit);
}

const site& registry::site_of(const task_record& record) const noexcept { return sites_->at(record.site_id); }

task_histograms* registry::attach_histograms(const task_record& record) {
  task_extras* extras = record.extras.load(std::memory_order_acquire);
  if (extras != nullptr) {
    if (task_histograms* existing = extras->histograms.load(std::memory_order_acquire)) return existing;
  }
  if (histograms_attached_.load(std::memory_order_relaxed) >= max_histograms) free_detached_histograms_locked();
  if (histograms_attached_.fetch_add(1, std::memory_order_relaxed) >= max_histograms) {
    histograms_attached_.fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
  }
  if (extras == nullptr) {
    // An unnamed task: it gets empty extras. Readers, the only other writers, hold the reader
    // lock as this caller does, so nobody else is setting them.
    extras = new task_extras();
    record.extras.store(extras, std::memory_order_release);
  }
  auto* fresh = new task_histograms();
  extras->histograms.store(fresh, std::memory_order_release);
  return fresh;
}

void registry::detach_histograms(const task_record& record) {
  task_extras* extras = record.extras.load(std::memory_order_acquire);
  if (extras == nullptr) return;
  // Sequentially consistent, as a poll's start and its loads of the pointer: either a poll that
  // still holds the old pointer shows in the poll word read afterwards, or it sees null.
  task_histograms* histograms = extras->histograms.exchange(nullptr, std::memory_order_seq_cst);
  if (histograms == nullptr) return;
  detached_histograms_.push_back({&record, histograms});
  free_detached_histograms_locked();
}

void registry::free_detached_histograms_locked() {
  std::erase_if(detached_histograms_, [&](const detached_histograms& d) {
    // A poll running now either started after the pointer was cleared or holds it still.
    if ((d.record->poll_word.load(std::memory_order_seq_cst) & task_record::active_poll_mask) != 0) return false;
    delete d.histograms;
    histograms_attached_.fetch_sub(1, std::memory_order_relaxed);
    return true;
  });
}

registry_counters registry::counters() {
  registry_counters result;
  {
    std::lock_guard lock(reader_mutex_);
    collect_finished_locked();
    result.reclaimed = reclaimed_.load(std::memory_order_relaxed);
    result.finished = finish_sequence_.load(std::memory_order_relaxed);
  }
  // After finished: spawned is never behind it.
  sites_->visit([&](const site& s) { result.spawned += s.spawned(); });
  result.live = result.spawned - result.finished;
  result.retained = result.finished - result.reclaimed;
  result.forced_reclaims = forced_reclaims_.load(std::memory_order_relaxed);
  result.records_allocated = pool_->allocated();
  result.unrecorded = unrecorded_.load(std::memory_order_relaxed);
  result.long_polls = detail::long_polls.load(std::memory_order_relaxed);
  return result;
}

std::size_t registry::memory_bytes() const {
  return pool_->allocated() * sizeof(task_record) +
         histograms_attached_.load(std::memory_order_relaxed) * sizeof(task_histograms) + stacks_->memory_bytes() +
         await_stacks_->memory_bytes();
}

}  // namespace asio_console::instrumentation
