// A site's leak, in one sentence: how many of its tasks wait where, and who spawned them.
#pragma once

#include <string>

#include "model/frame_filter.hpp"
#include "model/site_summary.hpp"
#include "model/state.hpp"

namespace asio_console::console {

/// "3805 idle tasks waiting in app::report_metrics_forever ← app::wait_for_backoff (timer wait),
/// spawned by app::metrics_reporter::metrics_reporter": the site's most common await stack (its
/// innermost two visible frames, what it waits for) and the first frame of its most common spawn
/// stack that is not the site itself (the site is often a generic spawn wrapper). "" when the site
/// has no idle task waiting in a symbolized await stack.
std::string diagnose_site(const site_summary& site, const state& model, const frame_filter& frames);

}  // namespace asio_console::console
