#include "dump/dump_command.hpp"

#include "dump/json_report.hpp"
#include "dump/stacks_report.hpp"
#include "dump/text_report.hpp"

namespace asio_console::console {

int run_dump(const target& where, const dump_options& options, std::ostream& out, std::ostream& errors) {
  absl::StatusOr<state> fetched = fetch_state(where, options.fetch);
  if (!fetched.ok()) {
    errors << "asio-console: " << fetched.status().message() << '\n';
    return 1;
  }
  state& model = *fetched;
  const lint_results lints = evaluate_lints(model, options.thresholds);
  if (options.json) {
    write_json_report(out, model, lints);
  } else if (options.stacks) {
    write_stacks_report(out, where.text, model, options.frames);
  } else {
    write_text_report(out, where.text, model, lints, options.frames);
  }
  out.flush();
  if (!out) {
    errors << "asio-console: could not write the output\n";
    return 1;
  }
  return 0;
}

}  // namespace asio_console::console
