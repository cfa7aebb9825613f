// One copy of each distinct name and fields, shared by the tasks that have them.
#include "model/label_table.hpp"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace {
using asio_console::console::label_table;
using asio_console::console::no_task_labels;
using asio_console::console::task_field;
using asio_console::console::task_labels;

std::string resolve(std::uint32_t id) { return id == 0 ? "" : absl::StrCat("s", id); }

TEST(LabelTable, TasksWithTheSameIdsShareOneCopyThatGoesWithTheLastOfThem) {
  label_table table;
  const task_labels* first = table.acquire({1, 2, 3}, resolve);
  const task_labels* second = table.acquire({1, 2, 3}, resolve);
  const task_labels* other = table.acquire({1, 2, 4}, resolve);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other);
  EXPECT_EQ(first->name, "s1");
  EXPECT_EQ(first->fields, (std::vector<task_field>{{"s2", "s3"}}));
  EXPECT_EQ(other->fields, (std::vector<task_field>{{"s2", "s4"}}));
  EXPECT_EQ(table.size(), 2u);

  table.release(first);
  EXPECT_EQ(table.size(), 2u) << "another task still has them";
  EXPECT_EQ(second->name, "s1");
  table.release(second);
  EXPECT_EQ(table.size(), 1u);
  table.release(other);
  EXPECT_EQ(table.size(), 0u);
}

TEST(LabelTable, ATaskWithNeitherNameNorFieldsKeepsNothing) {
  label_table table;
  EXPECT_EQ(table.acquire({0}, resolve), &no_task_labels);
  EXPECT_EQ(table.size(), 0u);
  table.release(&no_task_labels);
  EXPECT_EQ(table.size(), 0u);
  // Fields without a name are labels all the same.
  const task_labels* unnamed = table.acquire({0, 5, 6}, resolve);
  EXPECT_EQ(unnamed->name, "");
  EXPECT_EQ(unnamed->fields, (std::vector<task_field>{{"s5", "s6"}}));
  EXPECT_EQ(table.size(), 1u);
}

}  // namespace
