#include "dump/json_report.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <ostream>
#include <string>

#include "absl/container/flat_hash_map.h"

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

template <typename Number>
void append_number(std::string& out, Number n) {
  char text[24];
  const auto end = std::to_chars(text, text + sizeof(text), n).ptr;
  out.append(text, end);
}

// Text is built a megabyte at a time: a million tasks' worth would be a gigabyte.
void write_if_full(std::ostream& out, std::string& text) {
  if (text.size() < (1u << 20)) return;
  out << text;
  text.clear();
}

// Writes tasks as text, one at a time, in the key order of the format. What many tasks share (their
// site's location, their spawn and await stacks, a stack's wait reason) is serialized once and
// copied: at a million tasks, building a document tree per task was most of a dump's time.
class task_writer {
 public:
  explicit task_writer(const state& model) : model_(model) {}

  void write(const task& t, std::string& out) {
    const std::int64_t now = model_.now_ns();
    out += "{\"id\":";
    append_number(out, t.id);
    out += ",\"parent_id\":";
    if (t.parent_id != 0) {
      append_number(out, t.parent_id);
    } else {
      out += "null";
    }
    out += ",\"name\":";
    out += labels_text(*t.labels);
    out += ",\"state\":\"";
    out += to_string(t.stats.state);
    out += "\",\"location\":";
    out += cached(locations_, t.site_id, [&] { return json::serialize(location_json(model_.find_site(t.site_id))); });
    out += ",\"stack\":";
    out += t.stack_id == 0 ? std::string_view("[]") : cached(stacks_, t.stack_id, [&] {
      return json::serialize(frames_json(model_.find_stack(t.stack_id)));
    });
    out += ",\"await_stack\":";
    const std::uint32_t await_id = t.stats.await_stack_id;
    out += cached(await_stacks_, await_id, [&] {
      const std::vector<frame>* waiting = await_id != 0 ? model_.find_await_stack(await_id) : nullptr;
      return json::serialize(frames_json(waiting, stack_kind::await)) + ",\"wait_reason\":" +
             json::serialize(json::string_view(waiting != nullptr ? wait_reason(*waiting) : std::string()));
    });
    // Deep mode: the operations it waits on; [] otherwise.
    const task_deep_stats& deep = model_.deep_stats_of(t.id);
    out += ",\"pending_ops\":";
    if (deep.pending_ops.empty()) {
      out += "[]";
    } else {
      json::array pending;
      for (const pending_operation& op : deep.pending_ops) {
        json::object p;
        p["op"] = op.operation;
        p["object_kind"] = op.object_kind;
        p["object_id"] = op.object_id;
        p["native_handle"] = op.native_handle ? json::value(*op.native_handle) : json::value(nullptr);
        p["since_ns"] = op.since_ns;
        pending.emplace_back(std::move(p));
      }
      out += json::serialize(pending);
    }
    out += ",\"woken_by\":";
    if (deep.woken_by) {
      out += json::serialize(json::object{{"op", deep.woken_by->operation}, {"object_id", deep.woken_by->object_id}});
    } else {
      out += "null";
    }
    out += ",\"total_ns\":";
    append_number(out, t.total_ns(now));
    out += ",\"busy_ns\":";
    append_number(out, t.busy_ns(now));
    out += ",\"scheduled_ns\":";
    append_number(out, t.scheduled_ns(now));
    out += ",\"idle_ns\":";
    append_number(out, t.idle_ns(now));
    out += ",\"polls\":";
    append_number(out, t.stats.polls);
    out += ",\"wakes\":";
    append_number(out, t.stats.wakes);
    out += ",\"warnings\":[";
    bool first = true;
    for (lint_kind kind : all_lint_kinds) {
      if (!t.warnings.contains(kind)) continue;
      if (!first) out += ',';
      first = false;
      out += '"';
      out += lint_name(kind);  // plain identifiers: nothing to escape
      out += '"';
    }
    out += "]}";
  }

 private:
  // `"name": ..., "fields": {...}` without the first key's quotes. As a JSON object, a field whose
  // key was given twice appears once, where it first did, with its last value.
  static std::string labels_json(const task_labels& labels) {
    std::string out = json::serialize(json::string_view(labels.name));
    out += ",\"fields\":{";
    const std::vector<task_field>& fields = labels.fields;
    bool first_field = true;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string& key = fields[i].first;
      const auto same_key = [&](const task_field& f) { return f.first == key; };
      if (std::any_of(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(i), same_key)) continue;
      const task_field& last = *std::find_if(fields.rbegin(), fields.rend(), same_key);
      if (!first_field) out += ',';
      first_field = false;
      out += json::serialize(json::string_view(key));
      out += ':';
      out += json::serialize(json::string_view(last.second));
    }
    out += '}';
    return out;
  }
  // Tasks given fields of their own (a peer address each) would make the cache as big as the dump.
  const std::string& labels_text(const task_labels& labels) {
    if (auto it = labels_.find(&labels); it != labels_.end()) return it->second;
    if (labels_.size() < 4096) return labels_.emplace(&labels, labels_json(labels)).first->second;
    uncached_labels_ = labels_json(labels);
    return uncached_labels_;
  }
  template <typename Make>
  static const std::string& cached(absl::flat_hash_map<std::uint32_t, std::string>& cache, std::uint32_t key, Make make) {
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, make()).first;
    return it->second;
  }

  const state& model_;
  absl::flat_hash_map<const task_labels*, std::string> labels_;  // name and fields, by the model's copy
  std::string uncached_labels_;
  absl::flat_hash_map<std::uint32_t, std::string> locations_;     // by site id
  absl::flat_hash_map<std::uint32_t, std::string> stacks_;        // by spawn stack id
  absl::flat_hash_map<std::uint32_t, std::string> await_stacks_;  // by await stack id: frames, then wait_reason
};

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
  out << "{\"version\":1,\"now_ns\":" << model.now_ns();
  // What the process records: await stacks are off on an Asio whose internals were not checked.
  const std::string& off_reason = model.await_stacks_off_reason();
  out << ",\"capabilities\":{\"await_stacks\":" << (off_reason.empty() ? "true" : "false")
      << ",\"reason\":" << json::serialize(json::string_view(off_reason)) << "}";
  out << ",\"tasks\":[";
  // By id: ids sorted side by side with their tasks (sorting pointers alone would reach into a
  // million nodes at every comparison, and finding each id again costs a lookup more).
  std::vector<std::pair<std::uint64_t, const task*>> tasks;
  tasks.reserve(model.tasks().size());
  for (const auto& [id, t] : model.tasks()) tasks.emplace_back(id, &t);
  std::sort(tasks.begin(), tasks.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  task_writer writer(model);
  std::string text;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (i != 0) text += ',';
    writer.write(*tasks[i].second, text);
    write_if_full(out, text);
  }
  out << text;

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

  // Warnings as text too: a lint may name every task.
  out << ",\"warnings\":";
  std::string warnings = "[";
  for (const warning_summary& w : lints.warnings) {
    if (&w != &lints.warnings.front()) warnings += ',';
    warnings += "{\"lint\":\"";
    warnings += lint_name(w.lint);  // plain identifiers: nothing to escape
    warnings += "\",\"count\":";
    append_number(warnings, w.count);
    warnings += ",\"message\":";
    warnings += json::serialize(json::string_view(w.message));
    warnings += ",\"task_ids\":[";
    for (std::size_t i = 0; i < w.task_ids.size(); ++i) {
      if (i != 0) warnings += ',';
      append_number(warnings, w.task_ids[i]);
      write_if_full(out, warnings);
    }
    warnings += "]}";
  }
  warnings += ']';
  out << warnings << ",\"resources\":" << json::serialize(resources_json(model))
      << ",\"unrecorded_spawns\":" << model.counters().unrecorded << "}\n";
}

}  // namespace asio_console::console
