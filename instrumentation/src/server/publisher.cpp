#include "publisher.hpp"

#include <algorithm>
#include <optional>

#include "absl/hash/hash.h"
#include "asio_console/instrumentation/capabilities.hpp"
#include "asio_console/instrumentation/clock.hpp"
#include "asio_console/instrumentation/pending_operations.hpp"
#include "asio_console/instrumentation/resources.hpp"
#include "asio_console/instrumentation/snapshot.hpp"

namespace asio_console::server_internal {
namespace {

using instrumentation::task_record;
using instrumentation::task_snapshot;

v1::TaskState to_wire(instrumentation::task_state state) {
  switch (state) {
    case instrumentation::task_state::running: return v1::TASK_STATE_RUNNING;
    case instrumentation::task_state::scheduled: return v1::TASK_STATE_SCHEDULED;
    case instrumentation::task_state::idle: return v1::TASK_STATE_IDLE;
    case instrumentation::task_state::completed: return v1::TASK_STATE_COMPLETED;
  }
  return v1::TASK_STATE_UNSPECIFIED;
}

v1::TaskOutcome to_wire(instrumentation::task_outcome outcome) {
  switch (outcome) {
    case instrumentation::task_outcome::none: return v1::TASK_OUTCOME_NONE;
    case instrumentation::task_outcome::completed: return v1::TASK_OUTCOME_COMPLETED;
    case instrumentation::task_outcome::failed: return v1::TASK_OUTCOME_FAILED;
    case instrumentation::task_outcome::cancelled: return v1::TASK_OUTCOME_CANCELLED;
    case instrumentation::task_outcome::dropped: return v1::TASK_OUTCOME_DROPPED;
  }
  return v1::TASK_OUTCOME_NONE;
}

// What makes a task worth resending: its poll and wake counts, its pending work, where it waits and
// its phase. Time
// alone does not: consoles derive growing idle time from the state and the time of the last poll.
std::uint64_t signature_of(const task_record& record) {
  const std::uint64_t polls = record.poll_word.load(std::memory_order_relaxed);
  const std::uint64_t schedules = instrumentation::detail::schedules_of(record);
  const auto pending = static_cast<std::uint64_t>(record.pending_work.load(std::memory_order_relaxed));
  const auto phase = static_cast<std::uint64_t>(record.phase.load(std::memory_order_acquire));
  const std::uint64_t await_stack = record.await_stack.load(std::memory_order_relaxed);
  return (polls * 0x9e3779b97f4a7c15ull) ^ (schedules * 0xc2b2ae3d27d4eb4full) ^ (pending * 0x165667b19e3779f9ull) ^
         (await_stack * 0x27d4eb2f165667c5ull) ^ (phase << 61) ^ 1;
}

void fill_histogram(v1::Histogram& out, const instrumentation::duration_histogram::summary& summary) {
  out.set_count(summary.count);
  out.set_min_ns(summary.min_ns);
  out.set_max_ns(summary.max_ns);
  out.set_p50_ns(summary.p50_ns);
  out.set_p90_ns(summary.p90_ns);
  out.set_p99_ns(summary.p99_ns);
  for (const auto& bucket : summary.buckets) {
    v1::HistogramBucket* wire = out.add_buckets();
    wire->set_lower_ns(bucket.lower_ns);
    wire->set_upper_ns(bucket.upper_ns);
    wire->set_count(bucket.count);
  }
}

}  // namespace

// Accumulates items into Update messages of at most about max_bytes each.
class chunker {
 public:
  chunker(std::size_t max_bytes, std::int64_t now_ns, std::int64_t interval_ns, bool snapshot)
      : max_bytes_(max_bytes),
        now_ns_(now_ns),
        interval_ns_(interval_ns),
        snapshot_(snapshot),
        await_stacks_off_reason_(instrumentation::current_capabilities().reason) {
    roll();
  }

  v1::Update& room_for(std::size_t bytes) {
    if (bytes_ + bytes > max_bytes_ && bytes_ > header_bytes) roll();
    bytes_ += bytes + 8;  // field tag and length
    return *current_;
  }

  // Fills a new task where it is sent: no copy of a million tasks waits beside the chunks. One
  // that overflows the chunk moves to the next.
  template <typename Fill>
  void add_new_task(Fill&& fill) {
    v1::Task* task = current_->add_new_tasks();
    fill(*task);
    const std::size_t bytes = task->ByteSizeLong();
    if (bytes_ + bytes > max_bytes_ && bytes_ > header_bytes) {
      v1::Task* moved = current_->mutable_new_tasks()->ReleaseLast();
      roll();
      current_->mutable_new_tasks()->AddAllocated(moved);
    }
    bytes_ += bytes + 8;
  }

  // Continues with what `rest` holds, after what this one holds.
  void append(chunker&& rest) {
    chunks_.push_back(std::move(current_));
    for (update_ptr& chunk : rest.chunks_) chunks_.push_back(std::move(chunk));
    current_ = std::move(rest.current_);
    bytes_ = rest.bytes_;
  }

  std::vector<update_ptr> finish(const v1::Counters& counters) {
    *current_->mutable_counters() = counters;
    current_->set_last_chunk(true);
    chunks_.push_back(std::move(current_));
    return std::move(chunks_);
  }

 private:
  static constexpr std::size_t header_bytes = 64;

  void roll() {
    if (current_) chunks_.push_back(std::move(current_));
    current_ = std::make_shared<v1::Update>();
    current_->set_protocol_version(v1::PROTOCOL_VERSION_1);
    current_->set_now_ns(now_ns_);
    current_->set_now_unix_ns(absl::ToUnixNanos(absl::Now()));
    current_->set_publish_interval_ns(interval_ns_);
    current_->set_deep_mode(instrumentation::deep_mode());
    current_->set_await_stacks_off_reason(await_stacks_off_reason_);
    // Only the first chunk of a snapshot says so: it is where consoles start over.
    current_->set_snapshot(snapshot_ && chunks_.empty());
    bytes_ = header_bytes;
  }

  std::size_t max_bytes_;
  std::int64_t now_ns_;
  std::int64_t interval_ns_;
  bool snapshot_;
  std::string await_stacks_off_reason_;  // the same in every chunk, as deep_mode
  std::size_t bytes_ = 0;
  std::shared_ptr<v1::Update> current_;
  std::vector<update_ptr> chunks_;
};

using operation_list = std::vector<const instrumentation::pending_operation*>;

// Tells one task's pending operations from another moment's: which ones, on what, since when.
std::uint64_t digest_of(const operation_list* ops) {
  if (ops == nullptr) return 0;
  std::uint64_t digest = ops->size();
  for (const instrumentation::pending_operation* op : *ops) {
    digest = absl::HashOf(digest, op->object_id, op->since_ns, op->operation.data());
  }
  return digest;
}

void fill_stats(v1::TaskStats& out, const task_snapshot& task, const operation_list* ops) {
  out.set_id(task.id);
  out.set_state(to_wire(task.state));
  out.set_outcome(to_wire(task.outcome));
  out.set_finished_ns(task.finished_ns);
  out.set_last_poll_end_ns(task.last_poll_end_ns);
  out.set_busy_ns(task.busy_ns);
  out.set_scheduled_ns(task.scheduled_ns);
  out.set_idle_ns(task.idle_ns);
  out.set_longest_poll_ns(task.longest_poll_ns);
  out.set_polls(task.polls);
  out.set_wakes(task.wakes);
  out.set_self_wakes(task.self_wakes);
  out.set_pending_work(task.pending_work);
  out.set_await_stack_id(task.await_stack);
  if (!task.woken_by_operation.empty()) {
    out.mutable_woken_by()->set_operation(task.woken_by_operation);
    out.mutable_woken_by()->set_object_id(task.woken_by_resource);
  }
  if (ops == nullptr) return;
  for (const instrumentation::pending_operation* op : *ops) {
    v1::PendingOperation* wire = out.add_pending_ops();
    wire->set_operation(std::string(op->operation));
    wire->set_object_kind(std::string(op->object_kind));
    wire->set_object_id(op->object_id);
    if (op->native_handle) wire->set_native_handle(*op->native_handle);
    wire->set_since_ns(op->since_ns);
  }
}

void fill_resource(v1::Resource& out, const instrumentation::resource& r) {
  out.set_id(r.id);
  out.set_kind(std::string(r.kind));
  if (r.native_handle) out.set_native_handle(*r.native_handle);
  out.set_local(r.local);
  out.set_remote(r.remote);
  out.set_ops_started(r.ops_started);
  out.set_pending_ops(r.pending_ops);
  out.set_created_ns(r.created_ns);
  out.set_idle_since_ns(r.idle_since_ns);
  out.set_closed_ns(r.closed_ns);
}

// Erases the entries of `sent` (tasks or resources published before) that this publication's walk
// did not see, telling `removed` of each first.
template <typename Map, typename Removed>
void erase_unseen(Map& sent, std::uint64_t epoch, Removed removed) {
  for (auto it = sent.begin(); it != sent.end();) {
    if (it->second.epoch == epoch) {
      ++it;
      continue;
    }
    removed(it->first, it->second);
    sent.erase(it++);
  }
}

// What makes a resource worth resending.
std::uint64_t signature_of(const instrumentation::resource& r) {
  return absl::HashOf(r.ops_started, r.pending_ops, r.idle_since_ns, r.closed_ns, r.local, r.remote);
}

void fill_frame(v1::Frame& out, const instrumentation::symbolized_frame& frame) {
  out.set_function(frame.function);
  out.set_file(frame.file);
  out.set_line(frame.line);
  out.set_address(frame.address);
  out.set_awaiting(frame.awaiting);
}

publisher::publisher(instrumentation::registry& registry, std::size_t max_message_bytes, std::int64_t interval_ns)
    : registry_(registry), max_message_bytes_(max_message_bytes), interval_ns_(interval_ns) {}

void publisher::keep_histograms_of(const absl::flat_hash_set<std::uint64_t>& watched) {
  absl::flat_hash_set<std::uint64_t> unwatched;
  for (std::uint64_t id : with_histograms_) {
    if (!watched.contains(id)) unwatched.insert(id);
  }
  if (unwatched.empty()) return;
  registry_.visit_records([&](const task_record& record) {
    if (unwatched.contains(record.id())) registry_.detach_histograms(record);
  });
  for (std::uint64_t id : unwatched) with_histograms_.erase(id);
}

void publisher::reset() {
  std::vector<tracked_task>().swap(tracked_);  // its memory too: a million records' worth while nobody watches
  operations_sent_.clear();
  strings_ = string_table();
  sites_.clear();
  site_counts_.clear();
  resource_signatures_.clear();
}

void publisher::fill_task(v1::Task& out, const task_snapshot& task, const task_strings* strings,
                          const operation_list* ops) const {
  out.set_id(task.id);
  out.set_parent_id(task.parent_id);
  if (strings != nullptr) {
    out.set_name((*strings)[0]);
    for (std::size_t i = 1; i + 1 < strings->size(); i += 2) {
      v1::Field* field = out.add_fields();
      field->set_key((*strings)[i]);
      field->set_value((*strings)[i + 1]);
    }
  }
  out.set_site_id(task.site_id);
  out.set_stack_id(task.stack);
  out.set_created_ns(task.created_ns);
  fill_stats(*out.mutable_stats(), task, ops);
}

void publisher::forget(tracked_task& tracked) {
  for (std::uint32_t string : tracked.strings) strings_.release(string);
  if (!operations_sent_.empty()) operations_sent_.erase(tracked.id);
  tracked = {};
}

void publisher::intern_new_sites() {
  registry_.visit_sites([&](const instrumentation::site& s) {
    if (s.id() <= sites_.size()) return;
    v1::Site wire;
    wire.set_id(s.id());
    wire.mutable_location()->set_file(strings_.acquire(s.file()));
    wire.mutable_location()->set_function(strings_.acquire(s.function()));
    wire.mutable_location()->set_line(s.line());
    wire.mutable_location()->set_column(s.column());
    sites_.push_back(wire);
    site_counts_.emplace_back();
  });
}

publication publisher::publish(bool with_snapshot, std::uint64_t dropped_watchers, bool with_delta) {
  // Read before the walk: every task finished up to this sequence is seen finished by it.
  const std::uint64_t finish_sequence = registry_.last_finish_sequence();
  const std::int64_t now_ns = instrumentation::steady_now_nanoseconds();
  ++epoch_;

  const std::size_t sites_before = sites_.size();
  intern_new_sites();

  // Deep mode: every pending operation, by task (an operation that starts or ends during the walk
  // shows next time).
  const bool deep = instrumentation::deep_mode();
  const std::vector<instrumentation::pending_operation> operations =
      deep ? instrumentation::pending_operations() : std::vector<instrumentation::pending_operation>();
  absl::flat_hash_map<std::uint64_t, operation_list> operations_of;
  for (const instrumentation::pending_operation& op : operations) operations_of[op.task_id].push_back(&op);

  std::vector<v1::Task> new_tasks;
  std::vector<v1::TaskStats> changed;
  // A snapshot's tasks, in chunks that follow the strings and sites (known after the walk).
  std::optional<chunker> snapshot_tasks;
  if (with_snapshot) snapshot_tasks.emplace(max_message_bytes_, now_ns, interval_ns_, /*snapshot=*/false);
  std::vector<std::uint64_t> removed;
  // Every record in index order, free ones too: what a record held and no longer does is gone. An
  // unchanged task costs its record's signature loads and its tracked_ entry, both sequential.
  registry_.visit_every_record([&](const task_record& record) {
    if (record.index >= tracked_.size()) tracked_.resize(std::max<std::size_t>(record.index + 1, tracked_.size() * 2));
    tracked_task& tracked = tracked_[record.index];
    const bool in_use = record.phase.load(std::memory_order_acquire) != instrumentation::record_phase::free;
    const std::uint64_t id = in_use ? record.id() : 0;
    if (tracked.id != id && tracked.id != 0) {
      removed.push_back(tracked.id);
      forget(tracked);
    }
    if (!in_use) return;
    const std::uint64_t signature = signature_of(record);
    const bool inserted = tracked.id == 0;
    const operation_list* ops = nullptr;
    bool operations_changed = false;
    if (deep) {
      const auto found = operations_of.find(id);
      ops = found == operations_of.end() ? nullptr : &found->second;
      const std::uint64_t digest = digest_of(ops);
      const auto sent = operations_sent_.find(id);
      operations_changed = (sent == operations_sent_.end() ? 0 : sent->second) != digest;
      if (digest == 0) {
        if (sent != operations_sent_.end()) operations_sent_.erase(sent);
      } else {
        operations_sent_[id] = digest;
      }
    }
    const bool changed_since = inserted || tracked.signature != signature || operations_changed;
    tracked.id = id;
    tracked.signature = signature;
    if (!changed_since && !with_snapshot) return;
    const task_snapshot task = instrumentation::snapshot_of(record, now_ns);
    const task_strings* strings = nullptr;
    if (inserted) {
      if (!task.name.empty() || !task.fields.empty()) {
        tracked.strings.push_back(strings_.acquire(task.name));
        for (const auto& [key, value] : task.fields) {
          tracked.strings.push_back(strings_.acquire(key));
          tracked.strings.push_back(strings_.acquire(value));
        }
        strings = &tracked.strings;
      }
      if (with_delta) fill_task(new_tasks.emplace_back(), task, strings, ops);
    } else {
      if (changed_since && with_delta) fill_stats(changed.emplace_back(), task, ops);
      if (with_snapshot && !tracked.strings.empty()) strings = &tracked.strings;
    }
    if (with_snapshot) snapshot_tasks->add_new_task([&](v1::Task& out) { fill_task(out, task, strings, ops); });
  });

  // Deep mode: the resources, those that changed in the delta.
  const std::vector<instrumentation::resource> resources =
      deep ? instrumentation::resources() : std::vector<instrumentation::resource>();
  std::vector<const instrumentation::resource*> changed_resources;
  for (const instrumentation::resource& r : resources) {
    auto [it, inserted] = resource_signatures_.try_emplace(r.id);
    const std::uint64_t signature = signature_of(r);
    if (inserted || it->second.signature != signature) changed_resources.push_back(&r);
    it->second = {signature, epoch_};
  }
  std::vector<std::uint64_t> removed_resources;
  erase_unseen(resource_signatures_, epoch_, [&](std::uint64_t id, const sent_resource&) { removed_resources.push_back(id); });

  const instrumentation::registry_counters totals = registry_.counters();
  v1::Counters counters;
  counters.set_spawned(totals.spawned);
  counters.set_finished(totals.finished);
  counters.set_live(totals.live);
  counters.set_retained(totals.retained);
  counters.set_reclaimed(totals.reclaimed);
  counters.set_forced_reclaims(totals.forced_reclaims);
  counters.set_unrecorded(totals.unrecorded);
  counters.set_dropped_watchers(dropped_watchers);

  std::vector<v1::SiteStats> site_stats;
  std::vector<v1::SiteStats> all_site_stats;
  registry_.visit_sites([&](const instrumentation::site& s) {
    if (s.id() > site_counts_.size()) return;  // spawned during this publication: next time
    v1::SiteStats stats;
    stats.set_id(s.id());
    stats.set_spawned(s.spawned());
    stats.set_finished(s.finished());
    stats.set_unrecorded(s.unrecorded());
    site_count& last = site_counts_[s.id() - 1];
    const site_count now{stats.spawned(), stats.finished(), stats.unrecorded()};
    if (last != now) {
      last = now;
      site_stats.push_back(stats);
    }
    if (with_snapshot) all_site_stats.push_back(stats);
  });

  // Strings first: every id is defined before a later item (or chunk) uses it.
  chunker delta(max_message_bytes_, now_ns, interval_ns_, /*snapshot=*/false);
  std::vector<std::pair<std::uint32_t, std::string>> new_strings = strings_.take_pending();
  if (with_delta) {  // else the snapshot defines every string and site
    for (auto& [id, text] : new_strings) {
      v1::InternedString* s = delta.room_for(text.size() + 8).add_new_strings();
      s->set_id(id);
      s->set_value(std::move(text));
    }
    for (std::size_t i = sites_before; i < sites_.size(); ++i) {
      *delta.room_for(sites_[i].ByteSizeLong()).add_new_sites() = sites_[i];
    }
    for (v1::Task& task : new_tasks) *delta.room_for(task.ByteSizeLong()).add_new_tasks() = std::move(task);
    for (v1::TaskStats& stats : changed) *delta.room_for(stats.ByteSizeLong()).add_changed_stats() = std::move(stats);
    for (std::uint64_t id : removed) delta.room_for(10).add_removed_task_ids(id);
    for (v1::SiteStats& stats : site_stats) *delta.room_for(stats.ByteSizeLong()).add_site_stats() = stats;
    for (const instrumentation::resource* r : changed_resources) {
      fill_resource(*delta.room_for(r->kind.size() + r->local.size() + r->remote.size() + 64).add_resources(), *r);
    }
    for (std::uint64_t id : removed_resources) delta.room_for(10).add_removed_resource_ids(id);
  }

  publication result;
  result.finish_sequence = finish_sequence;
  result.delta = delta.finish(counters);
  if (with_snapshot) {
    chunker full(max_message_bytes_, now_ns, interval_ns_, /*snapshot=*/true);
    for (auto& [id, text] : strings_.all()) {
      v1::InternedString* s = full.room_for(text.size() + 8).add_new_strings();
      s->set_id(id);
      s->set_value(std::move(text));
    }
    for (const v1::Site& site : sites_) *full.room_for(site.ByteSizeLong()).add_new_sites() = site;
    full.append(std::move(*snapshot_tasks));
    for (v1::SiteStats& stats : all_site_stats) *full.room_for(stats.ByteSizeLong()).add_site_stats() = stats;
    for (const instrumentation::resource& r : resources) {
      fill_resource(*full.room_for(r.kind.size() + r.local.size() + r.remote.size() + 64).add_resources(), r);
    }
    result.snapshot = full.finish(counters);
  }
  return result;
}

std::optional<v1::TaskDetails> publisher::details(std::uint64_t task_id) {
  std::optional<v1::TaskDetails> result;
  const std::int64_t now_ns = instrumentation::steady_now_nanoseconds();
  registry_.visit_records([&](const task_record& record) {
    if (result || record.id() != task_id) return;
    v1::TaskDetails& details = result.emplace();
    details.set_task_id(task_id);
    details.set_now_ns(now_ns);
    if (const auto* histograms = registry_.attach_histograms(record)) {
      with_histograms_.insert(task_id);
      const auto& clock = instrumentation::tick_clock::instance();
      fill_histogram(*details.mutable_poll_times(), histograms->poll_times.summarize(clock));
      fill_histogram(*details.mutable_scheduled_times(), histograms->scheduled_times.summarize(clock));
    } else {
      details.set_note("histograms unavailable: too many tasks are being watched at once");
    }
  });
  return result;
}

}  // namespace asio_console::server_internal
