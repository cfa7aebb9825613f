#include "asio_console/v1/application_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using asio_console::v1::is_printable_text;
using asio_console::v1::printable_text;

TEST(ApplicationText, AsciiAndValidUtf8AreShownAsTheyAre) {
  for (const std::string text : {"", "request", "/search?q=a b\\d", "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac",
                                 "\xf0\x9f\x94\xa5 hot"}) {
    EXPECT_EQ(printable_text(text), text);
    EXPECT_TRUE(is_printable_text(text)) << text;
  }
}

TEST(ApplicationText, EveryByteOfAnInvalidSequenceIsEscaped) {
  EXPECT_EQ(printable_text("q=\xff\xfe"), R"(q=\xff\xfe)");
  EXPECT_EQ(printable_text("cut \xe6\x97"), R"(cut \xe6\x97)") << "a sequence cut at the end";
  EXPECT_EQ(printable_text("\xe6\x97x"), R"(\xe6\x97x)") << "a sequence cut by another character";
  EXPECT_EQ(printable_text("\xc0\x80"), R"(\xc0\x80)") << "an overlong NUL";
  EXPECT_EQ(printable_text("\xed\xa0\x80"), R"(\xed\xa0\x80)") << "a UTF-16 surrogate";
  EXPECT_EQ(printable_text("\xf4\x90\x80\x80"), R"(\xf4\x90\x80\x80)") << "past U+10FFFF";
  EXPECT_EQ(printable_text("\x80z\xc3\xa9"), R"(\x80z)" "\xc3\xa9") << "decoding resumes after a bad byte";
  EXPECT_FALSE(is_printable_text("\xff"));
}

TEST(ApplicationText, ControlCharactersAreEscapedSoNoTerminalActsOnThem) {
  EXPECT_EQ(printable_text("a\nb\rc\td"), R"(a\nb\rc\td)");
  EXPECT_EQ(printable_text("\x1b]0;title\x07"), R"(\x1b]0;title\x07)");
  EXPECT_EQ(printable_text("\x1b[2J"), R"(\x1b[2J)");
  EXPECT_EQ(printable_text(std::string("nul\0end", 7)), R"(nul\x00end)");
  EXPECT_EQ(printable_text("del\x7f"), R"(del\x7f)");
  EXPECT_EQ(printable_text("c1\xc2\x85\xc2\x9b"), R"(c1\u0085\u009b)") << "C1 controls (NEL, CSI)";
  EXPECT_FALSE(is_printable_text("\x1b"));
}

TEST(ApplicationText, CharactersThatReorderTheLineAreEscaped) {
  EXPECT_EQ(printable_text("admin\xe2\x80\xae" "txt.exe"), R"(admin\u202etxt.exe)");
  EXPECT_EQ(printable_text("\xe2\x81\xa6x\xe2\x81\xa9"), R"(\u2066x\u2069)");
  EXPECT_EQ(printable_text("\xe2\x80\x94"), "\xe2\x80\x94") << "an em dash is no control";
}

TEST(ApplicationText, WhatItShowsIsAlwaysPrintable) {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte += static_cast<char>(b);
  const std::string shown = printable_text(every_byte);
  EXPECT_TRUE(is_printable_text(shown));
  EXPECT_EQ(printable_text(shown), shown) << "escaping twice changes nothing";
}

}  // namespace
