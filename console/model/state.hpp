// asio_console::console::state: the console's model, everything it knows about one instrumented
// process and about its own view of it.
//
// The single sink of a console (tokio-console's State): every message a source yields (message.hpp)
// is applied here, and nothing else writes to it; views only read it. What it needs from the source
// (stacks to symbolize, a pause, a task's details, a fresh stream after a message it could not
// apply) it asks for with requests (take_requests), answered later by messages. It runs its lints
// once per publication applied (or per batch of them: apply_all). Shared by the terminal UI and
// `dump`, tested without either. Not thread-safe: one thread owns it.
//
// Strings are resolved when a message arrives (the protocol may reuse an id for another string
// later). Completed tasks stay as long as the process keeps them, or, with `retain_completed`,
// for exactly that long after they finished, whatever the process does.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "asio_console/v1/instrument.pb.h"
#include "model/label_table.hpp"
#include "model/link_status.hpp"
#include "model/lint_kind.hpp"
#include "model/lint_results.hpp"
#include "model/message.hpp"
#include "model/resource.hpp"
#include "model/site.hpp"
#include "model/task.hpp"
#include "model/task_details.hpp"
#include "model/temporality.hpp"

namespace asio_console::console {

/// One frame of a symbolized stack, innermost first.
struct frame {
  std::string function;
  std::string file;
  std::uint32_t line = 0;
  // A suspended coroutine awaiting the frame before it: every frame of an await stack, and the
  // frames continuing a spawn stack past the coroutine that spawned. Its line is the function's.
  bool awaiting = false;
};

class lint_evaluator;

/// The process's own totals (Update.counters).
struct process_counters {
  std::uint64_t spawned = 0;
  std::uint64_t finished = 0;
  std::uint64_t live = 0;
  std::uint64_t retained = 0;
  std::uint64_t reclaimed = 0;
  std::uint64_t forced_reclaims = 0;
  std::uint64_t dropped_watchers = 0;  // consoles cut off for falling behind
  std::uint64_t unrecorded = 0;  // spawns that ran unrecorded (an executor type asio-console cannot wrap)
};

/// What the console holds of one target at most. A target past one of them sends what no
/// asio-console target would (a snapshot that never ends, strings or sites without end): the
/// update is refused (see apply), so the console never grows without bound whatever it is sent.
struct model_limits {
  std::uint64_t publication_bytes = 256ull << 20;  // one publication, a snapshot included (--max-snapshot)
  std::uint64_t string_bytes = 512ull << 20;     // the interned strings held
  std::uint64_t sites = 1'000'000;
  std::uint64_t tasks = 10'000'000;
  std::uint64_t resources = 10'000'000;  // deep mode
};

struct state_options {
  /// How long completed tasks are kept after they finished; nullopt: as long as the process keeps them.
  std::optional<absl::Duration> retain_completed;
  /// How far back each site's live-count history (growth, leak-suspect) reaches.
  absl::Duration growth_window = absl::Seconds(60);
  /// What the lints flag.
  lint_thresholds thresholds;
  model_limits limits;
  /// The console's clock: when updates arrive (overdue_silence).
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

/// OK if `update` is of the protocol version this console speaks; else an error that names both.
absl::Status check_protocol_version(const v1::Update& update);

class state {
 public:
  // Tasks are large and a million of them common: nodes, so that growing the map moves pointers,
  // not tasks, and its empty slots cost 8 bytes each, not a task's size.
  using task_map = absl::node_hash_map<std::uint64_t, task>;
  using site_map = absl::flat_hash_map<std::uint32_t, site>;
  using task_ids = std::set<std::uint64_t>;
  using resource_map = absl::flat_hash_map<std::uint64_t, resource>;

  explicit state(state_options options = {});

  /// Applies one message of a source. Only an update can be wrong (another protocol version, an id
  /// used before it was defined): then what was known of the process is forgotten, the error is
  /// returned and kept (last_error), a restart_request is made, and updates are ignored until the
  /// next stream starts.
  absl::Status apply(const message& next);
  absl::Status apply(const v1::Update& update);
  /// Applies `batch` in order, as apply() each would, except that what each publication ends with
  /// over every task (retention, the lints, the stacks to symbolize) runs once, after the last:
  /// the same model at the end, at the cost of one publication however many the batch holds (a
  /// replay moving back applies a whole stream at once). Returns the first error.
  absl::Status apply_all(const std::vector<message>& batch);

  // --- what the user asks for (answered by the source, through messages) ----------------------------
  /// Pause or resume this console's updates.
  void set_paused(bool paused);
  /// Follow the details of this task (0: none). Asking again for the same task asks for nothing.
  void watch_details(std::uint64_t task_id);
  /// What the model needs from its source, oldest first; taking them empties the list.
  std::vector<request> take_requests();

  // --- the process, as its updates describe it -----------------------------------------------------
  /// True once a whole publication (every chunk of the first snapshot) has been applied.
  bool ready() const noexcept { return process_.publications > 0; }
  /// Publications applied whole; each adds a sample to every site's history and runs the lints.
  std::uint64_t publications() const noexcept { return process_.publications; }
  /// Chunks of a publication were applied, not its last one yet: the rest is on its way.
  bool publication_underway() const noexcept { return process_.publication_underway; }
  std::int64_t now_ns() const noexcept { return process_.now_ns; }
  std::int64_t now_unix_ns() const noexcept { return process_.now_unix_ns; }
  std::int64_t publish_interval_ns() const noexcept { return process_.publish_interval_ns; }
  std::uint64_t watcher_id() const noexcept { return process_.watcher_id; }
  /// The process is built in deep mode: each task's pending_ops (deep_stats_of) are every
  /// operation it waits on.
  bool deep_mode() const noexcept { return process_.deep_mode; }
  /// Why the process records no await stacks; empty when it records them.
  const std::string& await_stacks_off_reason() const noexcept { return process_.await_stacks_off_reason; }
  const std::string& resync_reason() const noexcept { return process_.resync_reason; }
  const process_counters& counters() const noexcept { return process_.counters; }

  const task_map& tasks() const noexcept { return process_.tasks; }
  /// Deep mode: what a task's last stats said of its operations (empty for any other task).
  const task_deep_stats& deep_stats_of(std::uint64_t task_id) const;
  const task* find_task(std::uint64_t id) const;
  /// The tasks known to have `parent` as their parent, ascending (empty if none).
  const task_ids& children_of(std::uint64_t parent) const;
  const site_map& sites() const noexcept { return process_.sites; }
  const site* find_site(std::uint32_t id) const;
  /// Deep mode: every resource the process keeps (live ones, and closed ones it retains), by id.
  const resource_map& resources() const noexcept { return process_.resources; }
  const resource* find_resource(std::uint64_t id) const;
  /// The tasks with an operation pending on resource `id` at the last publication, ascending.
  const std::vector<std::uint64_t>& tasks_waiting_on(std::uint64_t id) const;
  /// What the lints found at the last publication (every task's `warnings` say the same).
  const lint_results& lints() const noexcept { return process_.lints; }
  /// How many tasks are in each state (indexed by task_state) at the last publication.
  const std::array<std::uint64_t, 4>& tasks_by_state() const noexcept { return process_.tasks_by_state; }
  /// Counts the changes to what views show of the process other than time passing: tasks, their
  /// warnings, sites, resources, symbolized stacks, a new stream. A view may keep what it derived
  /// from the model for as long as this and now_ns() stay the same.
  std::uint64_t version() const noexcept { return version_; }
  /// The tasks added, changed (their stats or their warnings) or removed since the model was at
  /// `version`, ascending; nullopt when it cannot tell (a new stream or snapshot, stacks
  /// symbolized, resources changed, or too many changes since): then anything may have changed.
  std::optional<std::vector<std::uint64_t>> tasks_changed_since(std::uint64_t version) const;
  const state_options& options() const noexcept { return options_; }

  /// Stores the symbolized frames of an interned spawn stack (see Instrument.SymbolizeStacks).
  void add_stack(std::uint32_t id, std::vector<frame> frames);
  /// The frames of a spawn stack, or nullptr if not symbolized yet.
  const std::vector<frame>* find_stack(std::uint32_t id) const;

  /// The same for await stacks (where tasks are suspended; a separate id space).
  void add_await_stack(std::uint32_t id, std::vector<frame> frames);
  const std::vector<frame>* find_await_stack(std::uint32_t id) const;

  // --- the console's side ----------------------------------------------------------------------------
  const link_status& link() const noexcept { return link_; }
  /// How long no update has come, when that is longer than a live target keeps quiet (three publish
  /// intervals, and at least 2 s): a target stopped, or hung, while its connection stays open.
  /// nullopt while updates come as they should, while paused, before the first snapshot and in a
  /// replay.
  std::optional<absl::Duration> overdue_silence(absl::Time now) const;
  /// Where a replay stands in its recording; nullptr for a live console.
  const playback_status* playback() const noexcept { return playback_ ? &*playback_ : nullptr; }
  const temporality& time() const noexcept { return temporality_; }
  /// The task whose details are followed (0: none), and its latest details once they arrived.
  std::uint64_t watched_task() const noexcept { return watched_task_; }
  const task_details* details() const noexcept { return details_ ? &*details_ : nullptr; }
  /// A symbolize request is unanswered.
  bool symbolizing() const noexcept { return !symbolizing_spawn_.empty() || !symbolizing_await_.empty(); }
  /// Why the last symbolization failed (its stacks are asked for again after the next
  /// publication); empty once one succeeds.
  const std::string& symbolize_error() const noexcept { return symbolize_error_; }
  /// The last message the model could not apply, as one line; empty until then.
  const std::string& last_error() const noexcept { return last_error_; }

 private:
  // What one stream told about the process: forgotten when another stream starts.
  struct process_data {
    absl::flat_hash_map<std::uint32_t, std::string> strings;
    label_table labels;  // what tasks' `labels` point at
    task_map tasks;
    // Deep mode: the tasks whose stats name operations (most tasks of other builds have none).
    absl::flat_hash_map<std::uint64_t, task_deep_stats> deep_stats;
    absl::flat_hash_map<std::uint64_t, task_ids> children;
    site_map sites;
    resource_map resources;
    // Resource id to the tasks waiting on it, rebuilt after each publication.
    absl::flat_hash_map<std::uint64_t, std::vector<std::uint64_t>> waiting;
    absl::flat_hash_map<std::uint32_t, std::vector<frame>> stacks;
    absl::flat_hash_map<std::uint32_t, std::vector<frame>> await_stacks;
    process_counters counters;
    lint_results lints;
    std::array<std::uint64_t, 4> tasks_by_state{};
    // The lints, kept up to date task by task (run_lints): the tasks each flags are in `lints`,
    // and here the tasks to evaluate again (changed, added or removed since), and when idle tasks
    // cross a threshold (earliest first; an entry may be stale: evaluating a task again is harmless).
    absl::flat_hash_set<std::uint64_t> lint_again;
    bool lint_every_task = true;
    std::priority_queue<std::pair<std::int64_t, std::uint64_t>, std::vector<std::pair<std::int64_t, std::uint64_t>>,
                        std::greater<>>
        lint_deadlines;
    // Completed tasks by finish time, oldest first, for the console's own retention.
    std::set<std::pair<std::int64_t, std::uint64_t>> completed_by_finish;
    // Stack ids tasks use that are neither symbolized nor asked for yet.
    absl::flat_hash_set<std::uint32_t> unsymbolized_spawn;
    absl::flat_hash_set<std::uint32_t> unsymbolized_await;
    bool publication_underway = false;  // a chunk came, not the last one yet
    std::uint64_t publication_bytes = 0;  // of the publication being applied
    std::uint64_t string_bytes = 0;       // of `strings`
    // What the publication being applied changed, for the work after it (publication_work); which
    // tasks changed is `lint_again` (or every task).
    bool sites_changed = false;
    bool resources_changed = false;
    std::uint64_t publications = 0;
    bool seen_snapshot = false;
    std::int64_t now_ns = 0;
    std::int64_t now_unix_ns = 0;
    std::int64_t publish_interval_ns = 0;
    std::uint64_t watcher_id = 0;
    bool deep_mode = false;
    std::string await_stacks_off_reason;  // empty: the process records await stacks
    std::string resync_reason;
  };

  absl::Status apply_unchecked(const v1::Update& update);
  absl::Time last_update_at_;  // by options_.clock
  // What the stream said of the process, and the answers still expected about it.
  void forget_process();
  void apply_stream_started(const stream_started& started);
  void apply_details(const v1::TaskDetails& details);
  void apply_stacks(const stacks_symbolized& answer);
  void apply_pause(const pause_answered& answer);
  void end_publication();
  void publication_work();  // the part of end_publication over every task
  void run_lints();  // state_lints.cpp, with the two below
  void index_waiting_tasks();
  void forget_task(task_map::iterator it);
  void set_deep_stats(std::uint64_t id, const v1::TaskStats& wire);
  // Adds (1) or takes away (-1) a task in the counts kept over tasks (by state, per site).
  void count_task(const task& t, int sign);
  // A task arrived or changed: its lints are due, its stacks may need symbolizing.
  void task_arrived(const task& t);
  // `flagged`: the tasks each lint flags, ascending.
  void rerun_every_lint(const lint_evaluator& evaluator, flagged_tasks& flagged);
  void rerun_changed_lints(const lint_evaluator& evaluator, flagged_tasks& flagged);
  void log_task_change(std::uint64_t id);
  void forget_change_log();
  void request_symbolization();
  // In place: GCC 12 warns about a variant built from a temporary here (-Wmaybe-uninitialized).
  template <typename Request>
  void ask(Request next) {
    requests_.emplace_back(std::in_place_type<Request>, std::move(next));
  }

  state_options options_;
  process_data process_;
  std::uint64_t stream_ = 0;
  bool awaiting_stream_ = false;  // after an error: updates wait for the next stream
  std::string last_error_;
  link_status link_;
  std::optional<playback_status> playback_;
  temporality temporality_;
  std::uint64_t watched_task_ = 0;
  std::optional<task_details> details_;
  absl::flat_hash_set<std::uint32_t> symbolizing_spawn_;
  absl::flat_hash_set<std::uint32_t> symbolizing_await_;
  std::string symbolize_error_;
  std::vector<request> requests_;
  bool applying_batch_ = false;
  bool publication_work_pending_ = false;
  std::uint64_t version_ = 0;
  // Tasks changed, each with the version it changed at (ascending); changes before
  // `change_log_floor_` are not known.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> change_log_;
  std::uint64_t change_log_floor_ = 0;
};

}  // namespace asio_console::console
