// Keys and what they do, without a terminal.
#include "ui/navigation.hpp"

#include <gtest/gtest.h>
#include <ncurses.h>

#include "input/actions.hpp"

namespace {
using namespace asio_console::console;

key_press press(std::uint32_t key, bool typing = false) { return map_key(key, false, typing); }

TEST(Keys, MapLikeTokioConsole) {
  EXPECT_EQ(press('j').what, action::down);
  EXPECT_EQ(press('k').what, action::up);
  EXPECT_EQ(map_key(KEY_DOWN, true, false).what, action::down);
  EXPECT_EQ(press('h').what, action::sort_previous);
  EXPECT_EQ(map_key(KEY_RIGHT, true, false).what, action::sort_next);
  EXPECT_EQ(press('i').what, action::invert_sort);
  EXPECT_EQ(press('g').what, action::top);
  EXPECT_EQ(press('G').what, action::bottom);
  EXPECT_EQ(press('\n').what, action::select);
  EXPECT_EQ(press(27).what, action::back);
  EXPECT_EQ(press('t').what, action::show_tasks);
  EXPECT_EQ(press('s').what, action::show_sites);
  EXPECT_EQ(press('/').what, action::start_filter);
  EXPECT_EQ(press(' ').what, action::toggle_pause);
  EXPECT_EQ(press('?').what, action::toggle_help);
  EXPECT_EQ(press('q').what, action::quit);
  EXPECT_EQ(press(3).what, action::quit) << "Ctrl-C";
  EXPECT_EQ(press('q', /*typing=*/true).what, action::text) << "a filter may contain q";
  EXPECT_EQ(press(3, true).what, action::quit);
}

TEST(Navigation, SelectionMovesAndFollowsItsItemWhenRowsChange) {
  navigation nav;
  nav.set_rows({10, 20, 30, 40}, 2);
  nav.handle({action::down});
  nav.handle({action::down});
  EXPECT_EQ(nav.cursor().selected, 2u);
  EXPECT_EQ(nav.cursor().first_visible, 1u) << "scrolled to keep it on screen";
  nav.set_rows({5, 30, 40}, 2);  // 30 moved up
  EXPECT_EQ(nav.cursor().selected, 1u);
  EXPECT_EQ(nav.cursor().selected_id, 30u);
  nav.handle({action::bottom});
  EXPECT_EQ(nav.cursor().selected_id, 40u);
  nav.handle({action::top});
  EXPECT_EQ(nav.cursor().selected_id, 5u);
  nav.handle({action::up});
  EXPECT_EQ(nav.cursor().selected, 0u) << "stops at the top";
}

TEST(Navigation, EnterOpensDetailsAndEscapeComesBack) {
  navigation nav;
  nav.set_rows({7, 8}, 10);
  nav.handle({action::down});
  nav.handle({action::select});
  EXPECT_EQ(nav.screen(), screen_kind::task);
  EXPECT_EQ(nav.focus(), 8u);
  nav.handle({action::back});
  EXPECT_EQ(nav.screen(), screen_kind::tasks);
  nav.set_rows({7, 8}, 10);
  EXPECT_EQ(nav.cursor().selected_id, 8u) << "the list keeps its selection";

  nav.handle({action::show_sites});
  nav.set_rows({3}, 10);
  nav.handle({action::select});
  EXPECT_EQ(nav.screen(), screen_kind::site);
  EXPECT_EQ(nav.focus(), 3u);
  nav.set_rows({100, 101}, 10);
  nav.handle({action::select});
  EXPECT_EQ(nav.screen(), screen_kind::task) << "a site's task opens its details";
  EXPECT_EQ(nav.focus(), 100u);
  nav.handle({action::back});
  EXPECT_EQ(nav.screen(), screen_kind::site);
  nav.handle({action::show_tasks});
  EXPECT_EQ(nav.screen(), screen_kind::tasks);
}

TEST(Navigation, RListsResourcesWhoseEnterListsTheirTasksWhoseEnterOpensOne) {
  EXPECT_EQ(map_key('r', false, false).what, action::show_resources);
  navigation nav;
  nav.handle({action::show_resources});
  EXPECT_EQ(nav.screen(), screen_kind::resources);
  nav.set_rows({4, 9}, 10);
  nav.handle({action::down});
  nav.handle({action::select});
  EXPECT_EQ(nav.screen(), screen_kind::resource);
  EXPECT_EQ(nav.focus(), 9u);
  nav.set_rows({21}, 10);
  nav.handle({action::select});
  EXPECT_EQ(nav.screen(), screen_kind::task) << "a waiting task opens its details";
  EXPECT_EQ(nav.focus(), 21u);
  nav.handle({action::back});
  nav.handle({action::back});
  EXPECT_EQ(nav.screen(), screen_kind::resources);
  nav.set_rows({4, 9}, 10);
  EXPECT_EQ(nav.cursor().selected_id, 9u);
}

TEST(Navigation, SortColumnCyclesAndInverts) {
  navigation nav;
  EXPECT_EQ(nav.order().column, task_column::total);
  nav.handle({action::sort_next});
  EXPECT_EQ(nav.order().column, task_column::busy);
  nav.handle({action::sort_previous});
  nav.handle({action::sort_previous});
  EXPECT_EQ(nav.order().column, task_column::name);
  for (int i = 0; i < 5; ++i) nav.handle({action::sort_previous});
  EXPECT_EQ(nav.order().column, task_column::fields) << "wraps around";
  EXPECT_TRUE(nav.order().descending);
  nav.handle({action::invert_sort});
  EXPECT_FALSE(nav.order().descending);
}

TEST(Navigation, FilterIsTypedKeptOrCleared) {
  navigation nav;
  nav.handle({action::start_filter});
  EXPECT_TRUE(nav.typing_filter());
  for (char c : std::string("réq")) nav.handle({action::text, static_cast<unsigned char>(c)});
  nav.handle({action::text, U'é'});
  nav.handle({action::erase_text});
  EXPECT_EQ(nav.filter(), "r\xc3\x83\xc2\xa9q") << "bytes typed one by one stay as typed";
  nav.handle({action::erase_text});
  nav.handle({action::text, U'é'});
  EXPECT_EQ(nav.filter(), "r\xc3\x83\xc2\xa9é");
  nav.handle({action::select});
  EXPECT_FALSE(nav.typing_filter());
  EXPECT_EQ(nav.filter(), "r\xc3\x83\xc2\xa9é") << "enter keeps it";
  nav.handle({action::back});
  EXPECT_TRUE(nav.filter().empty()) << "esc on the list clears it";
}

TEST(Navigation, PauseHelpAndQuitAreEffectsOrOverlays) {
  navigation nav;
  EXPECT_EQ(nav.handle({action::toggle_pause}), ui_effect::toggle_pause) << "the model pauses, not the navigation";
  nav.handle({action::toggle_help});
  EXPECT_TRUE(nav.help_shown());
  nav.handle({action::none});
  EXPECT_FALSE(nav.help_shown()) << "any key closes the help";
  EXPECT_EQ(nav.handle({action::quit}), ui_effect::quit);
}

}  // namespace
