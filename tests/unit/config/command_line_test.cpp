// Splitting command strings into argv without a shell.
#include "config/command_line.hpp"

#include <gtest/gtest.h>

namespace flotilla::config {
namespace {

using Words = std::vector<std::string>;

Words split(std::string_view text) {
  auto result = split_command_line(text);
  return result.ok() ? result.value() : Words{"error: " + result.error()};
}

TEST(SplitCommandLine, SplitsOnWhitespace) {
  EXPECT_EQ(split("/usr/bin/python3 -m uvicorn app:app --port $PORT"),
            (Words{"/usr/bin/python3", "-m", "uvicorn", "app:app", "--port", "$PORT"}));
  EXPECT_EQ(split("  a \t b\n"), (Words{"a", "b"}));
}

TEST(SplitCommandLine, HonoursQuotesAndBackslashes) {
  EXPECT_EQ(split("echo 'a b' \"c d\""), (Words{"echo", "a b", "c d"}));
  EXPECT_EQ(split("x'y'\"z\""), (Words{"xyz"}));
  EXPECT_EQ(split("'' \"\""), (Words{"", ""}));
  EXPECT_EQ(split(R"(a\ b)"), (Words{"a b"}));
  EXPECT_EQ(split(R"("say \"hi\" \$x \n")"), (Words{R"(say "hi" $x \n)"}));
  EXPECT_EQ(split(R"('no \escapes')"), (Words{R"(no \escapes)"}));
  EXPECT_EQ(split("'a|b' \"c;d\" e\\|f"), (Words{"a|b", "c;d", "e|f"}));
}

TEST(SplitCommandLine, RejectsUnterminatedQuotesAndShellSyntax) {
  EXPECT_EQ(split("echo 'oops"), (Words{"error: unterminated single quote"}));
  EXPECT_EQ(split("echo \"oops"), (Words{"error: unterminated double quote"}));
  EXPECT_EQ(split("echo \\"), (Words{"error: trailing backslash"}));
  EXPECT_EQ(split("   "), (Words{"error: empty command"}));
  EXPECT_EQ(split(""), (Words{"error: empty command"}));
  EXPECT_EQ(split("server | tee log"),
            (Words{"error: '|' is shell syntax; set 'shell: true' to run the command through "
                   "/bin/sh"}));
  EXPECT_EQ(split("a && b").front(),
            "error: '&' is shell syntax; set 'shell: true' to run the command through /bin/sh");
  EXPECT_EQ(split("a > out").front(),
            "error: '>' is shell syntax; set 'shell: true' to run the command through /bin/sh");
}

}  // namespace
}  // namespace flotilla::config
