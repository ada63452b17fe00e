// Tests of TraceFollower (partial lines, truncation, rotation, deletion, huge lines, garbage) and of
// the Ingestor that feeds its lines into a StatementStore.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "server/core/ingest.h"
#include "server/core/trace_follower.h"
#include "tests/support/shared_fixtures.h"

namespace sysimage::core {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

class TraceFollowerTests : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "trace-follower-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    trace_ = root_ / "trace.jl";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  // Appends like Julia does: O_APPEND on the same inode.
  void append(const std::string& bytes) const { append(trace_, bytes); }
  static void append(const fs::path& path, const std::string& bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }
  // Truncates in place, as a new Julia process opening the trace file does.
  void rewrite(const std::string& bytes) const {
    const int fd = ::open(trace_.c_str(), O_WRONLY | O_TRUNC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }

  fs::path root_;
  fs::path trace_;
};

TEST_F(TraceFollowerTests, MissingFileIsReportedUntilItAppears) {
  TraceFollower follower(trace_);
  auto result = follower.poll();
  EXPECT_TRUE(result.missing);
  EXPECT_TRUE(result.lines.empty());
  EXPECT_TRUE(result.error.empty());
  append("a\n");
  result = follower.poll();
  EXPECT_FALSE(result.missing);
  EXPECT_FALSE(result.replaced);
  EXPECT_EQ(result.lines, Lines{"a"});
}

TEST_F(TraceFollowerTests, PartialLineWaitsForItsEnd) {
  TraceFollower follower(trace_);
  append("one\ntw");
  EXPECT_EQ(follower.poll().lines, Lines{"one"});
  EXPECT_EQ(follower.partialBytes(), 2u);
  EXPECT_TRUE(follower.poll().lines.empty());
  append("o\nthr");
  EXPECT_EQ(follower.poll().lines, Lines{"two"});
  append("ee\n\nfour\n");
  EXPECT_EQ(follower.poll().lines, (Lines{"three", "", "four"}));
  EXPECT_EQ(follower.offset(), fs::file_size(trace_));
}

TEST_F(TraceFollowerTests, FinishFlushesTheLineOfADeadWriter) {
  TraceFollower follower(trace_);
  append("precompile(Tuple{Int})\nprecompile(Tuple{typeof(Base.f");
  auto result = follower.finish();
  EXPECT_EQ(result.lines, (Lines{"precompile(Tuple{Int})", "precompile(Tuple{typeof(Base.f"}));
  EXPECT_EQ(parseTraceLine(result.lines[1]).kind, ParsedLine::Kind::Invalid);
  EXPECT_TRUE(follower.finish().lines.empty());
}

TEST_F(TraceFollowerTests, TruncationRestartsFromTheBeginning) {
  TraceFollower follower(trace_);
  append("first session line 1\nfirst session line 2\n");
  EXPECT_EQ(follower.poll().lines.size(), 2u);
  rewrite("new\n");
  auto result = follower.poll();
  EXPECT_TRUE(result.truncated);
  EXPECT_EQ(result.lines, Lines{"new"});
}

TEST_F(TraceFollowerTests, RewriteThatOutgrewTheOffsetIsNoticed) {
  // A new Julia truncated the file and wrote more than the old session before the next poll.
  TraceFollower follower(trace_);
  append("old 1\nold 2\n");
  EXPECT_EQ(follower.poll().lines.size(), 2u);
  rewrite("NEW 1\nNEW 2\nNEW 3\n");
  auto result = follower.poll();
  EXPECT_TRUE(result.truncated);
  EXPECT_EQ(result.lines, (Lines{"NEW 1", "NEW 2", "NEW 3"}));
}

TEST_F(TraceFollowerTests, RewriteWithTheSameStartIsNoticedByTheBytesBeforeTheOffset) {
  // The REPL of the Julia extension writes the same start-up statements at every start: a second
  // start whose first kilobytes match the first's, grown past the old offset before the next poll.
  std::string startup;
  for (int i = 0; startup.size() < 600; ++i) startup += "precompile(Tuple{typeof(VSCodeServer.f" + std::to_string(i) + ")})\n";
  TraceFollower follower(trace_);
  append(startup + "session one\n");
  EXPECT_EQ(follower.poll().lines.back(), "session one");
  rewrite(startup + "session two, longer than the first\nmore\n");
  auto result = follower.poll();
  EXPECT_TRUE(result.truncated);
  ASSERT_GE(result.lines.size(), 2u);
  EXPECT_EQ(result.lines[result.lines.size() - 2], "session two, longer than the first");
  EXPECT_EQ(result.lines.back(), "more");
  // Appends after that are not mistaken for another rewrite.
  append("later\n");
  result = follower.poll();
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(result.lines, Lines{"later"});
}

TEST_F(TraceFollowerTests, ReplacedFileIsReadFromZeroAfterTheOldOnesRest) {
  TraceFollower follower(trace_);
  append("a\n");
  EXPECT_EQ(follower.poll().lines, Lines{"a"});
  append("b\nunfinished");
  const fs::path rotated = root_ / "trace.jl.1";
  fs::rename(trace_, rotated);
  append("c\n");  // a new file at the path
  auto result = follower.poll();
  EXPECT_TRUE(result.replaced);
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(result.lines, (Lines{"b", "unfinished", "c"}));
  append("d\n");
  EXPECT_EQ(follower.poll().lines, Lines{"d"});
}

TEST_F(TraceFollowerTests, DeletionReadsTheRestThenReportsMissing) {
  TraceFollower follower(trace_);
  append("a\n");
  EXPECT_EQ(follower.poll().lines, Lines{"a"});
  append("b\n");
  fs::remove(trace_);
  auto result = follower.poll();
  EXPECT_TRUE(result.missing);
  EXPECT_EQ(result.lines, Lines{"b"});
  result = follower.poll();
  EXPECT_TRUE(result.missing);
  EXPECT_TRUE(result.lines.empty());
  append("x\n");
  result = follower.poll();
  EXPECT_TRUE(result.replaced);
  EXPECT_EQ(result.lines, Lines{"x"});
}

TEST_F(TraceFollowerTests, HugeLinesAreSkippedWithBoundedMemory) {
  TraceFollower follower(trace_);
  const std::string huge(kMaxTraceLineBytes + 10, 'A');
  append("before\n" + huge.substr(0, 700000));
  EXPECT_EQ(follower.poll().lines, Lines{"before"});
  append(huge.substr(700000));
  auto result = follower.poll();
  EXPECT_TRUE(result.lines.empty());
  EXPECT_EQ(follower.partialBytes(), 0u);  // not buffered while skipping
  append(std::string(3 << 20, 'B') + "\nafter\n");
  result = follower.poll();
  EXPECT_EQ(result.skippedLongLines, 1u);
  EXPECT_EQ(result.lines, Lines{"after"});
  // Exactly the limit is still a line.
  append(std::string(kMaxTraceLineBytes, 'C') + "\n");
  result = follower.poll();
  ASSERT_EQ(result.lines.size(), 1u);
  EXPECT_EQ(result.lines[0].size(), kMaxTraceLineBytes);
  // A huge unfinished line at the end counts when the writer is gone.
  append(std::string(kMaxTraceLineBytes + 1, 'D'));
  result = follower.finish();
  EXPECT_EQ(result.skippedLongLines, 1u);
  EXPECT_TRUE(result.lines.empty());
}

TEST_F(TraceFollowerTests, BinaryGarbagePassesThroughToTheParser) {
  TraceFollower follower(trace_);
  append(std::string("\x00\x01\x02\xff\xfe", 5) + "\nprecompile(Tuple{Int})\n");
  auto result = follower.poll();
  ASSERT_EQ(result.lines.size(), 2u);
  EXPECT_EQ(result.lines[0].size(), 5u);
  EXPECT_EQ(parseTraceLine(result.lines[0]).kind, ParsedLine::Kind::Invalid);
  EXPECT_EQ(parseTraceLine(result.lines[1]).kind, ParsedLine::Kind::Statement);
}

TEST_F(TraceFollowerTests, LargeBacklogComesInBoundedPolls) {
  TraceFollower follower(trace_, TraceFollower::Options{.maxBytesPerPoll = 1000});
  std::string text;
  for (int i = 0; i < 500; ++i) text += "line " + std::to_string(i) + "\n";
  append(text);
  std::size_t lines = 0;
  int polls = 0;
  for (auto result = follower.poll();; result = follower.poll()) {
    ++polls;
    lines += result.lines.size();
    if (!result.more) break;
  }
  EXPECT_EQ(lines, 500u);
  EXPECT_GT(polls, 3);
}

TEST_F(TraceFollowerTests, IngestorCountsAddedDuplicateSkippedInvalid) {
  StatementStore store(root_ / "store");
  TraceFollower follower(trace_);
  Ingestor ingestor(follower, store);
  append("# header\n\nprecompile(Tuple{Int})\n#= 1.5 ms =# precompile(Tuple{Int}) # recompile\n");
  IngestCounts counts = ingestor.poll();
  EXPECT_EQ(counts.lines, 4u);
  EXPECT_EQ(counts.added, 1u);
  EXPECT_EQ(counts.duplicates, 1u);
  EXPECT_EQ(counts.skipped, 2u);
  EXPECT_EQ(counts.invalid, 0u);
  EXPECT_DOUBLE_EQ(*store.compileMs("precompile(Tuple{Int})"), 1.5);
  append("end\nprecompile(Tuple{Float64)\n" + std::string(kMaxTraceLineBytes + 1, 'x') + "\nprecompile(Tuple{Bo");
  counts = ingestor.poll();
  EXPECT_EQ(counts.lines, 3u);
  EXPECT_EQ(counts.skipped, 1u);
  EXPECT_EQ(counts.invalid, 2u);
  counts = ingestor.finish();
  EXPECT_EQ(counts.lines, 1u);
  EXPECT_EQ(counts.invalid, 1u);
  EXPECT_EQ(ingestor.totals().lines, 8u);
  EXPECT_EQ(ingestor.totals().added, 1u);
  EXPECT_EQ(ingestor.totals().invalid, 3u);
  EXPECT_EQ(store.counts().total, 1u);
}

TEST_F(TraceFollowerTests, IngestsTheFixtureFileLikeALiveTrace) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  // The Jive file written in two halves, cut in the middle of a line.
  std::ifstream in(std::string(SYSIMAGE_FIXTURES_DIR) + "/traces/trace_jive_src_precompile.timing.jl",
                   std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(text.size(), 2512u);
  StatementStore store(root_ / "store");
  TraceFollower follower(trace_);
  Ingestor ingestor(follower, store);
  append(text.substr(0, 1000));
  ingestor.poll();
  append(text.substr(1000));
  ingestor.poll();
  EXPECT_EQ(ingestor.totals().lines, 44u);
  EXPECT_EQ(ingestor.totals().added, 18u);
  EXPECT_EQ(ingestor.totals().skipped, 26u);
  EXPECT_EQ(ingestor.totals().invalid, 0u);
  EXPECT_DOUBLE_EQ(*store.compileMs("precompile(Tuple{typeof(Jive.runtests), String})"), 2103.199951171875);
}

}  // namespace
}  // namespace sysimage::core
