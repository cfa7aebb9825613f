// The screens of the terminal UI. They only draw: the model (with its lints, details, link and
// pause) and the navigation come in; nothing goes out or changes state.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "model/frame_filter.hpp"
#include "model/lints.hpp"
#include "model/resource_list.hpp"
#include "model/site_summary.hpp"
#include "model/state.hpp"
#include "ui/navigation.hpp"

namespace asio_console::console {

struct frame_context {
  const state& model;
  const navigation& nav;
  const frame_filter& frames;
  std::string_view target;
};

/// Rows the title bar and the warnings box take at the top of every screen.
int chrome_height(const frame_context& context);
/// Title bar, warnings box and the footer (key hints, or the filter prompt); `hints` for the footer.
void draw_chrome(const frame_context& context, std::string_view hints);
/// Rows left for the list of a list screen whose list starts at `list_top` (its header row excluded).
int list_rows(int list_top);

void draw_tasks_screen(const frame_context& context, const std::vector<const task*>& rows);
/// The task the navigation focuses on, with the model's details of it once they arrived.
void draw_task_screen(const frame_context& context);
void draw_sites_screen(const frame_context& context, const std::vector<site_summary>& rows);
/// What a site screen shows above its tasks (visible_stacks of the site's stacks of each kind).
struct site_stacks {
  std::vector<visible_stack> waiting;  // await stacks of its idle tasks
  std::vector<visible_stack> spawned;  // sampled spawn stacks
};
/// The site's stacks take the top; returns the row where its task list starts.
int site_screen_list_top(const frame_context& context, const site_stacks& stacks);
void draw_site_screen(const frame_context& context, const site_summary& shown, const site_stacks& stacks,
                      const std::vector<const task*>& rows);
void draw_help_screen(const frame_context& context);
/// Deep mode's resources; the list's header row is one below chrome_height (a count line above).
void draw_resources_screen(const frame_context& context, const std::vector<const resource*>& rows);
/// Where a resource screen's list of waiting tasks starts.
int resource_screen_list_top(const frame_context& context);
/// A resource (nullptr once the process no longer keeps it) and the tasks waiting on it.
void draw_resource_screen(const frame_context& context, const resource* shown, const std::vector<const task*>& rows);

/// A row of tasks as the tasks and site screens list them (shared column layout).
void draw_task_table(const frame_context& context, int top, const std::vector<const task*>& rows, bool show_sort);

/// "▁▂▅█▃" summarizing a histogram in `columns` characters.
std::string sparkline(const histogram_summary& histogram, int columns);

}  // namespace asio_console::console
