// Tests of the native backend's link step: flags per (OS, Julia version, libjulia files) and finding cc.
#include "server/julia/build_link.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "julia_fixture.h"

namespace sysimage::julia {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct FlagRow {
  const char* os;
  const char* version;
  std::vector<std::string> files;
  std::vector<std::string> flags;
};

TEST(LinkFlags, PerPlatformVersionAndLibraryFiles) {
  const FlagRow rows[] = {
      // Debian bullseye 1.5.3 (as probed here): no dev symlink.
      {"Linux", "1.5.3", {"libjulia.so.1", "libjulia.so.1.5"}, {"-l:libjulia.so.1"}},
      // Only the fully versioned name.
      {"Linux", "1.5.3", {"libjulia.so.1.5"}, {"-l:libjulia.so.1.5"}},
      // Official 1.5 tarball: libjulia.so exists.
      {"Linux", "1.5.4", {"libjulia.so", "libjulia.so.1", "libjulia.so.1.5"}, {"-ljulia"}},
      // 1.6+: libjulia-internal too (official layout).
      {"Linux", "1.6.7", {"libjulia-internal.so", "libjulia-internal.so.1", "libjulia.so", "libjulia.so.1"},
       {"-ljulia", "-ljulia-internal"}},
      {"Linux", "1.10.4",
       {"libjulia-codegen.so", "libjulia-codegen.so.1", "libjulia-internal.so", "libjulia-internal.so.1.10",
        "libjulia.so", "libjulia.so.1", "libjulia.so.1.10"},
       {"-ljulia", "-ljulia-internal"}},
      // A distribution build of 1.10 without dev symlinks.
      {"Linux", "1.10.0", {"libjulia-internal.so.1", "libjulia-internal.so.1.10", "libjulia.so.1", "libjulia.so.1.10"},
       {"-l:libjulia.so.1", "-l:libjulia-internal.so.1"}},
      // Pre-releases of 1.6 already have libjulia-internal.
      {"Linux", "1.6.0-DEV.1234", {"libjulia.so", "libjulia-internal.so"}, {"-ljulia", "-ljulia-internal"}},
      // Unknown files (an old probe): the plain names.
      {"Linux", "1.12.1", {}, {"-ljulia", "-ljulia-internal"}},
      // macOS: ld64 has no -l:.
      {"Darwin", "1.5.3", {"libjulia.1.5.dylib", "libjulia.1.dylib", "libjulia.dylib"}, {"-ljulia"}},
      {"Darwin", "1.11.2", {"libjulia-internal.1.11.dylib", "libjulia.1.11.dylib"}, {"-ljulia", "-ljulia-internal"}},
      // Other Unixes link like Linux.
      {"FreeBSD", "1.9.0", {"libjulia-internal.so.1", "libjulia.so.1"}, {"-l:libjulia.so.1", "-l:libjulia-internal.so.1"}},
  };
  for (const auto& row : rows) {
    auto j = testing::officialLinuxJulia(row.version, row.files);
    j.os = row.os;
    EXPECT_EQ(libjuliaLinkFlags(j), row.flags) << row.os << " " << row.version;
  }
}

BuildRequest request(JuliaInstallation j) {
  BuildRequest r;
  r.julia = std::move(j);
  r.workDir = "/w";
  return r;
}

// The full lines per version are in GoldenBuildPlanTests.cpp; these check the variations.
TEST(LinkCommand, LinuxDebian153) {
  auto r = request(testing::debianJulia153());
  auto c = linkCommand(r, BuildPaths::forRequest(r), CCompiler{"/usr/bin/cc", {}, "PATH"});
  EXPECT_EQ(c.program, "/usr/bin/cc");
  EXPECT_THAT(c.args, ElementsAre("-m64", "-march=x86-64", "-shared",
                                  "-L/work/main/.julia-runtime/usr/lib/x86_64-linux-gnu", "-o", "/w/sysimage.so",
                                  "-Wl,--whole-archive", "/w/sys.o", "-Wl,--no-whole-archive", "-l:libjulia.so.1",
                                  "-fPIC", "-Wl,-rpath,$ORIGIN:$ORIGIN/../lib"));
}

TEST(LinkCommand, CcArgumentsComeFirst) {
  auto r = request(testing::officialLinuxJulia("1.10.4", {"libjulia-internal.so", "libjulia.so"}));
  auto c = linkCommand(r, BuildPaths::forRequest(r), CCompiler{"/usr/bin/ccache", {"gcc", "-g"}, "$CC"});
  EXPECT_EQ(c.program, "/usr/bin/ccache");
  EXPECT_THAT(c.args, ElementsAreArray(std::vector<std::string>{
                          "gcc", "-g", "-m64", "-march=x86-64", "-shared", "-L/opt/julia-1.10.4/lib",
                          "-L/opt/julia-1.10.4/lib/julia", "-o", "/w/sysimage.so", "-Wl,--whole-archive", "/w/sys-o.a",
                          "-Wl,--no-whole-archive", "-Wl,-rpath-link,/opt/julia-1.10.4/lib",
                          "-Wl,-rpath-link,/opt/julia-1.10.4/lib/julia", "-ljulia", "-ljulia-internal", "-fPIC",
                          "-Wl,-soname,sysimage.so", "-Wl,-rpath,$ORIGIN:$ORIGIN/julia"}));
}

TEST(LinkCommand, MacOsJulia15HasNoInstallName) {
  auto j = testing::officialLinuxJulia("1.5.3", {"libjulia.dylib"});
  j.os = "Darwin";
  auto r = request(j);
  auto c = linkCommand(r, BuildPaths::forRequest(r), CCompiler{"/usr/bin/cc", {}, "PATH"});
  // PackageCompiler v1.4.0 L635, rpath juliaconfig.jl L86-88; install_name_tool came with 2.x.
  EXPECT_THAT(c.args, ElementsAre("-m64", "-march=x86-64", "-shared", "-L/opt/julia-1.5.3/lib", "-o",
                                  "/w/sysimage.dylib", "-Wl,-all_load", "/w/sys-o.a", "-ljulia", "-fPIC",
                                  "-Wl,-rpath,@executable_path", "-Wl,-rpath,@executable_path/../lib"));
}

TEST(LinkCommand, OtherArchitecturesGetPackageCompilersFlags) {
  auto j = testing::officialLinuxJulia("1.10.4", {"libjulia.so", "libjulia-internal.so"});
  j.arch = "powerpc64le";
  auto r = request(j);
  auto c = linkCommand(r, BuildPaths::forRequest(r), CCompiler{"/usr/bin/cc", {}, "PATH"});
  EXPECT_EQ(c.args.front(), "-shared");  // no bitflag(), no march() for ppc64le
  j.arch = "i686";
  r = request(j);
  c = linkCommand(r, BuildPaths::forRequest(r), CCompiler{"/usr/bin/cc", {}, "PATH"});
  EXPECT_THAT(std::vector<std::string>(c.args.begin(), c.args.begin() + 2), ElementsAre("-m32", "-march=pentium4"));
}

TEST(LinkCommand, WindowsIsNotSupportedByTheNativeBackend) {
  auto j = testing::officialLinuxJulia("1.10.4", {});
  j.os = "Windows";
  auto r = request(j);
  EXPECT_THROW(linkCommand(r, BuildPaths::forRequest(r), CCompiler{"cc", {}, "PATH"}), BuildPlanError);
}

// A directory with fake executables for PATH lookups.
class CompilerSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "sysimage-cc-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    std::filesystem::create_directories(dir_ / "a");
    std::filesystem::create_directories(dir_ / "b");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path exe(const std::string& rel, bool executable = true) {
    auto p = dir_ / rel;
    std::ofstream(p) << "#!/bin/sh\n";
    ::chmod(p.c_str(), executable ? 0755 : 0644);
    return p;
  }
  std::string path() const { return (dir_ / "a").string() + "::" + (dir_ / "b").string(); }
  std::filesystem::path dir_;
};

TEST_F(CompilerSearch, CcThenGccThenClangOnPath) {
  exe("b/clang");
  EXPECT_EQ(findCCompiler(std::nullopt, path(), "Linux").program, dir_ / "b/clang");
  exe("b/gcc");
  EXPECT_EQ(findCCompiler(std::nullopt, path(), "Linux").program, dir_ / "b/gcc");
  exe("b/cc");
  auto c = findCCompiler(std::nullopt, path(), "Linux");
  EXPECT_EQ(c.program, dir_ / "b/cc");
  EXPECT_EQ(c.origin, "PATH");
  exe("a/gcc", false);  // not executable: skipped
  EXPECT_EQ(findCCompiler(std::string("   "), path(), "Linux").program, dir_ / "b/cc");  // blank CC: ignored
}

TEST_F(CompilerSearch, CcEnvironmentVariableWins) {
  exe("b/cc");
  exe("a/ccache");
  auto c = findCCompiler(std::string("ccache gcc -m64"), path(), "Linux");
  EXPECT_EQ(c.program, dir_ / "a/ccache");
  EXPECT_THAT(c.args, ElementsAre("gcc", "-m64"));
  EXPECT_EQ(c.origin, "$CC");
  auto abs = exe("b/my-cc");
  EXPECT_EQ(findCCompiler(abs.string(), std::nullopt, "Linux").program, abs);
}

TEST_F(CompilerSearch, MissingCompilerIsAClearError) {
  try {
    findCCompiler(std::nullopt, path(), "Linux");
    FAIL();
  } catch (const BuildPlanError& e) {
    EXPECT_STREQ(e.what(), "no C compiler found: install gcc (build-essential); looked for cc, gcc and clang on PATH");
  }
  try {
    findCCompiler(std::nullopt, std::nullopt, "Darwin");
    FAIL();
  } catch (const BuildPlanError& e) {
    EXPECT_THAT(e.what(), StartsWith("no C compiler found: install the Xcode command line tools"));
  }
  exe("b/cc");
  try {
    findCCompiler(std::string("/nonexistent/cc"), path(), "Linux");
    FAIL();
  } catch (const BuildPlanError& e) {
    EXPECT_STREQ(e.what(),
                 "no C compiler found: CC is \"/nonexistent/cc\", but \"/nonexistent/cc\" is not an executable; "
                 "install gcc (build-essential) or set CC to a C compiler");
  }
}

}  // namespace
}  // namespace sysimage::julia
