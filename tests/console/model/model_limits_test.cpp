// The model's limits (model_limits): what a hostile target sends without end is refused with one
// line naming the limit, what was held is forgotten, and a fresh stream is asked for.
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

#include "model/state.hpp"
#include "support/update_builder.hpp"

namespace {
using namespace asio_console::console;
using asio_console::testing::update_builder;
namespace v1 = asio_console::v1;
constexpr std::int64_t second = 1'000'000'000;

TEST(ModelLimits, APublicationOverItsSizeLimitIsRefusedAndForgotten) {
  state_options options;
  options.limits.publication_bytes = 4096;
  state model(options);
  update_builder updates;
  v1::Update first = updates.publication(10 * second, true).site(1, "/src/a.cpp", 1, "f()").build();
  first.set_last_chunk(false);
  ASSERT_TRUE(model.apply(first).ok());
  absl::Status refused;
  for (int chunk = 0; chunk < 10 && refused.ok(); ++chunk) {
    v1::Update more = updates.publication(10 * second).build();
    more.set_last_chunk(false);
    more.add_new_strings()->set_value(std::string(1000, 'x'));
    more.mutable_new_strings(0)->set_id(static_cast<std::uint32_t>(100 + chunk));
    refused = model.apply(more);
  }
  EXPECT_TRUE(absl::IsResourceExhausted(refused)) << refused;
  EXPECT_NE(refused.message().find("the target sent more than 4096 bytes in one publication"), std::string::npos)
      << refused;
  EXPECT_TRUE(model.sites().empty()) << "forgotten";
  EXPECT_FALSE(model.ready());
  const std::vector<request> asked = model.take_requests();
  EXPECT_TRUE(std::any_of(asked.begin(), asked.end(),
                          [](const request& r) { return std::holds_alternative<restart_request>(r); }));
}

TEST(ModelLimits, StringsSitesAndTasksPastTheirLimitsAreRefused) {
  const auto apply_until_refused = [](model_limits limits, auto&& make_delta) {
    state_options options;
    options.limits = limits;
    state model(options);
    update_builder updates;
    EXPECT_TRUE(model.apply(updates.publication(second, true).build()).ok());
    for (int i = 1; i <= 100; ++i) {
      absl::Status applied = model.apply(make_delta(updates.publication((1 + i) * second), i));
      if (!applied.ok()) return std::pair(i, applied);
    }
    return std::pair(0, absl::OkStatus());
  };
  model_limits strings;
  strings.string_bytes = 10'000;
  const auto [string_updates, too_many_strings] = apply_until_refused(strings, [](update_builder& u, int i) {
    v1::Update update = u.build();
    v1::InternedString* s = update.add_new_strings();
    s->set_id(static_cast<std::uint32_t>(i));
    s->set_value(std::string(1000, 'x'));
    return update;
  });
  EXPECT_EQ(string_updates, 11) << "10,000 bytes of strings are held, not one more";
  EXPECT_NE(too_many_strings.message().find("of strings in use"), std::string::npos) << too_many_strings;

  model_limits sites;
  sites.sites = 5;
  const auto [site_updates, too_many_sites] = apply_until_refused(sites, [](update_builder& u, int i) {
    return u.site(static_cast<std::uint32_t>(i), "/src/a.cpp", static_cast<std::uint32_t>(i), "f()").build();
  });
  EXPECT_EQ(site_updates, 6);
  EXPECT_NE(too_many_sites.message().find("more than 5 sites"), std::string::npos) << too_many_sites;

  model_limits tasks;
  tasks.tasks = 5;
  const auto [task_updates, too_many_tasks] = apply_until_refused(tasks, [](update_builder& u, int i) {
    return u.new_task({.id = static_cast<std::uint64_t>(i), .name = "t"}).build();
  });
  EXPECT_EQ(task_updates, 6);
  EXPECT_NE(too_many_tasks.message().find("more than 5 tasks kept at once"), std::string::npos) << too_many_tasks;
}

}  // namespace
