// The publisher turns the registry into update messages, once per publish interval, for every
// watcher at once: a delta (what changed since the previous publication) and, when a watcher needs
// one, a snapshot (everything). Both are split into chunks under the message size limit.
//
// It remembers, per task record, the task it last published from it and a signature of the
// counters that matter (polls, wakes, pending work, phase), so that an unchanged task costs a few
// sequential loads and nothing on the wire; and, per task that has them, the ids of its interned
// strings (and in deep mode what its pending operations were sent as). That memory exists only
// while a console is attached (see reset()). Publisher-thread only; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "asio_console/instrumentation/registry.hpp"
#include "asio_console/instrumentation/pending_operations.hpp"
#include "asio_console/instrumentation/snapshot.hpp"
#include "asio_console/v1/instrument.pb.h"
#include "string_table.hpp"

namespace asio_console::server_internal {

using update_ptr = std::shared_ptr<const v1::Update>;

struct publication {
  std::vector<update_ptr> delta;     // never empty: the last chunk has last_chunk = true
  std::vector<update_ptr> snapshot;  // empty unless asked for
  std::uint64_t finish_sequence = 0;  // every task finished up to it is final in this publication
};

class publisher {
 public:
  publisher(instrumentation::registry& registry, std::size_t max_message_bytes, std::int64_t interval_ns);

  /// One publication: walks the registry once. `dropped_watchers` is what its counters say of the
  /// consoles cut off so far. Without `with_delta` (no watcher takes it: each needs a snapshot,
  /// a million new tasks after a first console connects) what changed is tracked as always but not
  /// written: the delta is one empty last chunk.
  publication publish(bool with_snapshot, std::uint64_t dropped_watchers, bool with_delta = true);

  /// Details of one task, or nullopt when the registry no longer has it.
  std::optional<v1::TaskDetails> details(std::uint64_t task_id);

  /// Stops the histograms details() started for tasks that are not in `watched` (the tasks the
  /// details streams follow now), so that their slots serve other tasks.
  void keep_histograms_of(const absl::flat_hash_set<std::uint64_t>& watched);

  /// Forgets everything published (no watcher left); the next publication starts from scratch.
  void reset();

 private:
  // A task's interned strings: name, then key and value of each field.
  using task_strings = absl::InlinedVector<std::uint32_t, 3>;
  // What a record held at the last publication: a task (0: none), its signature, and the strings
  // it holds in the table while tracked (none: no name, no fields). Kept by record index, so that
  // a million new tasks are tracked without a hash table growing under them.
  struct tracked_task {
    std::uint64_t id = 0;
    std::uint64_t signature = 0;
    task_strings strings;
  };

  void intern_new_sites();
  void fill_task(v1::Task& out, const instrumentation::task_snapshot& task, const task_strings* strings,
                 const std::vector<const instrumentation::pending_operation*>* ops) const;
  // Forgets the task a record held: its strings and operations.
  void forget(tracked_task& tracked);

  instrumentation::registry& registry_;
  std::size_t max_message_bytes_;
  std::int64_t interval_ns_;
  string_table strings_;
  std::vector<tracked_task> tracked_;                                // by record index
  absl::flat_hash_map<std::uint64_t, std::uint64_t> operations_sent_;  // deep mode: digests sent, tasks with some
  absl::flat_hash_set<std::uint64_t> with_histograms_;  // task ids details() attached them to
  std::vector<v1::Site> sites_;                      // every site sent so far, by id - 1
  struct site_count {
    std::uint64_t spawned = 0, finished = 0, unrecorded = 0;
    friend bool operator==(const site_count&, const site_count&) = default;
  };
  std::vector<site_count> site_counts_;  // last sent
  std::uint64_t epoch_ = 0;
  // Deep mode: every resource sent, with what it was last sent as and the publication that saw it.
  struct sent_resource {
    std::uint64_t signature = 0;
    std::uint64_t epoch = 0;
  };
  absl::flat_hash_map<std::uint64_t, sent_resource> resource_signatures_;
};

/// Fills the wire form of a task's stats.
void fill_stats(v1::TaskStats& out, const instrumentation::task_snapshot& task);
/// Fills the wire form of a symbolized frame.
void fill_frame(v1::Frame& out, const instrumentation::symbolized_frame& frame);

}  // namespace asio_console::server_internal
