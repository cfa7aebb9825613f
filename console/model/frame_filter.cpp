#include "model/frame_filter.hpp"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "model/format.hpp"
#include "model/wait_reason.hpp"

namespace asio_console::console {
namespace {

bool is_library_frame(const frame& f) {
  // Asio's and Beast's machinery, the standard library's internals, the recorder, thread start-up.
  static constexpr std::string_view prefixes[] = {
      "boost::asio::", "boost::beast::", "boost_asio_", "asio::",  // Boost.Asio, Beast, standalone Asio
      "std::__",       "std::_Function_handler",       "std::coroutine_handle", "std::invoke",
      "asio_console::", "__libc_start", "_start", "start_thread", "clone",
  };
  if (f.function.empty()) return f.file.empty();
  // Code from system headers (Boost, the standard library) and from the recorder's own headers.
  if (f.file.starts_with("/usr/include/") || f.file.find("/include/asio_console/") != std::string::npos) return true;
  const std::string_view name = short_function(f.function);
  return std::any_of(std::begin(prefixes), std::end(prefixes),
                     [&](std::string_view prefix) { return name.starts_with(prefix); });
}

}  // namespace

absl::StatusOr<frame_filter> frame_filter::with_collapsed(const std::vector<std::string>& patterns) {
  frame_filter filter;
  for (const std::string& pattern : patterns) {
    if (pattern.empty()) continue;
    try {
      filter.collapsed_.emplace_back(pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& error) {
      return absl::InvalidArgumentError(absl::StrCat("--collapse: \"", pattern, "\" is not a regular expression"));
    }
  }
  return filter;
}

bool frame_filter::shows(const frame& f) const {
  if (is_library_frame(f)) return false;
  return std::none_of(collapsed_.begin(), collapsed_.end(),
                      [&](const std::regex& pattern) { return std::regex_search(f.function, pattern); });
}

std::vector<const frame*> frame_filter::visible(const std::vector<frame>& stack) const {
  std::vector<const frame*> shown;
  for (const frame& f : stack) {
    if (shows(f)) shown.push_back(&f);
  }
  if (shown.empty()) {
    for (const frame& f : stack) shown.push_back(&f);
  }
  return shown;
}

const std::vector<frame>* find_stack(const state& model, stack_kind kind, std::uint32_t id) {
  return kind == stack_kind::spawn ? model.find_stack(id) : model.find_await_stack(id);
}

std::vector<visible_stack> visible_stacks(const std::vector<stack_count>& stacks, const state& model,
                                          const frame_filter& filter, stack_kind kind) {
  std::vector<visible_stack> merged;
  std::map<std::vector<std::string>, std::size_t> index;  // what is visible -> position in merged
  for (const stack_count& stack : stacks) {
    const std::vector<frame>* frames = find_stack(model, kind, stack.stack_id);
    if (frames == nullptr) {
      merged.push_back({stack.count, {}, {}, false});
      continue;
    }
    visible_stack seen{stack.count, filter.visible(*frames), kind == stack_kind::await ? wait_reason(*frames) : "", true};
    std::vector<std::string> key{seen.wait_reason};
    for (const frame* f : seen.frames) key.push_back(absl::StrCat(f->function, "@", f->file, ":", f->line));
    auto [it, inserted] = index.try_emplace(std::move(key), merged.size());
    if (inserted) {
      merged.push_back(std::move(seen));
    } else {
      merged[it->second].count += stack.count;
    }
  }
  std::stable_sort(merged.begin(), merged.end(),
                   [](const visible_stack& a, const visible_stack& b) { return a.count > b.count; });
  return merged;
}

}  // namespace asio_console::console
