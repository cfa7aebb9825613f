#include "model/task_details.hpp"

#include "asio_console/v1/application_text.hpp"

namespace asio_console::console {
namespace {

histogram_summary from_wire(const v1::Histogram& wire) {
  histogram_summary h{wire.count(), wire.min_ns(), wire.max_ns(), wire.p50_ns(), wire.p90_ns(), wire.p99_ns(), {}};
  h.buckets.reserve(wire.buckets_size());
  for (const v1::HistogramBucket& b : wire.buckets()) h.buckets.push_back({b.lower_ns(), b.upper_ns(), b.count()});
  return h;
}

}  // namespace

task_details from_wire(const v1::TaskDetails& wire) {
  return {wire.task_id(), wire.now_ns(), from_wire(wire.poll_times()), from_wire(wire.scheduled_times()),
          v1::printable_text(wire.note())};
}

}  // namespace asio_console::console
