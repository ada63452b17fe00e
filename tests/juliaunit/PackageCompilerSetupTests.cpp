// Tests of what the PackageCompiler backend prepares around its process: libjulia development links
// per layout, the statement total, and the object file that marks the start of linking.
#include "server/julia/packagecompiler_setup.h"

#include <stdlib.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "julia_fixture.h"

namespace sysimage::julia {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "sysimage-pcsetup-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

TEST(LibjuliaDevLinks, DebianJulia15LinksTheLoadedLibrary) {
  // Probed on these machines: libjulia.so.1 and libjulia.so.1.5, no libjulia.so.
  EXPECT_EQ(libjuliaDevLinks(testing::debianJulia153(), "/w/libjulia"),
            (std::vector<LibraryLink>{
                {"/w/libjulia/libjulia.so", "/work/main/.julia-runtime/usr/lib/x86_64-linux-gnu/libjulia.so.1"}}));
}

TEST(LibjuliaDevLinks, WithoutTheLoadedPathTheShortestVersionedNameInItsDirectory) {
  // A distribution layout of a Julia >= 1.6 (no .so dev links), probed by an older probe.jl.
  auto j = testing::officialLinuxJulia("1.10.4", {"libjulia-internal.so.1", "libjulia-internal.so.1.10",
                                                  "libjulia.so.1", "libjulia.so.1.10"});
  EXPECT_EQ(libjuliaDevLinks(j, "/w/l"),
            (std::vector<LibraryLink>{{"/w/l/libjulia.so", "/opt/julia-1.10.4/lib/libjulia.so.1"},
                                      {"/w/l/libjulia-internal.so", "/opt/julia-1.10.4/lib/julia/libjulia-internal.so.1"}}));
  // The loaded libraries win over the names (libjulia-codegen is not something PackageCompiler links).
  j.libjuliaLoaded = {"/usr/lib/x86_64-linux-gnu/julia/libjulia-codegen.so.1",
                      "/usr/lib/x86_64-linux-gnu/julia/libjulia-internal.so.1", "/usr/lib/x86_64-linux-gnu/libjulia.so.1"};
  EXPECT_EQ(libjuliaDevLinks(j, "/w/l"),
            (std::vector<LibraryLink>{{"/w/l/libjulia.so", "/usr/lib/x86_64-linux-gnu/libjulia.so.1"},
                                      {"/w/l/libjulia-internal.so", "/usr/lib/x86_64-linux-gnu/julia/libjulia-internal.so.1"}}));
}

TEST(LibjuliaDevLinks, NoneWhenNotNeeded) {
  // Official tarball: the plain names exist.
  EXPECT_TRUE(libjuliaDevLinks(testing::officialLinuxJulia("1.11.2", {"libjulia-internal.so", "libjulia-internal.so.1",
                                                                      "libjulia.so", "libjulia.so.1"}),
                               "/w")
                  .empty());
  // Julia 1.5 has no libjulia-internal, and PackageCompiler 1.x does not link it.
  auto j = testing::debianJulia153();
  j.libjuliaFiles = {"libjulia.so", "libjulia.so.1"};
  EXPECT_TRUE(libjuliaDevLinks(j, "/w").empty());
  // macOS and Windows ship libjulia.dylib / libjulia.dll.
  j = testing::debianJulia153();
  j.os = "Darwin";
  EXPECT_TRUE(libjuliaDevLinks(j, "/w").empty());
  j.os = "WINNT";
  EXPECT_TRUE(libjuliaDevLinks(j, "/w").empty());
  // Nothing known to link to: no link (PackageCompiler reports its own error).
  j = testing::debianJulia153();
  j.libjuliaFiles.clear();
  j.libjuliaLoaded.clear();
  EXPECT_TRUE(libjuliaDevLinks(j, "/w").empty());
}

TEST(LibjuliaDevLinks, CreatesAndReplacesTheLinks) {
  TempDir t;
  write(t.path() / "libjulia.so.1", "lib");
  const std::vector<LibraryLink> links{{t.path() / "l" / "libjulia.so", t.path() / "libjulia.so.1"}};
  createLibraryLinks(links);
  createLibraryLinks(links);  // a second time replaces the link
  EXPECT_EQ(fs::read_symlink(t.path() / "l" / "libjulia.so"), t.path() / "libjulia.so.1");
  std::ifstream in(t.path() / "l" / "libjulia.so");
  std::string text;
  in >> text;
  EXPECT_EQ(text, "lib");
}

TEST(CountReplayedLines, EveryLineButBlanksAndComments) {
  TempDir t;
  write(t.path() / "a.jl", "precompile(Tuple{typeof(Base.sum), Vector{Float64}})\n\n# a comment\n"
                           "#= 1.2 ms =# precompile(Tuple{typeof(Base.f), Int64})\nnot julia at all (\n");
  write(t.path() / "b.jl", "precompile(Tuple{typeof(Base.g)})");  // no final newline
  EXPECT_EQ(countReplayedLines({t.path() / "a.jl", t.path() / "b.jl", t.path() / "missing.jl"}), 4u);
}

TEST(CountReplayedLines, TheExportedFileIsNotReadWhenItsCountIsKnown) {
  TempDir t;
  write(t.path() / "extra.jl", "# extra\nprecompile(Tuple{typeof(Base.g)})\n  \n#= 3.0 ms =# precompile(Tuple{typeof(Base.h)})\n");
  BuildRequest request;
  // statements.jl does not exist: its count comes from the request.
  request.statementFiles = {t.path() / "statements.jl", t.path() / "extra.jl"};
  EXPECT_EQ(replayedStatementTotal(request), 2u);
  request.firstStatementFileCount = 41;
  EXPECT_EQ(replayedStatementTotal(request), 43u);
  request.statementFiles = {};
  EXPECT_EQ(replayedStatementTotal(request), 0u);
}

TEST(PackageCompilerObject, OnlyAFinishedObjectOrArchiveCounts) {
  TempDir t;
  EXPECT_FALSE(packageCompilerObjectWritten(t.path()));
  EXPECT_FALSE(packageCompilerObjectWritten(t.path() / "missing"));
  write(t.path() / "jl_kAPqz7", "trace file or staging script");
  write(t.path() / "jl_AbC.o", "");  // not written yet
  write(t.path() / "jl_AbC.o.temp-archive-1a2b3c4.a", "LLVM writes here first, then renames");
  EXPECT_FALSE(packageCompilerObjectWritten(t.path()));
  write(t.path() / "jl_AbC.o", "!<arch>\n");  // 1.x
  EXPECT_TRUE(packageCompilerObjectWritten(t.path()));
  fs::remove(t.path() / "jl_AbC.o");
  write(t.path() / "jl_XyZ-o.a", "!<arch>\n");  // 2.x
  EXPECT_TRUE(packageCompilerObjectWritten(t.path()));
}

}  // namespace
}  // namespace sysimage::julia
