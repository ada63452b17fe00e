// Tests of StatementStore: dedupe, persistence, recovery of torn and corrupt logs, degraded mode,
// compaction, export, build marks and several stores sharing one directory.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/core/statement_store.h"

namespace sysimage::core {
namespace {

namespace fs = std::filesystem;

class StatementStoreTests : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "statement-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ / "1.11.2" / "abc";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  static std::string statement(int i) {
    return "precompile(Tuple{typeof(Pkg" + std::to_string(i % 7) + ".f" + std::to_string(i) +
           "), Array{Float64, 2}, Base.Dict{Symbol, Any}, Int64})";
  }

  std::string readFile(const fs::path& path) const {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void appendFile(const fs::path& path, const std::string& bytes) const {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << bytes;
  }
  std::vector<std::string> recordLines(const fs::path& log) const {
    std::vector<std::string> lines;
    std::istringstream in(readFile(log));
    for (std::string line; std::getline(in, line);)
      if (!line.starts_with('#')) lines.push_back(line);
    return lines;
  }
  static std::vector<std::string> all(const StatementStore& store) {
    std::vector<std::string> out;
    store.forEach([&](std::string_view s, StatementFlags, std::optional<double>) { out.emplace_back(s); });
    return out;
  }

  fs::path root_;
  fs::path dir_;
};

TEST_F(StatementStoreTests, DedupesAndKeepsLargestCompileTime) {
  StatementStore store(dir_);
  EXPECT_EQ(store.add(statement(1)), StatementStore::AddResult::Added);
  EXPECT_EQ(store.add(statement(1)), StatementStore::AddResult::Duplicate);
  EXPECT_EQ(store.add(statement(1), 12.5), StatementStore::AddResult::Updated);
  EXPECT_EQ(store.add(statement(1), 3.0), StatementStore::AddResult::Duplicate);
  EXPECT_EQ(store.add(statement(1), 40.0), StatementStore::AddResult::Updated);
  EXPECT_EQ(store.add(statement(2), 1.0), StatementStore::AddResult::Added);
  EXPECT_EQ(store.add("precompile(Tuple{Int}"), StatementStore::AddResult::Rejected);
  EXPECT_EQ(store.add("println(1)"), StatementStore::AddResult::Rejected);
  EXPECT_EQ(store.add(""), StatementStore::AddResult::Rejected);
  EXPECT_DOUBLE_EQ(*store.compileMs(statement(1)), 40.0);
  EXPECT_EQ(store.counts().total, 2u);
  EXPECT_EQ(store.counts().unflushed, 2u);
  EXPECT_EQ(all(store), (std::vector<std::string>{statement(1), statement(2)}));
  EXPECT_EQ(store.uniqueStatementBytes(), statement(1).size() + statement(2).size());
}

TEST_F(StatementStoreTests, PersistsAndReloadsWithFlags) {
  const std::string main = "precompile(Tuple{typeof(Main.main)})";
  const std::string closure = "precompile(Tuple{ArgParse.var\"#24#26\", Any})";
  const std::string tricky = "precompile(Tuple{Val{Symbol(\"a\\\\b\\tc\")},\tInt})";  // backslash, tabs
  {
    StatementStore store(dir_);
    EXPECT_TRUE(fs::is_directory(dir_));
    store.add(statement(1), 2.5);
    store.add(main);
    store.add(closure);
    store.add(tricky);
    ASSERT_TRUE(store.flush()) << store.degradedReason();
    EXPECT_EQ(store.counts().unflushed, 0u);
  }
  StatementStore store(dir_);
  EXPECT_EQ(store.loadReport().records, 4u);
  EXPECT_EQ(store.loadReport().tornTailBytes, 0u);
  EXPECT_EQ(all(store), (std::vector<std::string>{statement(1), main, closure, tricky}));
  EXPECT_DOUBLE_EQ(*store.compileMs(statement(1)), 2.5);
  EXPECT_FALSE(store.compileMs(main).has_value());
  EXPECT_TRUE(store.flags(main)->excluded);
  EXPECT_EQ(store.flags(main)->reason, "refers to Main");
  EXPECT_TRUE(store.flags(closure)->nonPortable);
  const StatementCounts counts = store.counts();
  EXPECT_EQ(counts.total, 4u);
  EXPECT_EQ(counts.excluded, 1u);
  EXPECT_EQ(counts.nonPortable, 1u);
  EXPECT_EQ(counts.newSinceLastBuild, 4u);
  const std::string log = readFile(dir_ / "statements.log");
  EXPECT_TRUE(log.starts_with("# sysimage-server statement log v1 ")) << log;
  EXPECT_NE(log.find("x\t-\tprecompile(Tuple{typeof(Main.main)})\n"), std::string::npos);
  EXPECT_NE(log.find("-\t2.5\t" + statement(1) + "\n"), std::string::npos);
  EXPECT_NE(log.find("Symbol(\"a\\\\\\\\b\\\\tc\")},\\tInt"), std::string::npos) << log;
}

TEST_F(StatementStoreTests, FlushWithNothingNewWritesNothing) {
  StatementStore store(dir_);
  store.add(statement(1));
  ASSERT_TRUE(store.flush());
  const auto size = fs::file_size(dir_ / "statements.log");
  store.add(statement(1));
  store.add(statement(1), std::nullopt);
  ASSERT_TRUE(store.flush());
  EXPECT_EQ(fs::file_size(dir_ / "statements.log"), size);
}

TEST_F(StatementStoreTests, RecoversTornLastLine) {
  {
    StatementStore store(dir_);
    for (int i = 0; i < 10; ++i) store.add(statement(i));
    ASSERT_TRUE(store.flush());
  }
  const auto goodSize = fs::file_size(dir_ / "statements.log");
  const std::string torn = "-\t-\tprecompile(Tuple{typeof(Base.cut";  // no newline
  appendFile(dir_ / "statements.log", torn);
  {
    StatementStore store(dir_);
    EXPECT_EQ(store.counts().total, 10u);
    EXPECT_EQ(store.loadReport().tornTailBytes, torn.size());
    EXPECT_EQ(store.loadReport().corruptLines, 0u);
    EXPECT_TRUE(store.loadReport().setAsidePath.empty());
    EXPECT_FALSE(store.degraded());
    EXPECT_EQ(fs::file_size(dir_ / "statements.log"), goodSize);  // cut off
    EXPECT_FALSE(store.takeWarnings().empty());
    store.add(statement(10));
    ASSERT_TRUE(store.flush());
  }
  StatementStore store(dir_);
  EXPECT_EQ(store.counts().total, 11u);
  EXPECT_EQ(store.loadReport().tornTailBytes, 0u);
}

TEST_F(StatementStoreTests, UnreadableLastLineCountsAsTorn) {
  {
    StatementStore store(dir_);
    store.add(statement(1));
    ASSERT_TRUE(store.flush());
  }
  // A record cut short whose line still got its newline: the statement is unbalanced.
  const std::string cut = "-\t-\tprecompile(Tuple{typeof(Base.f)\n";
  appendFile(dir_ / "statements.log", cut);
  StatementStore store(dir_);
  EXPECT_EQ(store.counts().total, 1u);
  EXPECT_EQ(store.loadReport().tornTailBytes, cut.size());
  EXPECT_EQ(store.loadReport().corruptLines, 0u);
  EXPECT_EQ(recordLines(dir_ / "statements.log").size(), 1u);
}

TEST_F(StatementStoreTests, SetsAsideCorruptMiddle) {
  {
    StatementStore store(dir_);
    for (int i = 0; i < 3; ++i) store.add(statement(i));
    ASSERT_TRUE(store.flush());
  }
  appendFile(dir_ / "statements.log", std::string("\x00\x01garbage\xff\n", 11) + "z\t-\tprecompile(Tuple{Int})\n" +
                                          "-\tfast\tprecompile(Tuple{Int})\n" + "-\t-\t" + statement(3) + "\n");
  StatementStore store(dir_);
  const StoreLoadReport& report = store.loadReport();
  EXPECT_EQ(report.records, 4u);
  EXPECT_EQ(report.corruptLines, 3u);
  EXPECT_EQ(report.tornTailBytes, 0u);
  ASSERT_FALSE(report.setAsidePath.empty());
  EXPECT_TRUE(report.setAsidePath.filename().string().starts_with("statements.log.corrupt-"));
  const std::string setAside = readFile(report.setAsidePath);
  EXPECT_NE(setAside.find("garbage"), std::string::npos);
  EXPECT_NE(setAside.find("-\tfast\t"), std::string::npos);
  EXPECT_EQ(store.counts().total, 4u);
  // The log was rewritten with the readable records only.
  EXPECT_EQ(recordLines(dir_ / "statements.log").size(), 4u);
  StatementStore again(dir_);
  EXPECT_EQ(again.loadReport().corruptLines, 0u);
  EXPECT_EQ(again.counts().total, 4u);
}

TEST_F(StatementStoreTests, UnwritableDirectoryDegradesWithoutLosingStatements) {
  // Running as root makes chmod useless, so the directory cannot exist: its parent is a file.
  const fs::path blocker = root_ / "blocker";
  std::ofstream(blocker) << "x";
  const fs::path dir = blocker / "store";
  StatementStore store(dir);
  EXPECT_TRUE(store.degraded());
  store.add(statement(1));
  store.add(statement(2));
  EXPECT_FALSE(store.flush());
  EXPECT_TRUE(store.degraded());
  EXPECT_FALSE(store.degradedReason().empty());
  EXPECT_EQ(store.counts().total, 2u);
  EXPECT_EQ(store.counts().unflushed, 2u);
  store.add(statement(3));
  EXPECT_FALSE(store.flush());
  // The directory becomes usable: the next flush writes everything.
  fs::remove(blocker);
  ASSERT_TRUE(store.flush()) << store.degradedReason();
  EXPECT_FALSE(store.degraded());
  StatementStore reloaded(dir);
  EXPECT_EQ(reloaded.counts().total, 3u);
}

TEST_F(StatementStoreTests, UnwritableLogDegradesAndRetries) {
  StatementStore store(dir_);
  store.add(statement(1));
  fs::create_directories(dir_ / "statements.log");  // open(O_RDWR) fails with EISDIR
  EXPECT_FALSE(store.flush());
  EXPECT_TRUE(store.degraded());
  EXPECT_NE(store.degradedReason().find("statements.log"), std::string::npos);
  EXPECT_EQ(store.counts().unflushed, 1u);
  fs::remove(dir_ / "statements.log");
  ASSERT_TRUE(store.flush());
  EXPECT_FALSE(store.degraded());
  EXPECT_EQ(StatementStore(dir_).counts().total, 1u);
}

TEST_F(StatementStoreTests, ReadOnlyDirectoryWithChmod) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file permissions";
  {
    StatementStore store(dir_);
    store.add(statement(1));
    ASSERT_TRUE(store.flush());
  }
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  fs::permissions(dir_ / "statements.log", fs::perms::owner_read);
  {
    StatementStore store(dir_);
    EXPECT_EQ(store.counts().total, 1u);
    store.add(statement(2));
    EXPECT_FALSE(store.flush());
    EXPECT_TRUE(store.degraded());
    EXPECT_EQ(store.counts().total, 2u);
    fs::permissions(dir_, fs::perms::owner_all);
    fs::permissions(dir_ / "statements.log", fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_TRUE(store.flush());
  }
  EXPECT_EQ(StatementStore(dir_).counts().total, 2u);
}

TEST_F(StatementStoreTests, CompactionRemovesDuplicateRecords) {
  StatementStore store(dir_);
  store.add(statement(1), 1.0);
  store.add(statement(2));
  ASSERT_TRUE(store.flush());
  for (int ms = 2; ms <= 6; ++ms) {
    store.add(statement(1), ms);  // each larger time is appended again
    ASSERT_TRUE(store.flush());
  }
  EXPECT_EQ(recordLines(dir_ / "statements.log").size(), 7u);
  EXPECT_EQ(StatementStore(dir_).loadReport().duplicateRecords, 5u);
  ASSERT_TRUE(store.compact());
  EXPECT_EQ(recordLines(dir_ / "statements.log").size(), 2u);
  StatementStore reloaded(dir_);
  EXPECT_EQ(reloaded.loadReport().duplicateRecords, 0u);
  EXPECT_DOUBLE_EQ(*reloaded.compileMs(statement(1)), 6.0);
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
}

TEST_F(StatementStoreTests, FlushCompactsWhenTheLogIsMostlyDuplicates) {
  // Every round raises the compile time of all 100 statements, appending 100 records.
  StatementStore store(dir_);
  for (int round = 1; round <= 15; ++round) {
    for (int i = 0; i < 100; ++i) store.add(statement(i), round);
    ASSERT_TRUE(store.flush());
  }
  // Past 2 × 100 + 1024 records the flush compacted (round 13), leaving 100 + 2 × 100.
  EXPECT_EQ(recordLines(dir_ / "statements.log").size(), 300u);
  StatementStore reloaded(dir_);
  EXPECT_EQ(reloaded.counts().total, 100u);
  EXPECT_DOUBLE_EQ(*reloaded.compileMs(statement(42)), 15.0);
}

TEST_F(StatementStoreTests, ExportsAtomicallyAndTracksBuilds) {
  StatementStore store(dir_);
  store.add(statement(1));
  store.add("precompile(Tuple{typeof(Main.main)})");
  store.add("precompile(Tuple{ArgParse.var\"#24#26\", Any})");
  store.add(statement(2));
  const fs::path out = root_ / "out" / "statements.jl";
  fs::create_directories(out.parent_path());

  ExportResult all = store.exportStatements(out);
  ASSERT_TRUE(all.ok()) << all.error;
  EXPECT_EQ(all.written, 3u);
  EXPECT_EQ(all.excluded, 1u);
  EXPECT_EQ(all.nonPortableSkipped, 0u);
  EXPECT_EQ(readFile(out), statement(1) + "\nprecompile(Tuple{ArgParse.var\"#24#26\", Any})\n" + statement(2) + "\n");

  ExportResult portable = store.exportStatements(out, ExportOptions{.excludeNonPortable = true});
  ASSERT_TRUE(portable.ok());
  EXPECT_EQ(portable.written, 2u);
  EXPECT_EQ(portable.nonPortableSkipped, 1u);
  EXPECT_EQ(readFile(out), statement(1) + "\n" + statement(2) + "\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(out.parent_path()), fs::directory_iterator()), 1);

  EXPECT_EQ(store.counts().newSinceLastBuild, 4u);
  ASSERT_TRUE(store.markBuilt(portable));
  EXPECT_EQ(store.counts().newSinceLastBuild, 0u);
  store.add(statement(3));
  store.add(statement(4));
  EXPECT_EQ(store.counts().newSinceLastBuild, 2u);
  ASSERT_TRUE(store.flush());
  EXPECT_EQ(StatementStore(dir_).counts().newSinceLastBuild, 2u);

  const ExportResult failed = store.exportStatements(root_ / "missing" / "x.jl");
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE(store.markBuilt(failed));
}

TEST_F(StatementStoreTests, ClearForgetsEverything) {
  StatementStore a(dir_);
  StatementStore b(dir_);
  a.add(statement(1));
  ASSERT_TRUE(a.flush());
  ASSERT_TRUE(a.markBuilt(a.exportStatements(root_ / "s.jl")));
  b.refresh();
  EXPECT_EQ(b.counts().total, 1u);
  ASSERT_TRUE(a.clear());
  EXPECT_EQ(a.counts().total, 0u);
  EXPECT_FALSE(fs::exists(dir_ / "build-mark"));
  b.add(statement(2));  // unflushed in b: survives the other process's clear
  b.refresh();
  EXPECT_EQ(all(b), std::vector<std::string>{statement(2)});
  ASSERT_TRUE(b.flush());
  EXPECT_EQ(StatementStore(dir_).counts().total, 1u);
}

TEST_F(StatementStoreTests, TwoStoresOnOneDirectoryConvergeOnTheUnion) {
  StatementStore a(dir_);
  StatementStore b(dir_);
  for (int i = 0; i < 50; ++i) a.add(statement(i));
  for (int i = 25; i < 75; ++i) b.add(statement(i));
  ASSERT_TRUE(a.flush());
  ASSERT_TRUE(b.flush());  // reads a's records first, appends only 50..74
  EXPECT_EQ(b.counts().total, 75u);
  EXPECT_EQ(a.refresh(), 25u);
  EXPECT_EQ(a.counts().total, 75u);
  EXPECT_EQ(recordLines(dir_ / "statements.log").size(), 75u);

  // b compacts (replacing the file) while a has unflushed statements.
  a.add(statement(100));
  b.add(statement(101));
  ASSERT_TRUE(b.compact());
  EXPECT_EQ(a.refresh(), 1u);
  EXPECT_EQ(a.counts().unflushed, 1u);
  ASSERT_TRUE(a.flush());
  b.refresh();
  EXPECT_EQ(a.counts().total, 77u);
  EXPECT_EQ(b.counts().total, 77u);
  const std::vector<std::string> listed = all(a);
  const std::set<std::string> inA(listed.begin(), listed.end());
  EXPECT_EQ(inA.size(), 77u);
  StatementStore c(dir_);
  EXPECT_EQ(c.counts().total, 77u);
  EXPECT_EQ(c.loadReport().duplicateRecords, 0u);
}

TEST_F(StatementStoreTests, NoticesAReplacedLogThatKeptItsInode) {
  // Compactions free inodes and later ones may get the same number back; a store must not take
  // such a file for the one it had read and continue at its old offset.
  StatementStore a(dir_);
  for (int i = 0; i < 3; ++i) a.add(statement(i));
  ASSERT_TRUE(a.flush());
  const fs::path other = root_ / "other";
  {
    StatementStore c(other);
    for (int i = 10; i < 20; ++i) c.add(statement(i));
    ASSERT_TRUE(c.flush());
  }
  const auto inode = [](const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_ino;
  };
  const auto before = inode(dir_ / "statements.log");
  {
    std::ofstream out(dir_ / "statements.log", std::ios::binary | std::ios::trunc);  // same inode
    out << readFile(other / "statements.log");
  }
  ASSERT_EQ(inode(dir_ / "statements.log"), before);
  a.refresh();
  std::vector<std::string> expected;
  for (int i = 10; i < 20; ++i) expected.push_back(statement(i));
  EXPECT_EQ(all(a), expected);
}

TEST_F(StatementStoreTests, ConcurrentAppendersFromTwoThreads) {
  // Each thread owns its store, as each server process does; they share the directory.
  constexpr int kPerThread = 2000;
  auto work = [&](int first) {
    StatementStore store(dir_);
    for (int i = 0; i < kPerThread; ++i) {
      store.add(statement(first + i));
      if (i % 50 == 49) {
        EXPECT_TRUE(store.flush()) << store.degradedReason();
      }
      if (i % 300 == 0) store.refresh();
    }
    EXPECT_TRUE(store.flush());
  };
  std::thread one(work, 0), two(work, kPerThread / 2);  // half of each overlaps the other
  one.join();
  two.join();
  StatementStore merged(dir_);
  EXPECT_EQ(merged.counts().total, static_cast<std::size_t>(kPerThread * 3 / 2));
  EXPECT_EQ(merged.loadReport().tornTailBytes, 0u);
  EXPECT_EQ(merged.loadReport().corruptLines, 0u);
  // Overlapping statements may be appended by both threads (tolerated); compaction removes them.
  ASSERT_TRUE(merged.compact());
  EXPECT_EQ(recordLines(dir_ / "statements.log").size(), static_cast<std::size_t>(kPerThread * 3 / 2));
}

TEST_F(StatementStoreTests, RefusesToWriteAnUnknownLogVersion) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "statements.log") << "# sysimage-server statement log v9\nsomething new\n";
  StatementStore store(dir_);
  EXPECT_TRUE(store.degraded());
  store.add(statement(1));
  EXPECT_FALSE(store.flush());
  EXPECT_FALSE(store.compact());
  EXPECT_EQ(readFile(dir_ / "statements.log"), "# sysimage-server statement log v9\nsomething new\n");
}

TEST_F(StatementStoreTests, MemoryStaysBelowTwiceTheStatementBytes) {
  StatementStore store(dir_);
  for (int i = 0; i < 20000; ++i) store.add(statement(i));
  const double ratio = static_cast<double>(store.memoryBytes()) / static_cast<double>(store.uniqueStatementBytes());
  EXPECT_LT(ratio, 2.0) << store.memoryBytes() << " bytes for " << store.uniqueStatementBytes();
}

TEST_F(StatementStoreTests, ForEachFromVisitsTheTailAcrossArenaChunks) {
  StatementStore store(dir_);
  // Enough statements for several 256 KiB arena chunks.
  const std::size_t count = 20000;
  for (std::size_t i = 0; i < count; ++i) store.add(statement(static_cast<int>(i)));
  ASSERT_EQ(store.counts().total, count);
  const std::vector<std::string> every = all(store);
  for (std::size_t first : {std::size_t{0}, std::size_t{1}, std::size_t{4321}, std::size_t{12345}, count - 1}) {
    std::vector<std::string> tail;
    store.forEachFrom(first, [&](std::string_view s, StatementFlags, std::optional<double>) { tail.emplace_back(s); });
    EXPECT_EQ(tail, std::vector<std::string>(every.begin() + static_cast<std::ptrdiff_t>(first), every.end()))
        << "from " << first;
  }
  std::size_t visited = 0;
  store.forEachFrom(count, [&](std::string_view, StatementFlags, std::optional<double>) { ++visited; });
  store.forEachFrom(count + 7, [&](std::string_view, StatementFlags, std::optional<double>) { ++visited; });
  EXPECT_EQ(visited, 0u);
  // After clear() the indices start again from 0.
  ASSERT_TRUE(store.clear());
  store.add(statement(1));
  store.forEachFrom(0, [&](std::string_view s, StatementFlags, std::optional<double>) {
    EXPECT_EQ(s, statement(1));
    ++visited;
  });
  EXPECT_EQ(visited, 1u);
}

TEST(StoreDirForTests, StableHashOfTheNormalisedProjectPath) {
  EXPECT_EQ(storeDirFor("/state", "/home/u/proj", "1.11.2"), fs::path("/state/1.11.2/143becae573131b5"));
  EXPECT_EQ(storeDirFor("/state", "/home/u/./proj/", "1.11.2"), storeDirFor("/state", "/home/u/proj", "1.11.2"));
  EXPECT_NE(storeDirFor("/state", "/home/u/proj2", "1.11.2"), storeDirFor("/state", "/home/u/proj", "1.11.2"));
  EXPECT_EQ(storeDirFor("/state", "/p", "1.12.0-rc1+0.x86_64").parent_path().filename(), "1.12.0-rc1+0.x86_64");
  EXPECT_EQ(storeDirFor("/state", "/p", "../../etc").parent_path().filename(), ".._.._etc");
  EXPECT_EQ(storeDirFor("/state", "/p", "..").parent_path().filename(), "unknown");
  EXPECT_EQ(storeDirFor("/state", "/p", "").parent_path().filename(), "unknown");
}

}  // namespace
}  // namespace sysimage::core
