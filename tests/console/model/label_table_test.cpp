// One copy of each distinct name and fields, shared by the tasks that have them.
#include "model/label_table.hpp"

#include <gtest/gtest.h>

namespace {
using asio_console::console::label_table;
using asio_console::console::no_task_labels;
using asio_console::console::task_field;
using asio_console::console::task_labels;

TEST(LabelTable, TasksWithTheSameTextShareOneCopyThatGoesWithTheLastOfThem) {
  label_table table;
  const task_labels* first = table.acquire("session", {{"peer", "a"}});
  const task_labels* second = table.acquire("session", {{"peer", "a"}});
  const task_labels* other = table.acquire("session", {{"peer", "b"}});
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other);
  EXPECT_EQ(first->name, "session");
  EXPECT_EQ(first->fields, (std::vector<task_field>{{"peer", "a"}}));
  EXPECT_EQ(other->fields, (std::vector<task_field>{{"peer", "b"}}));
  EXPECT_NE(table.acquire("session", {{"peer", "a"}, {"peer", "a"}}), first) << "fields in full, not as a set";
  EXPECT_NE(table.acquire("sessio", {{"npeer", "a"}}), first);
  EXPECT_EQ(table.size(), 4u);

  table.release(first);
  EXPECT_EQ(table.size(), 4u) << "another task still has them";
  EXPECT_EQ(second->name, "session");
  table.release(second);
  EXPECT_EQ(table.size(), 3u);
  table.release(other);
  EXPECT_EQ(table.size(), 2u);
}

TEST(LabelTable, ATaskWithNeitherNameNorFieldsKeepsNothing) {
  label_table table;
  EXPECT_EQ(table.acquire("", {}), &no_task_labels);
  EXPECT_EQ(table.size(), 0u);
  table.release(&no_task_labels);
  EXPECT_EQ(table.size(), 0u);
  // Fields without a name are labels all the same.
  const task_labels* unnamed = table.acquire("", {{"k", "v"}});
  EXPECT_EQ(unnamed->name, "");
  EXPECT_EQ(unnamed->fields, (std::vector<task_field>{{"k", "v"}}));
  EXPECT_EQ(table.size(), 1u);
}

}  // namespace
