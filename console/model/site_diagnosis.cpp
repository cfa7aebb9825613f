#include "model/site_diagnosis.hpp"

#include "absl/strings/str_cat.h"
#include "model/format.hpp"

namespace asio_console::console {

std::string diagnose_site(const site_summary& site, const state& model, const frame_filter& frames) {
  if (site.await_stacks.empty()) return {};
  const std::vector<visible_stack> waiting = visible_stacks(site.await_stacks, model, frames, stack_kind::await);
  const visible_stack& top = waiting.front();
  if (!top.symbolized || top.frames.empty()) return {};
  std::string where(short_function(top.frames[0]->function));
  if (top.frames.size() > 1) absl::StrAppend(&where, " ← ", std::string(short_function(top.frames[1]->function)));
  std::string sentence = absl::StrCat(top.count, top.count == 1 ? " idle task" : " idle tasks", " waiting in ", where);
  if (!top.wait_reason.empty()) absl::StrAppend(&sentence, " (", top.wait_reason, ")");
  if (site.stacks.empty()) return sentence;
  const std::vector<visible_stack> spawned = visible_stacks(site.stacks, model, frames);
  const std::string_view site_function = short_function(site.where->location.function);
  for (const frame* f : spawned.front().frames) {
    if (short_function(f->function) != site_function) {
      absl::StrAppend(&sentence, ", spawned by ", std::string(short_function(f->function)));
      break;
    }
  }
  return sentence;
}

}  // namespace asio_console::console
