#include "model/state.hpp"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace asio_console::console {
namespace {

task_state from_wire(v1::TaskState state) {
  switch (state) {
    case v1::TASK_STATE_RUNNING: return task_state::running;
    case v1::TASK_STATE_SCHEDULED: return task_state::scheduled;
    case v1::TASK_STATE_COMPLETED: return task_state::completed;
    default: return task_state::idle;
  }
}

task_outcome from_wire(v1::TaskOutcome outcome) {
  switch (outcome) {
    case v1::TASK_OUTCOME_COMPLETED: return task_outcome::completed;
    case v1::TASK_OUTCOME_FAILED: return task_outcome::failed;
    case v1::TASK_OUTCOME_CANCELLED: return task_outcome::cancelled;
    case v1::TASK_OUTCOME_DROPPED: return task_outcome::dropped;
    default: return task_outcome::none;
  }
}

task_stats from_wire(const v1::TaskStats& wire, std::int64_t sampled_ns) {
  task_stats stats;
  stats.state = from_wire(wire.state());
  stats.outcome = from_wire(wire.outcome());
  stats.finished_ns = wire.finished_ns();
  stats.last_poll_end_ns = wire.last_poll_end_ns();
  stats.busy_ns = wire.busy_ns();
  stats.scheduled_ns = wire.scheduled_ns();
  stats.idle_ns = wire.idle_ns();
  stats.longest_poll_ns = wire.longest_poll_ns();
  stats.polls = wire.polls();
  stats.wakes = wire.wakes();
  stats.self_wakes = wire.self_wakes();
  stats.pending_work_known = wire.has_pending_work();
  stats.pending_work = wire.pending_work();
  stats.await_stack_id = wire.await_stack_id();
  stats.sampled_ns = sampled_ns;
  return stats;
}

}  // namespace

absl::Status check_protocol_version(const v1::Update& update) {
  if (update.protocol_version() == v1::PROTOCOL_VERSION_1) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("the target speaks protocol version ", update.protocol_version(),
                                                    "; this console speaks version 1"));
}

state::state(state_options options) : options_(options) {}

void state::reset() {
  const state_options options = options_;
  *this = state(options);
}

absl::Status state::apply(const v1::Update& update) {
  absl::Status status = apply_unchecked(update);
  if (!status.ok()) reset();
  return status;
}

absl::Status state::apply_unchecked(const v1::Update& update) {
  if (absl::Status version = check_protocol_version(update); !version.ok()) return version;
  if (update.watcher_id() != 0) watcher_id_ = update.watcher_id();
  if (!update.resync_reason().empty()) resync_reason_ = update.resync_reason();
  if (update.now_ns() == 0 && !update.snapshot()) {
    // A stream's header (the watcher id, why a snapshot follows): no publication.
    if (update.publish_interval_ns() != 0) publish_interval_ns_ = update.publish_interval_ns();
    return absl::OkStatus();
  }
  if (update.snapshot()) {
    // Site histories survive a resynchronization: the process (and its sites) stayed the same.
    tasks_.clear();
    strings_.clear();
    seen_snapshot_ = true;
  } else if (!seen_snapshot_) {
    return absl::DataLossError("the stream did not start with a snapshot");
  }
  now_ns_ = std::max(now_ns_, update.now_ns());
  now_unix_ns_ = update.now_unix_ns();
  publish_interval_ns_ = update.publish_interval_ns();

  for (const v1::InternedString& s : update.new_strings()) strings_[s.id()] = s.value();
  absl::Status missing = absl::OkStatus();
  const auto resolve = [&](std::uint32_t id) -> std::string {
    if (id == 0) return {};
    auto it = strings_.find(id);
    if (it != strings_.end()) return it->second;
    if (missing.ok()) missing = absl::DataLossError(absl::StrCat("string id ", id, " used before it was sent"));
    return {};
  };

  for (const v1::Site& wire : update.new_sites()) {
    site& s = sites_[wire.id()];
    s.id = wire.id();
    s.location = {resolve(wire.location().file()), resolve(wire.location().function()), wire.location().line(),
                  wire.location().column()};
  }
  for (const v1::Task& wire : update.new_tasks()) {
    task& t = tasks_[wire.id()];
    t.id = wire.id();
    t.parent_id = wire.parent_id();
    t.name = resolve(wire.name());
    t.fields.clear();
    for (const v1::Field& field : wire.fields()) t.fields.emplace_back(resolve(field.key()), resolve(field.value()));
    t.site_id = wire.site_id();
    t.stack_id = wire.stack_id();
    t.created_ns = wire.created_ns();
    t.stats = from_wire(wire.stats(), update.now_ns());
  }
  if (!missing.ok()) return missing;
  for (const v1::TaskStats& wire : update.changed_stats()) {
    auto it = tasks_.find(wire.id());
    if (it == tasks_.end()) return absl::DataLossError(absl::StrCat("stats for task ", wire.id(), " it was never sent"));
    it->second.stats = from_wire(wire, update.now_ns());
  }
  for (std::uint64_t id : update.removed_task_ids()) {
    auto it = tasks_.find(id);
    if (it == tasks_.end()) continue;
    // The console's own retention, when set, decides for completed tasks.
    if (options_.retain_completed && it->second.completed()) continue;
    tasks_.erase(it);
  }
  for (const v1::SiteStats& wire : update.site_stats()) {
    site& s = sites_[wire.id()];
    s.id = wire.id();
    s.spawned = wire.spawned();
    s.finished = wire.finished();
    s.unrecorded = wire.unrecorded();
  }
  if (update.has_counters()) {
    const v1::Counters& c = update.counters();
    counters_ = {c.spawned(), c.finished(), c.live(), c.retained(), c.reclaimed(), c.forced_reclaims(),
                 c.dropped_watchers(), c.unrecorded()};
  }
  if (update.last_chunk()) end_publication();
  return absl::OkStatus();
}

void state::end_publication() {
  ++publications_;
  const std::int64_t window_ns = absl::ToInt64Nanoseconds(options_.growth_window);
  for (auto& [id, s] : sites_) {
    if (!s.history.empty() && s.history.back().at_ns == now_ns_) {
      s.history.back().live = s.live();
    } else {
      s.history.push_back({now_ns_, s.live()});
    }
    while (s.history.size() > 2 && s.history[1].at_ns <= now_ns_ - window_ns) s.history.pop_front();
  }
  if (options_.retain_completed) {
    const std::int64_t keep_after = now_ns_ - absl::ToInt64Nanoseconds(*options_.retain_completed);
    absl::erase_if(tasks_, [&](const auto& entry) {
      return entry.second.completed() && entry.second.stats.finished_ns < keep_after;
    });
  }
}

const task* state::find_task(std::uint64_t id) const {
  auto it = tasks_.find(id);
  return it == tasks_.end() ? nullptr : &it->second;
}

const site* state::find_site(std::uint32_t id) const {
  auto it = sites_.find(id);
  return it == sites_.end() ? nullptr : &it->second;
}

void state::add_stack(std::uint32_t id, std::vector<frame> frames) { stacks_[id] = std::move(frames); }

const std::vector<frame>* state::find_stack(std::uint32_t id) const {
  auto it = stacks_.find(id);
  return it == stacks_.end() ? nullptr : &it->second;
}

namespace {

template <typename StackOf>
std::vector<std::uint32_t> unsymbolized(const state::task_map& tasks,
                                        const absl::flat_hash_map<std::uint32_t, std::vector<frame>>& known,
                                        StackOf stack_of) {
  absl::flat_hash_set<std::uint32_t> wanted;
  for (const auto& [id, t] : tasks) {
    const std::uint32_t stack = stack_of(t);
    if (stack != 0 && !known.contains(stack)) wanted.insert(stack);
  }
  std::vector<std::uint32_t> ids(wanted.begin(), wanted.end());
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

std::vector<std::uint32_t> state::unsymbolized_stacks() const {
  return unsymbolized(tasks_, stacks_, [](const task& t) { return t.stack_id; });
}

void state::add_await_stack(std::uint32_t id, std::vector<frame> frames) { await_stacks_[id] = std::move(frames); }

const std::vector<frame>* state::find_await_stack(std::uint32_t id) const {
  auto it = await_stacks_.find(id);
  return it == await_stacks_.end() ? nullptr : &it->second;
}

std::vector<std::uint32_t> state::unsymbolized_await_stacks() const {
  return unsymbolized(tasks_, await_stacks_, [](const task& t) { return t.stats.await_stack_id; });
}

}  // namespace asio_console::console
