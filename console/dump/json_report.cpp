#include "dump/json_report.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "model/frame_filter.hpp"
#include "model/site_summary.hpp"
#include "model/wait_reason.hpp"

namespace asio_console::console {
namespace {

namespace json = boost::json;

json::object location_json(const site* s) {
  json::object out;
  out["file"] = s != nullptr ? s->location.file : "";
  out["line"] = s != nullptr ? s->location.line : 0;
  out["function"] = s != nullptr ? s->location.function : "";
  return out;
}

// A spawn stack's frames say which ones continue it through suspended coroutines ("awaiting");
// an await stack's are all of that kind, so they do not repeat it.
json::array frames_json(const std::vector<frame>* frames, stack_kind kind = stack_kind::spawn) {
  json::array out;
  if (frames == nullptr) return out;
  for (const frame& f : *frames) {
    json::object o;
    o["function"] = f.function;
    o["file"] = f.file;
    o["line"] = f.line;
    if (kind == stack_kind::spawn && f.awaiting) o["awaiting"] = true;
    out.push_back(std::move(o));
  }
  return out;
}

json::object task_json(const task& t, const state& model) {
  const std::int64_t now = model.now_ns();
  json::object o;
  o["id"] = t.id;
  o["parent_id"] = t.parent_id != 0 ? json::value(t.parent_id) : json::value(nullptr);
  o["name"] = t.name;
  json::object fields;
  for (const auto& [key, value] : t.fields) fields[key] = value;
  o["fields"] = std::move(fields);
  o["state"] = to_string(t.stats.state);
  o["location"] = location_json(model.find_site(t.site_id));
  o["stack"] = t.stack_id != 0 ? frames_json(model.find_stack(t.stack_id)) : json::array();
  const std::vector<frame>* waiting =
      t.stats.await_stack_id != 0 ? model.find_await_stack(t.stats.await_stack_id) : nullptr;
  o["await_stack"] = frames_json(waiting, stack_kind::await);
  o["wait_reason"] = waiting != nullptr ? wait_reason(*waiting) : "";
  // Deep mode: the operations it waits on; [] otherwise.
  json::array pending;
  for (const pending_operation& op : t.stats.pending_ops) {
    json::object p;
    p["op"] = op.operation;
    p["object_kind"] = op.object_kind;
    p["object_id"] = op.object_id;
    p["native_handle"] = op.native_handle ? json::value(*op.native_handle) : json::value(nullptr);
    p["since_ns"] = op.since_ns;
    pending.emplace_back(std::move(p));
  }
  o["pending_ops"] = std::move(pending);
  if (t.stats.woken_by) {
    o["woken_by"] = {{"op", t.stats.woken_by->operation}, {"object_id", t.stats.woken_by->object_id}};
  } else {
    o["woken_by"] = nullptr;
  }
  o["total_ns"] = t.total_ns(now);
  o["busy_ns"] = t.busy_ns(now);
  o["scheduled_ns"] = t.scheduled_ns(now);
  o["idle_ns"] = t.idle_ns(now);
  o["polls"] = t.stats.polls;
  o["wakes"] = t.stats.wakes;
  json::array warnings;
  for (lint_kind kind : all_lint_kinds) {
    if (t.warnings.contains(kind)) warnings.emplace_back(json::string(lint_name(kind)));
  }
  o["warnings"] = std::move(warnings);
  return o;
}

// Deep mode: every resource, by id; [] otherwise.
json::array resources_json(const state& model) {
  std::vector<const resource*> sorted;
  for (const auto& [id, r] : model.resources()) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const resource* a, const resource* b) { return a->id < b->id; });
  const auto endpoint = [](const std::string& text) { return text.empty() ? json::value(nullptr) : json::value(text); };
  json::array out;
  for (const resource* r : sorted) {
    json::object o;
    o["id"] = r->id;
    o["kind"] = r->kind;
    o["native_handle"] = r->native_handle ? json::value(*r->native_handle) : json::value(nullptr);
    o["local"] = endpoint(r->local);
    o["remote"] = endpoint(r->remote);
    o["pending_ops"] = r->pending_ops;
    o["ops_started"] = r->ops_started;
    json::array ids;
    for (std::uint64_t id : model.tasks_waiting_on(r->id)) ids.push_back(id);
    o["task_ids"] = std::move(ids);
    o["idle_ns"] = r->idle_for_ns(model.now_ns());
    o["closed"] = r->closed();
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

void write_json_report(std::ostream& out, const state& model) {
  const lint_results& lints = model.lints();
  // Tasks are written one at a time: a million of them as one document tree would take gigabytes.
  out << "{\"version\":1,\"now_ns\":" << model.now_ns() << ",\"tasks\":[";
  std::vector<const task*> tasks;
  tasks.reserve(model.tasks().size());
  for (const auto& [id, t] : model.tasks()) tasks.push_back(&t);
  std::sort(tasks.begin(), tasks.end(), [](const task* a, const task* b) { return a->id < b->id; });
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (i != 0) out << ',';
    out << json::serialize(task_json(*tasks[i], model));
  }

  json::array site_array;
  for (const site_summary& s : summarize_sites(model)) {
    json::object o;
    o["location"] = location_json(s.where);
    o["spawned"] = s.spawned;
    o["live"] = s.live;
    o["idle"] = s.idle;
    o["completed"] = s.completed;
    o["growth_per_min"] = s.growth_per_minute;
    o["unrecorded"] = s.where->unrecorded;
    json::array stacks;
    for (const stack_count& stack : s.stacks) {
      json::object so;
      so["count"] = stack.count;
      so["frames"] = frames_json(model.find_stack(stack.stack_id));
      stacks.push_back(std::move(so));
    }
    o["stacks"] = std::move(stacks);
    json::array await_stacks;
    for (const stack_count& stack : s.await_stacks) {
      const std::vector<frame>* frames = model.find_await_stack(stack.stack_id);
      json::object so;
      so["count"] = stack.count;
      so["frames"] = frames_json(frames, stack_kind::await);
      so["wait_reason"] = frames != nullptr ? wait_reason(*frames) : "";
      await_stacks.push_back(std::move(so));
    }
    o["await_stacks"] = std::move(await_stacks);
    site_array.push_back(std::move(o));
  }
  out << "],\"sites\":" << json::serialize(site_array);

  json::array warning_array;
  for (const warning_summary& w : lints.warnings) {
    json::object o;
    o["lint"] = json::string(lint_name(w.lint));
    o["count"] = w.count;
    o["message"] = w.message;
    json::array ids;
    for (std::uint64_t id : w.task_ids) ids.push_back(id);
    o["task_ids"] = std::move(ids);
    warning_array.push_back(std::move(o));
  }
  out << ",\"warnings\":" << json::serialize(warning_array) << ",\"resources\":" << json::serialize(resources_json(model))
      << ",\"unrecorded_spawns\":" << model.counters().unrecorded << "}\n";
}

}  // namespace asio_console::console
