#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace tikv_exporter {
namespace {

// "R" spelled out, so the expected outputs below read as counts of replacements.
std::string R(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += kReplacementCharacter;
  return out;
}

struct Case {
  const char* name;
  std::string input;
  std::string repaired;  // what SanitizeUtf8 makes of it (as Python's errors="replace"); "" = valid
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

// Valid cases have an empty `repaired`: they must be accepted and left alone (not even copied).
class Utf8Table : public ::testing::TestWithParam<Case> {};

TEST_P(Utf8Table, ValidatesAndReplacesEachMaximalSubpart) {
  const Case& c = GetParam();
  const bool valid = c.repaired.empty();
  const std::string expected = valid ? c.input : c.repaired;
  EXPECT_EQ(IsValidUtf8(c.input), valid);
  std::string text = c.input;
  EXPECT_EQ(SanitizeUtf8(&text), !valid);
  EXPECT_EQ(text, expected);
  EXPECT_TRUE(IsValidUtf8(text));
  EXPECT_EQ(ToValidUtf8(c.input), expected);
  std::string storage;
  const std::string_view view = ValidUtf8View(c.input, &storage);
  EXPECT_EQ(view, expected);
  if (valid) {
    EXPECT_EQ(view.data(), c.input.data()) << "a valid text must not be copied";
  }
  std::string appended = "x";
  AppendValidUtf8(c.input, &appended);
  EXPECT_EQ(appended, "x" + expected);
}

INSTANTIATE_TEST_SUITE_P(
    Valid, Utf8Table,
    ::testing::Values(Case{"empty", "", ""}, Case{"ascii", "v8.5.0-sim", ""},
                      Case{"ascii_controls", std::string("a\0\x01\x7f", 4), ""},
                      Case{"two_byte_min", "\xC2\x80", ""}, Case{"two_byte_max", "\xDF\xBF", ""},
                      Case{"three_byte_min", "\xE0\xA0\x80", ""}, Case{"euro", "\xE2\x82\xAC", ""},
                      Case{"before_surrogates", "\xED\x9F\xBF", ""}, Case{"after_surrogates", "\xEE\x80\x80", ""},
                      Case{"replacement_char", "\xEF\xBF\xBD", ""}, Case{"bmp_max", "\xEF\xBF\xBF", ""},
                      Case{"four_byte_min", "\xF0\x90\x80\x80", ""}, Case{"emoji", "\xF0\x9F\x98\x80", ""},
                      Case{"max_code_point", "\xF4\x8F\xBF\xBF", ""},
                      Case{"long_mixed", "tikv-\xE6\x97\xA5\xE6\x9C\xAC-\xF0\x9F\x98\x80-0123456789abcdef", ""}));

INSTANTIATE_TEST_SUITE_P(
    Invalid, Utf8Table,
    ::testing::Values(
        Case{"ff", "\xFF", R(1)}, Case{"fe_ff", "\xFE\xFF", R(2)},
        Case{"lone_continuation", "a\x80z", "a" + R(1) + "z"}, Case{"continuation_bf", "\xBF", R(1)},
        Case{"overlong_nul", "\xC0\x80", R(2)}, Case{"overlong_c1", "\xC1\xBF", R(2)},
        Case{"overlong_three", "\xE0\x80\x80", R(3)}, Case{"overlong_three_max", "\xE0\x9F\xBF", R(3)},
        Case{"overlong_four", "\xF0\x8F\xBF\xBF", R(4)},
        Case{"surrogate_low_end", "\xED\xA0\x80", R(3)}, Case{"surrogate_high_end", "\xED\xBF\xBF", R(3)},
        Case{"above_max", "\xF4\x90\x80\x80", R(4)}, Case{"f5_lead", "\xF5\x80\x80\x80", R(4)},
        Case{"five_byte_form", "\xF8\x88\x80\x80\x80", R(5)},
        Case{"truncated_two", "\xC3", R(1)}, Case{"truncated_two_then_ascii", "\xC3(", R(1) + "("},
        Case{"truncated_three", "a\xE2\x82z", "a" + R(1) + "z"}, Case{"truncated_four", "\xF0\x9F\x98", R(1)},
        Case{"truncated_at_end", "\xE2\x82\xAC\xE2", "\xE2\x82\xAC" + R(1)},
        Case{"after_long_ascii", "0123456789abcdef\xFF" "0123456789abcdef", "0123456789abcdef" + R(1) + "0123456789abcdef"},
        Case{"between_valid", "\xE6\x97\xA5\xFF\xE6\x9C\xAC", "\xE6\x97\xA5" + R(1) + "\xE6\x9C\xAC"},
        Case{"version_label", "\xFF\xC0\x80\xED\xA0\x80v8.5.0", R(6) + "v8.5.0"}));

TEST(NextUtf8Sequence, ReportsLengthsOfCharactersAndSubparts) {
  EXPECT_EQ(NextUtf8Sequence("a").length, 1u);
  EXPECT_TRUE(NextUtf8Sequence("\xF0\x9F\x98\x80!").valid);
  EXPECT_EQ(NextUtf8Sequence("\xF0\x9F\x98\x80!").length, 4u);
  // The subpart stops before the byte that breaks it: that byte starts the next sequence.
  EXPECT_FALSE(NextUtf8Sequence("\xF0\x9F(").valid);
  EXPECT_EQ(NextUtf8Sequence("\xF0\x9F(").length, 2u);
  EXPECT_EQ(NextUtf8Sequence("\xED\xA0\x80").length, 1u);
}

}  // namespace
}  // namespace tikv_exporter
