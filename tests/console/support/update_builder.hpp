// Builds WatchUpdates messages by hand for model tests: a publication at a time, strings interned
// the way the server does it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "asio_console/v1/instrument.pb.h"

namespace asio_console::testing {

struct task_spec {
  std::uint64_t id = 0;
  std::uint64_t parent_id = 0;
  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;
  std::uint32_t site_id = 1;
  std::uint32_t stack_id = 0;
  std::int64_t created_ns = 0;
  v1::TaskState state = v1::TASK_STATE_IDLE;
  std::int64_t busy_ns = 0;
  std::int64_t scheduled_ns = 0;
  std::int64_t idle_ns = 0;
  std::int64_t last_poll_end_ns = 0;
  std::int64_t longest_poll_ns = 0;
  std::int64_t finished_ns = 0;
  std::uint64_t polls = 1;
  std::uint64_t wakes = 0;
  std::uint64_t self_wakes = 0;
  std::int64_t pending_work = 1;  // -1: not sent
  std::uint32_t await_stack_id = 0;
  std::vector<v1::PendingOperation> pending_ops;  // deep mode
  std::string woken_by_operation;                 // deep mode: "" when not woken by an operation
  std::uint64_t woken_by_object = 0;
};

class update_builder {
 public:
  /// Starts a publication at process time `now_ns`.
  update_builder& publication(std::int64_t now_ns, bool snapshot = false) {
    update_ = v1::Update();
    update_.set_protocol_version(1);
    update_.set_now_ns(now_ns);
    update_.set_snapshot(snapshot);
    update_.set_last_chunk(true);
    update_.set_publish_interval_ns(1'000'000'000);
    if (snapshot) sent_.clear();
    return *this;
  }
  update_builder& site(std::uint32_t id, const std::string& file, std::uint32_t line, const std::string& function) {
    v1::Site* s = update_.add_new_sites();
    s->set_id(id);
    s->mutable_location()->set_file(intern(file));
    s->mutable_location()->set_function(intern(function));
    s->mutable_location()->set_line(line);
    return *this;
  }
  update_builder& site_stats(std::uint32_t id, std::uint64_t spawned, std::uint64_t finished) {
    v1::SiteStats* s = update_.add_site_stats();
    s->set_id(id);
    s->set_spawned(spawned);
    s->set_finished(finished);
    return *this;
  }
  update_builder& new_task(const task_spec& spec) {
    v1::Task* t = update_.add_new_tasks();
    t->set_id(spec.id);
    t->set_parent_id(spec.parent_id);
    t->set_name(intern(spec.name));
    for (const auto& [key, value] : spec.fields) {
      v1::Field* f = t->add_fields();
      f->set_key(intern(key));
      f->set_value(intern(value));
    }
    t->set_site_id(spec.site_id);
    t->set_stack_id(spec.stack_id);
    t->set_created_ns(spec.created_ns);
    fill(*t->mutable_stats(), spec);
    return *this;
  }
  update_builder& changed(const task_spec& spec) {
    fill(*update_.add_changed_stats(), spec);
    return *this;
  }
  update_builder& removed(std::uint64_t id) {
    update_.add_removed_task_ids(id);
    return *this;
  }
  /// A resource (deep mode), new or changed.
  update_builder& resource(const v1::Resource& r) {
    *update_.add_resources() = r;
    return *this;
  }
  update_builder& removed_resource(std::uint64_t id) {
    update_.add_removed_resource_ids(id);
    return *this;
  }
  /// Says the process is built in deep mode (TaskStats.pending_ops are exact).
  update_builder& deep_mode() {
    update_.set_deep_mode(true);
    return *this;
  }
  const v1::Update& build() { return update_; }

 private:
  std::uint32_t intern(const std::string& text) {
    if (text.empty()) return 0;
    auto [it, inserted] = ids_.try_emplace(text, static_cast<std::uint32_t>(ids_.size() + 1));
    if (!sent_.contains(it->second)) {
      v1::InternedString* s = update_.add_new_strings();
      s->set_id(it->second);
      s->set_value(text);
      sent_[it->second] = true;
    }
    return it->second;
  }
  static void fill(v1::TaskStats& out, const task_spec& spec) {
    out.set_id(spec.id);
    out.set_state(spec.state);
    if (spec.state == v1::TASK_STATE_COMPLETED) out.set_outcome(v1::TASK_OUTCOME_COMPLETED);
    out.set_finished_ns(spec.finished_ns);
    out.set_last_poll_end_ns(spec.last_poll_end_ns);
    out.set_busy_ns(spec.busy_ns);
    out.set_scheduled_ns(spec.scheduled_ns);
    out.set_idle_ns(spec.idle_ns);
    out.set_longest_poll_ns(spec.longest_poll_ns);
    out.set_polls(spec.polls);
    out.set_wakes(spec.wakes);
    out.set_self_wakes(spec.self_wakes);
    if (spec.pending_work >= 0) out.set_pending_work(static_cast<std::uint64_t>(spec.pending_work));
    out.set_await_stack_id(spec.await_stack_id);
    for (const v1::PendingOperation& op : spec.pending_ops) *out.add_pending_ops() = op;
    if (!spec.woken_by_operation.empty()) {
      out.mutable_woken_by()->set_operation(spec.woken_by_operation);
      out.mutable_woken_by()->set_object_id(spec.woken_by_object);
    }
  }

  v1::Update update_;
  std::map<std::string, std::uint32_t> ids_;
  std::map<std::uint32_t, bool> sent_;
};

}  // namespace asio_console::testing
