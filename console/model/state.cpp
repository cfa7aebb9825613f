#include "model/state.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "asio_console/v1/application_text.hpp"
#include "model/format.hpp"

namespace asio_console::console {
namespace {

// Beyond what the console holds of a target (model_limits): one line naming the limit.
absl::Status over_limit(absl::string_view what, absl::string_view limit, absl::string_view flag = "") {
  return absl::ResourceExhaustedError(
      absl::StrCat("the target sent more than ", limit, " ", what, ": not what an asio-console target sends", flag));
}

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

task_deep_stats deep_from_wire(const v1::TaskStats& wire) {
  task_deep_stats deep;
  deep.pending_ops.reserve(static_cast<std::size_t>(wire.pending_ops_size()));
  for (const v1::PendingOperation& op : wire.pending_ops()) {
    deep.pending_ops.push_back({op.operation(), op.object_kind(), op.object_id(),
                                op.has_native_handle() ? std::optional(op.native_handle()) : std::nullopt,
                                op.since_ns()});
  }
  if (wire.has_woken_by()) deep.woken_by = task_deep_stats::wake_source{wire.woken_by().operation(), wire.woken_by().object_id()};
  return deep;
}

resource from_wire(const v1::Resource& wire) {
  resource r;
  r.id = wire.id();
  r.kind = wire.kind();
  if (wire.has_native_handle()) r.native_handle = wire.native_handle();
  r.local = v1::printable_text(wire.local());
  r.remote = v1::printable_text(wire.remote());
  r.ops_started = wire.ops_started();
  r.pending_ops = wire.pending_ops();
  r.created_ns = wire.created_ns();
  r.idle_since_ns = wire.idle_since_ns();
  r.closed_ns = wire.closed_ns();
  return r;
}

std::vector<frame> frames_of(const v1::Stack& stack) {
  std::vector<frame> frames;
  frames.reserve(stack.frames_size());
  for (const v1::Frame& f : stack.frames()) {
    frames.push_back({v1::printable_text(f.function()), v1::printable_text(f.file()), f.line(), f.awaiting()});
  }
  return frames;
}

}  // namespace

absl::Status check_protocol_version(const v1::Update& update) {
  if (update.protocol_version() == v1::PROTOCOL_VERSION_1) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("the target speaks protocol version ", update.protocol_version(),
                                                    "; this console speaks version 1"));
}

state::state(state_options options) : options_(std::move(options)) {}

absl::Status state::apply(const message& next) {
  if (const auto* update = std::get_if<v1::Update>(&next)) return apply(*update);
  std::visit(
      [this](const auto& m) {
        using kind = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<kind, stream_started>) apply_stream_started(m);
        if constexpr (std::is_same_v<kind, v1::TaskDetails>) apply_details(m);
        if constexpr (std::is_same_v<kind, stacks_symbolized>) apply_stacks(m);
        if constexpr (std::is_same_v<kind, pause_answered>) apply_pause(m);
        if constexpr (std::is_same_v<kind, link_status>) link_ = m;
        if constexpr (std::is_same_v<kind, playback_status>) playback_ = m;
      },
      next);
  return absl::OkStatus();
}

absl::Status state::apply_all(const std::vector<message>& batch) {
  absl::Status first = absl::OkStatus();
  applying_batch_ = true;
  for (const message& next : batch) {
    absl::Status applied = apply(next);
    if (first.ok()) first = std::move(applied);
  }
  applying_batch_ = false;
  if (publication_work_pending_) publication_work();
  return first;
}

absl::Status state::apply(const v1::Update& update) {
  if (awaiting_stream_) return absl::OkStatus();  // what is left of the stream that failed
  last_update_at_ = options_.clock();
  absl::Status status = apply_unchecked(update);
  if (!status.ok()) {
    forget_process();
    last_error_ = std::string(status.message());
    awaiting_stream_ = true;
    ask(restart_request{last_error_});
  }
  return status;
}

void state::apply_stream_started(const stream_started& started) {
  // Another stream may be another process: nothing it said before holds.
  stream_ = started.stream;
  awaiting_stream_ = false;
  forget_process();
  temporality_.on_stream_started();
  // The details stream of the old one is gone with it: follow the same task on the new one.
  if (watched_task_ != 0) ask(watch_details_request{watched_task_});
}

void state::forget_process() {
  process_ = process_data{};
  ++version_;
  forget_change_log();
  symbolizing_spawn_.clear();
  symbolizing_await_.clear();
  details_.reset();
}

void state::apply_details(const v1::TaskDetails& details) {
  if (watched_task_ == 0 || details.task_id() != watched_task_) return;  // sent before another was chosen
  details_ = from_wire(details);
}

void state::apply_stacks(const stacks_symbolized& answer) {
  if (answer.stream != stream_) return;  // asked of an earlier stream, maybe another process
  for (std::uint32_t id : answer.spawn_ids) symbolizing_spawn_.erase(id);
  for (std::uint32_t id : answer.await_ids) symbolizing_await_.erase(id);
  if (!answer.error.empty()) {
    symbolize_error_ = answer.error;  // asked again after the next publication
    process_.unsymbolized_spawn.insert(answer.spawn_ids.begin(), answer.spawn_ids.end());
    process_.unsymbolized_await.insert(answer.await_ids.begin(), answer.await_ids.end());
    return;
  }
  symbolize_error_.clear();
  for (const v1::Stack& stack : answer.response.stacks()) add_stack(stack.id(), frames_of(stack));
  for (const v1::Stack& stack : answer.response.await_stacks()) add_await_stack(stack.id(), frames_of(stack));
  ++version_;  // filters match the frames of await stacks
  forget_change_log();
  request_symbolization();  // what later publications added while this one was answered
}

std::optional<absl::Duration> state::overdue_silence(absl::Time now) const {
  if (playback_ || !ready() || link_.current != link_status::phase::connected) return std::nullopt;
  if (temporality_.paused() || temporality_.wanted_paused()) return std::nullopt;
  const absl::Duration expected = std::max(3 * absl::Nanoseconds(process_.publish_interval_ns), absl::Seconds(2));
  const absl::Duration silence = now - last_update_at_;
  if (silence <= expected) return std::nullopt;
  return silence;
}

void state::apply_pause(const pause_answered& answer) {
  if (auto next = temporality_.on_answer(answer)) ask(*next);
}

void state::set_paused(bool paused) {
  if (auto next = temporality_.want(paused)) ask(*next);
}

void state::watch_details(std::uint64_t task_id) {
  if (task_id == watched_task_) return;
  watched_task_ = task_id;
  details_.reset();
  ask(watch_details_request{task_id});
}

std::vector<request> state::take_requests() { return std::exchange(requests_, {}); }

absl::Status state::apply_unchecked(const v1::Update& update) {
  if (absl::Status version = check_protocol_version(update); !version.ok()) return version;
  process_data& p = process_;
  p.publication_bytes = (p.publication_underway ? p.publication_bytes : 0) + update.ByteSizeLong();
  if (p.publication_bytes > options_.limits.publication_bytes) {
    return over_limit("in one publication", format_bytes(options_.limits.publication_bytes),
                      " (a bigger snapshot needs a bigger --max-snapshot)");
  }
  if (update.watcher_id() != 0) p.watcher_id = update.watcher_id();
  if (!update.resync_reason().empty()) p.resync_reason = v1::printable_text(update.resync_reason());
  if (update.now_ns() == 0 && !update.snapshot()) {
    // A stream's header (the watcher id, why a snapshot follows): no publication.
    if (update.publish_interval_ns() != 0) p.publish_interval_ns = update.publish_interval_ns();
    return absl::OkStatus();
  }
  if (update.snapshot()) {
    // Site histories survive a resynchronization: the process (and its sites) stayed the same.
    ++version_;  // views may hold pointers to tasks
    forget_change_log();
    p.tasks.clear();
    p.labels = label_table();  // the tasks that held them are gone
    p.deep_stats.clear();
    p.tasks_by_state = {};
    p.completed_by_finish.clear();
    for (auto& [id, s] : p.sites) s.known_live = s.known_idle = 0;
    p.lint_every_task = true;
    p.children.clear();
    p.strings.clear();
    p.string_bytes = 0;
    p.resources.clear();
    p.seen_snapshot = true;
  } else if (!p.seen_snapshot) {
    return absl::DataLossError("the stream did not start with a snapshot");
  }
  p.now_ns = std::max(p.now_ns, update.now_ns());
  p.now_unix_ns = update.now_unix_ns();
  p.publish_interval_ns = update.publish_interval_ns();
  p.deep_mode = update.deep_mode();
  p.await_stacks_off_reason = v1::printable_text(update.await_stacks_off_reason());

  // Application text is any bytes: kept as shown (escaped), so that every view and report is safe.
  for (const v1::InternedString& s : update.new_strings()) {
    std::string& held = p.strings[s.id()];
    p.string_bytes -= held.size();  // an id reused for another string
    held = v1::printable_text(s.value());
    p.string_bytes += held.size();
  }
  if (p.string_bytes > options_.limits.string_bytes) {
    return over_limit("of strings in use", format_bytes(options_.limits.string_bytes));
  }
  absl::Status missing = absl::OkStatus();
  const auto resolve = [&](std::uint32_t id) -> const std::string& {
    static const std::string none;
    if (id == 0) return none;
    auto it = p.strings.find(id);
    if (it != p.strings.end()) return it->second;
    if (missing.ok()) missing = absl::DataLossError(absl::StrCat("string id ", id, " used before it was sent"));
    return none;
  };

  for (const v1::Site& wire : update.new_sites()) {
    site& s = p.sites[wire.id()];
    s.id = wire.id();
    s.location = {resolve(wire.location().file()), resolve(wire.location().function()), wire.location().line(),
                  wire.location().column()};
  }
  for (const v1::Task& wire : update.new_tasks()) {
    task& t = p.tasks[wire.id()];
    if (t.id != 0) count_task(t, -1);  // sent again (a snapshot chunk)
    if (t.parent_id != 0) p.children[t.parent_id].erase(t.id);
    t.id = wire.id();
    t.parent_id = wire.parent_id();
    label_table::field_views fields;
    for (const v1::Field& field : wire.fields()) fields.emplace_back(resolve(field.key()), resolve(field.value()));
    const task_labels* before = t.labels;
    t.labels = p.labels.acquire(resolve(wire.name()), fields);
    p.labels.release(before);  // after: a task sent again most likely keeps the same
    t.site_id = wire.site_id();
    t.stack_id = wire.stack_id();
    t.created_ns = wire.created_ns();
    t.stats = from_wire(wire.stats(), update.now_ns());
    set_deep_stats(t.id, wire.stats());
    if (t.parent_id != 0) p.children[t.parent_id].insert(t.id);
    task_arrived(t);
  }
  if (!missing.ok()) return missing;
  for (const v1::TaskStats& wire : update.changed_stats()) {
    auto it = p.tasks.find(wire.id());
    if (it == p.tasks.end()) return absl::DataLossError(absl::StrCat("stats for task ", wire.id(), " it was never sent"));
    count_task(it->second, -1);
    it->second.stats = from_wire(wire, update.now_ns());
    set_deep_stats(wire.id(), wire);
    task_arrived(it->second);
  }
  for (std::uint64_t id : update.removed_task_ids()) {
    auto it = p.tasks.find(id);
    if (it == p.tasks.end()) continue;
    // The console's own retention, when set, decides for completed tasks.
    if (options_.retain_completed && it->second.completed()) continue;
    forget_task(it);
  }
  for (const v1::SiteStats& wire : update.site_stats()) {
    site& s = p.sites[wire.id()];
    s.id = wire.id();
    s.spawned = wire.spawned();
    s.finished = wire.finished();
    s.unrecorded = wire.unrecorded();
  }
  for (const v1::Resource& wire : update.resources()) p.resources[wire.id()] = from_wire(wire);
  for (std::uint64_t id : update.removed_resource_ids()) p.resources.erase(id);
  if (update.has_counters()) {
    const v1::Counters& c = update.counters();
    p.counters = {c.spawned(), c.finished(), c.live(), c.retained(), c.reclaimed(), c.forced_reclaims(),
                  c.dropped_watchers(), c.unrecorded()};
  }
  if (!update.new_sites().empty() || !update.site_stats().empty()) p.sites_changed = true;
  if (!update.resources().empty() || !update.removed_resource_ids().empty()) p.resources_changed = true;
  if (p.sites.size() > options_.limits.sites) return over_limit("sites", absl::StrCat(options_.limits.sites));
  if (p.tasks.size() > options_.limits.tasks) {
    return over_limit("tasks kept at once", absl::StrCat(options_.limits.tasks));
  }
  if (p.resources.size() > options_.limits.resources) {
    return over_limit("resources kept at once", absl::StrCat(options_.limits.resources));
  }
  p.publication_underway = !update.last_chunk();
  if (update.last_chunk()) end_publication();
  return absl::OkStatus();
}

void state::count_task(const task& t, int sign) {
  process_data& p = process_;
  const auto delta = static_cast<std::uint64_t>(static_cast<std::int64_t>(sign));  // counts stay balanced
  p.tasks_by_state[static_cast<std::size_t>(t.stats.state)] += delta;
  if (t.completed()) {
    if (sign > 0) {
      p.completed_by_finish.emplace(t.stats.finished_ns, t.id);
    } else {
      p.completed_by_finish.erase({t.stats.finished_ns, t.id});
    }
    return;
  }
  auto s = p.sites.find(t.site_id);
  if (s == p.sites.end()) return;  // never sent: no leak-suspect for it
  s->second.known_live += delta;
  if (t.stats.state == task_state::idle) s->second.known_idle += delta;
}

void state::task_arrived(const task& t) {
  process_data& p = process_;
  count_task(t, 1);
  log_task_change(t.id);
  if (!p.lint_every_task) p.lint_again.insert(t.id);  // a snapshot's tasks are all evaluated anyway
  if (t.stack_id != 0 && !p.stacks.contains(t.stack_id) && !symbolizing_spawn_.contains(t.stack_id)) {
    p.unsymbolized_spawn.insert(t.stack_id);
  }
  const std::uint32_t await = t.stats.await_stack_id;
  if (await != 0 && !p.await_stacks.contains(await) && !symbolizing_await_.contains(await)) {
    p.unsymbolized_await.insert(await);
  }
}

void state::log_task_change(std::uint64_t id) {
  if (version_ < change_log_floor_) return;  // nobody can ask about it: see tasks_changed_since
  // Beyond this many, listing every task again costs less than following the changes.
  const std::size_t most = std::max<std::size_t>(4096, process_.tasks.size() / 16);
  if (change_log_.size() >= most) {
    forget_change_log();
    return;
  }
  change_log_.emplace_back(version_, id);
}

void state::forget_change_log() {
  change_log_.clear();
  change_log_floor_ = version_ + 1;
}

std::optional<std::vector<std::uint64_t>> state::tasks_changed_since(std::uint64_t version) const {
  if (version < change_log_floor_) return std::nullopt;
  const auto first = std::lower_bound(change_log_.begin(), change_log_.end(), std::pair<std::uint64_t, std::uint64_t>{version, 0});
  std::vector<std::uint64_t> ids;
  ids.reserve(static_cast<std::size_t>(change_log_.end() - first));
  for (auto it = first; it != change_log_.end(); ++it) ids.push_back(it->second);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

void state::forget_task(task_map::iterator it) {
  const task& t = it->second;
  count_task(t, -1);
  log_task_change(t.id);
  if (!process_.lint_every_task) process_.lint_again.insert(t.id);
  if (t.parent_id != 0) {
    auto siblings = process_.children.find(t.parent_id);
    if (siblings != process_.children.end()) {
      siblings->second.erase(t.id);
      if (siblings->second.empty()) process_.children.erase(siblings);
    }
  }
  process_.labels.release(t.labels);
  process_.deep_stats.erase(t.id);
  process_.tasks.erase(it);
  ++version_;  // views may hold pointers to tasks
}

void state::set_deep_stats(std::uint64_t id, const v1::TaskStats& wire) {
  if (wire.pending_ops().empty() && !wire.has_woken_by()) {
    if (!process_.deep_stats.empty()) process_.deep_stats.erase(id);
    return;
  }
  process_.deep_stats[id] = deep_from_wire(wire);
}

const task_deep_stats& state::deep_stats_of(std::uint64_t task_id) const {
  static const task_deep_stats none;
  const auto it = process_.deep_stats.find(task_id);
  return it == process_.deep_stats.end() ? none : it->second;
}

void state::end_publication() {
  process_data& p = process_;
  ++p.publications;
  const std::int64_t window_ns = absl::ToInt64Nanoseconds(options_.growth_window);
  for (auto& [id, s] : p.sites) {
    if (!s.history.empty() && s.history.back().at_ns == p.now_ns) {
      s.history.back().live = s.live();
    } else {
      s.history.push_back({p.now_ns, s.live()});
    }
    while (s.history.size() > 2 && s.history[1].at_ns <= p.now_ns - window_ns) s.history.pop_front();
  }
  if (applying_batch_) {
    publication_work_pending_ = true;
  } else {
    publication_work();
  }
}

// Work over every task, done only when what it reads changed: a publication that changed nothing
// but the time (idle tasks, the common case) costs nothing here unless a lint's verdict turns
// with time (an idle task crossing a threshold, a growing site that stopped growing).
void state::publication_work() {
  process_data& p = process_;
  publication_work_pending_ = false;
  const bool sites_changed = std::exchange(p.sites_changed, false);
  const bool resources_changed = std::exchange(p.resources_changed, false);
  if (options_.retain_completed) {
    const std::int64_t keep_after = p.now_ns - absl::ToInt64Nanoseconds(*options_.retain_completed);
    while (!p.completed_by_finish.empty() && p.completed_by_finish.begin()->first < keep_after) {
      const auto it = p.tasks.find(p.completed_by_finish.begin()->second);
      if (it == p.tasks.end()) {
        p.completed_by_finish.erase(p.completed_by_finish.begin());
        continue;
      }
      forget_task(it);  // which takes it off the set
    }
  }
  // Every task that arrived, changed or left since the last publication is due for its lints.
  const bool tasks_changed = p.lint_every_task || !p.lint_again.empty();
  if (tasks_changed) index_waiting_tasks();
  const bool lints_may_turn = tasks_changed || sites_changed || !p.lints.leak_suspect_sites.empty() ||
                              p.now_ns >= p.lints.next_change_ns;
  if (lints_may_turn) run_lints();
  if (resources_changed) forget_change_log();  // filters match what tasks wait on
  if (lints_may_turn || resources_changed) ++version_;  // lints_may_turn covers tasks and sites
  request_symbolization();
  // A paused console pauses a new stream once its snapshot is whole: held with data on screen.
  if (auto next = temporality_.on_watcher(p.watcher_id)) ask(*next);
}

void state::index_waiting_tasks() {
  process_.waiting.clear();
  if (!process_.deep_mode) return;  // no task has pending operations to index
  for (const auto& [id, deep] : process_.deep_stats) {
    for (const pending_operation& op : deep.pending_ops) process_.waiting[op.object_id].push_back(id);
  }
  for (auto& [id, tasks] : process_.waiting) {
    std::sort(tasks.begin(), tasks.end());
    tasks.erase(std::unique(tasks.begin(), tasks.end()), tasks.end());
  }
}

const resource* state::find_resource(std::uint64_t id) const {
  const auto it = process_.resources.find(id);
  return it == process_.resources.end() ? nullptr : &it->second;
}

const std::vector<std::uint64_t>& state::tasks_waiting_on(std::uint64_t id) const {
  static const std::vector<std::uint64_t> none;
  const auto it = process_.waiting.find(id);
  return it == process_.waiting.end() ? none : it->second;
}

void state::request_symbolization() {
  // One request at a time: its answer asks for what arrived meanwhile.
  if (symbolizing()) return;
  process_data& p = process_;
  if (p.unsymbolized_spawn.empty() && p.unsymbolized_await.empty()) return;
  // Only the stacks some task still uses (those that brought them may be gone): a pass over the
  // tasks, made only when new stacks arrived.
  std::vector<std::uint32_t> spawn_ids, await_ids;
  for (const auto& [id, t] : p.tasks) {
    if (p.unsymbolized_spawn.erase(t.stack_id) != 0) spawn_ids.push_back(t.stack_id);
    if (p.unsymbolized_await.erase(t.stats.await_stack_id) != 0) await_ids.push_back(t.stats.await_stack_id);
  }
  p.unsymbolized_spawn.clear();
  p.unsymbolized_await.clear();
  std::sort(spawn_ids.begin(), spawn_ids.end());
  std::sort(await_ids.begin(), await_ids.end());
  symbolize_request next{stream_, std::move(spawn_ids), std::move(await_ids)};
  if (next.spawn_ids.empty() && next.await_ids.empty()) return;
  symbolizing_spawn_.insert(next.spawn_ids.begin(), next.spawn_ids.end());
  symbolizing_await_.insert(next.await_ids.begin(), next.await_ids.end());
  ask(std::move(next));
}

const task* state::find_task(std::uint64_t id) const {
  auto it = process_.tasks.find(id);
  return it == process_.tasks.end() ? nullptr : &it->second;
}

const state::task_ids& state::children_of(std::uint64_t parent) const {
  static const task_ids none;
  auto it = process_.children.find(parent);
  return it == process_.children.end() ? none : it->second;
}

const site* state::find_site(std::uint32_t id) const {
  auto it = process_.sites.find(id);
  return it == process_.sites.end() ? nullptr : &it->second;
}

void state::add_stack(std::uint32_t id, std::vector<frame> frames) { process_.stacks[id] = std::move(frames); }

const std::vector<frame>* state::find_stack(std::uint32_t id) const {
  auto it = process_.stacks.find(id);
  return it == process_.stacks.end() ? nullptr : &it->second;
}

void state::add_await_stack(std::uint32_t id, std::vector<frame> frames) {
  process_.await_stacks[id] = std::move(frames);
}

const std::vector<frame>* state::find_await_stack(std::uint32_t id) const {
  auto it = process_.await_stacks.find(id);
  return it == process_.await_stacks.end() ? nullptr : &it->second;
}

}  // namespace asio_console::console
