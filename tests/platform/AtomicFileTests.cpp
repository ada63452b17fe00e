// Tests for atomicWriteFile: contents, replacement, modes, no leftovers, errors, no torn reads.
#include "server/platform/atomic_file.h"

#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/platform/temp_dir.h"

namespace sysimage::platform {
namespace {

using testing::TempDir;

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t entryCount(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicFile, WritesANewFile) {
  TempDir dir;
  atomicWriteFile(dir / "statements.jl", std::string("precompile(Tuple{typeof(sin), Float64})\n\0x", 43));
  EXPECT_EQ(readFile(dir / "statements.jl"), std::string("precompile(Tuple{typeof(sin), Float64})\n\0x", 43));
  EXPECT_EQ(entryCount(dir.path()), 1u) << "no temporary file left behind";
}

TEST(AtomicFile, ReplacesTheFileWithANewInodeAndKeepsItsMode) {
  TempDir dir;
  const auto file = dir / "state.json";
  atomicWriteFile(file, "old contents that are longer");
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  struct stat before {};
  ASSERT_EQ(::stat(file.c_str(), &before), 0);
  atomicWriteFile(file, "new");
  struct stat after {};
  ASSERT_EQ(::stat(file.c_str(), &after), 0);
  EXPECT_EQ(readFile(file), "new");
  EXPECT_NE(before.st_ino, after.st_ino) << "replaced by rename, not rewritten in place";
  EXPECT_EQ(after.st_mode & 07777, 0600u);
  EXPECT_EQ(entryCount(dir.path()), 1u);
}

TEST(AtomicFile, EmptyContents) {
  TempDir dir;
  atomicWriteFile(dir / "empty", "");
  EXPECT_TRUE(std::filesystem::exists(dir / "empty"));
  EXPECT_EQ(std::filesystem::file_size(dir / "empty"), 0u);
}

TEST(AtomicFile, MissingDirectoryThrowsWithThePath) {
  TempDir dir;
  const auto file = dir / "missing" / "state.json";
  try {
    atomicWriteFile(file, "x");
    FAIL() << "expected std::system_error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, RenameFailureRemovesTheTemporaryFile) {
  TempDir dir;
  std::filesystem::create_directory(dir / "occupied");  // a non-empty directory cannot be renamed over
  std::ofstream(dir / "occupied" / "child") << "x";
  EXPECT_THROW(atomicWriteFile(dir / "occupied", "x"), std::system_error);
  EXPECT_EQ(entryCount(dir.path()), 1u);
}

TEST(AtomicFile, ReadersSeeOldOrNewContentsNeverAMix) {
  TempDir dir;
  const auto file = dir / "Manifest.toml";
  const std::string a(256 * 1024, 'a');
  const std::string b(128 * 1024, 'b');
  atomicWriteFile(file, a);
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!stop) {
      const std::string seen = readFile(file);
      if (seen != a && seen != b) ++torn;
    }
  });
  for (int i = 0; i < 40; ++i) atomicWriteFile(file, i % 2 == 0 ? b : a);
  stop = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
}

TEST(AtomicFileWriter, WritesInPiecesAndPublishesOnlyOnCommit) {
  TempDir dir;
  const auto file = dir / "statements.log";
  atomicWriteFile(file, "old\n");
  {
    AtomicFileWriter writer(file);
    writer.write("new ");
    writer.write("contents\n");
    EXPECT_EQ(readFile(file), "old\n");  // nothing visible before commit()
    writer.commit();
  }
  EXPECT_EQ(readFile(file), "new contents\n");
  EXPECT_EQ(entryCount(dir.path()), 1u);
}

TEST(AtomicFileWriter, AbandonedWithoutCommitLeavesTheOldFileAndNoTemporary) {
  TempDir dir;
  const auto file = dir / "statements.log";
  atomicWriteFile(file, "old\n");
  {
    AtomicFileWriter writer(file);
    writer.write("half a rewrite");
    bool sawTemporary = false;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      sawTemporary |= e.path().filename().string().starts_with(AtomicFileWriter::temporaryPrefix(file));
    }
    EXPECT_TRUE(sawTemporary);
  }
  EXPECT_EQ(readFile(file), "old\n");
  EXPECT_EQ(entryCount(dir.path()), 1u);
}

}  // namespace
}  // namespace sysimage::platform
