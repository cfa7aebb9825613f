// A process whose tasks come, change, finish and go at random, as a stream of publications: for
// checking that what the console keeps up to date step by step equals what it would compute anew.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "asio_console/v1/instrument.pb.h"
#include "support/update_builder.hpp"

namespace asio_console::testing {

/// `count` publications (the first a snapshot) over three sites, one of which keeps growing for a
/// while with idle tasks (leak-suspect) and then stops. Between publications 0.1 s to 20 s pass;
/// some publications change no task at all (only the time moves), others change many.
inline std::vector<v1::Update> random_publications(std::uint32_t seed, int count) {
  constexpr std::int64_t ms = 1'000'000;
  std::mt19937 random(seed);
  const auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };
  const auto pick = [&](std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(high - low + 1));
  };
  update_builder updates;
  std::map<std::uint64_t, task_spec> live;  // by id
  std::uint64_t next_id = 1;
  std::int64_t now = 1000 * ms;
  std::map<std::uint32_t, std::uint64_t> spawned, finished;
  std::vector<v1::Update> out;
  for (int i = 0; i < count; ++i) {
    now += chance(30) ? pick(100, 900) * ms : pick(1000, 20000) * ms;
    updates.publication(now, i == 0);
    if (i == 0) {
      updates.site(1, "/src/server.cpp", 10, "accept_loop()")
          .site(2, "/src/cache.cpp", 20, "cache::cache()")
          .site(3, "/src/session.cpp", 30, "session::run()");
    }
    const bool quiet = i > 0 && chance(25);  // only the time moves
    if (!quiet) {
      // Site 2 grows in every publication of the first half; the others get a few tasks now and then.
      const std::uint32_t other = chance(50) ? 1 : 3;
      const int grown = i < count / 2 ? static_cast<int>(pick(10, 20)) : 0;
      const int born = grown + static_cast<int>(pick(0, 4));
      for (int n = 0; n < born; ++n) {
        const std::uint32_t site = n < grown ? 2 : other;
        task_spec spec{.id = next_id++, .site_id = site, .created_ns = now - pick(0, 500) * ms,
                       .last_poll_end_ns = now - pick(0, 900) * ms, .polls = static_cast<std::uint64_t>(pick(1, 5))};
        spec.pending_work = chance(20) ? 0 : 1;
        spec.busy_ns = pick(0, 200) * ms;
        spec.longest_poll_ns = pick(0, 150) * ms;
        spec.wakes = static_cast<std::uint64_t>(pick(0, 6));
        spec.self_wakes = static_cast<std::uint64_t>(pick(0, static_cast<std::int64_t>(spec.wakes)));
        updates.new_task(spec);
        live[spec.id] = spec;
        ++spawned[site];
      }
      for (auto it = live.begin(); it != live.end();) {
        task_spec& spec = it->second;
        if (spec.state == v1::TASK_STATE_COMPLETED) {
          if (chance(30)) {  // the process lets it go
            updates.removed(spec.id);
            it = live.erase(it);
            continue;
          }
        } else if (chance(8)) {
          switch (random() % 4) {
            case 0: spec.state = v1::TASK_STATE_RUNNING; break;
            case 1: spec.state = v1::TASK_STATE_SCHEDULED; break;
            case 2:
              spec.state = v1::TASK_STATE_IDLE;
              spec.last_poll_end_ns = now - pick(0, 900) * ms;
              spec.pending_work = chance(20) ? 0 : 1;
              break;
            default:
              spec.state = v1::TASK_STATE_COMPLETED;
              spec.finished_ns = now - pick(0, 500) * ms;
              ++finished[spec.site_id];
          }
          spec.polls += 1;
          spec.busy_ns += pick(0, 50) * ms;
          spec.longest_poll_ns = std::max(spec.longest_poll_ns, pick(0, 150) * ms);
          spec.wakes += 1;
          if (chance(50)) spec.self_wakes += 1;
          updates.changed(spec);
        }
        ++it;
      }
      for (std::uint32_t site = 1; site <= 3; ++site) updates.site_stats(site, spawned[site], finished[site]);
    }
    out.push_back(updates.build());
  }
  return out;
}

}  // namespace asio_console::testing
