// Tests of build.log writing and its tail (ANSI removed, redraws collapsed, last N lines).
#include "server/julia/build_log.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sysimage::julia {
namespace {

using ::testing::ElementsAre;

TEST(LogTail, LastLinesOfInterleavedStreams) {
  LogTail t(3);
  t.add(0, "out 1\nout ");
  t.add(1, "err 1\n");
  t.add(0, "2\n\n   \nout 3\n");
  t.add(1, "err 2\nerr partial");
  EXPECT_THAT(t.lines(), ElementsAre("out 3", "err 2", "err partial"));
}

TEST(LogTail, SpinnerRedrawsKeepTheLastDrawing) {
  LogTail t;
  t.add(1, "\x1b[?25l\x1b[36m⠋\x1b[39m [00m:00s] compiling\x1b[2K\x1b[1G⠙ [00m:01s] compiling");
  t.add(1, "\x1b[2K\x1b[1G✔ [00m:02s] compiling\x1b[?25h\n");
  t.add(0, "progress 10%\rprogress 20%\rprogress 30%\n");
  EXPECT_THAT(t.lines(), ElementsAre("✔ [00m:02s] compiling", "progress 30%"));
}

TEST(LogTail, CutsLongLines) {
  LogTail t;
  t.add(0, std::string(5000, 'a') + "\n");
  ASSERT_EQ(t.lines().size(), 1u);
  EXPECT_EQ(t.lines()[0].size(), 1000u);
}

TEST(BuildLog, WritesOutputAndNotes) {
  std::string pattern = (std::filesystem::temp_directory_path() / "sysimage-log-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const std::filesystem::path dir = pattern;
  {
    BuildLog log;
    log.open(dir / "build.log");
    log.note("$ julia x.jl");
    log.beginStep();
    log.write(0, "hello\n");
    log.write(1, "partial");
    log.note("julia: exit status 1");
    EXPECT_EQ(log.stepOutput(), "hello\npartial");
    EXPECT_EQ(log.writeError(), 0);
    EXPECT_THAT(log.tail(), ElementsAre("# $ julia x.jl", "hello", "# julia: exit status 1", "partial"));
  }
  std::ifstream in(dir / "build.log");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "# $ julia x.jl\nhello\npartial\n# julia: exit status 1\n");
  BuildLog bad;
  EXPECT_THROW(bad.open(dir / "missing" / "build.log"), std::system_error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sysimage::julia
