// Julia installation probe: the real Julia from scripts/install-julia, and the error cases
// (not found, not executable, not Julia, too old, timeout, exits at once).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "server/julia/julia_installation.h"

namespace fs = std::filesystem;
using sysimage::julia::JuliaProber;
using sysimage::julia::ProbeError;

namespace {

fs::path realJulia() { return fs::path(SYSIMAGE_SOURCE_DIR) / ".julia-runtime" / "bin" / "julia"; }

fs::path tempDir() {
  fs::path dir = fs::temp_directory_path() / ("probe-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

fs::path script(const std::string& name, const std::string& body) {
  fs::path p = tempDir() / name;
  std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
  fs::permissions(p, fs::perms::owner_all);
  return p;
}

ProbeError::Kind probeKind(JuliaProber& prober, const fs::path& exe) {
  try {
    prober.probe(exe);
  } catch (const ProbeError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "probe of " << exe << " did not fail";
  return ProbeError::Kind::Failed;
}

}  // namespace

TEST(JuliaProbe, RealJuliaIsDescribedAndCached) {
  ASSERT_TRUE(fs::exists(realJulia())) << "run scripts/install-julia first";
  JuliaProber prober(SYSIMAGE_JULIA_SCRIPTS_DIR);
  auto j = prober.probe(realJulia());
  EXPECT_EQ(j.versionText, "1.5.3");
  EXPECT_TRUE(fs::exists(j.imageFile)) << j.imageFile;
  EXPECT_TRUE(fs::exists(j.stdlib / "Statistics")) << j.stdlib;
  EXPECT_TRUE(fs::is_directory(j.libdir));
  EXPECT_FALSE(j.depotPath.empty());
  EXPECT_EQ(j.wordSize, 64);
  EXPECT_FALSE(j.cpuName.empty());
  EXPECT_FALSE(j.packageCompiler);
  EXPECT_NE(std::find(j.libjuliaFiles.begin(), j.libjuliaFiles.end(), "libjulia.so.1"), j.libjuliaFiles.end());
  // The libjulia this Julia runs with: Debian's libjulia.so.1 in libdir (the PackageCompiler backend links to it).
  EXPECT_EQ(j.libjuliaLoaded, std::vector<fs::path>{j.libdir / "libjulia.so.1"});
  EXPECT_EQ(prober.probesRun(), 1);
  prober.probe(realJulia());
  EXPECT_EQ(prober.probesRun(), 1) << "second probe of an unchanged executable must come from the cache";
}

TEST(JuliaProbe, ResolutionOrder) {
  using sysimage::julia::JuliaSearch;
  using sysimage::julia::resolveJulia;
  JuliaSearch s;
  s.projectRuntimes = {realJulia()};
  EXPECT_EQ(resolveJulia(s), realJulia()) << "the project-local runtime is the last resort";
  s.pathEnv = realJulia().parent_path().string();
  EXPECT_EQ(resolveJulia(s), realJulia().parent_path() / "julia") << "PATH comes before the project runtime";
  s.envJulia = "/nonexistent/julia";
  try {
    resolveJulia(s);
    FAIL() << "a $JULIA that does not exist is an error, not skipped";
  } catch (const ProbeError& e) {
    EXPECT_EQ(e.kind(), ProbeError::Kind::NotFound);
    EXPECT_NE(std::string(e.what()).find("$JULIA"), std::string::npos) << e.what();
  }
  s.configured = realJulia().string();
  EXPECT_EQ(resolveJulia(s), realJulia()) << "the setting comes first";
  JuliaSearch none;
  try {
    resolveJulia(none);
    FAIL();
  } catch (const ProbeError& e) {
    EXPECT_EQ(e.kind(), ProbeError::Kind::NotFound);
  }
}

// The stand-ins below are not Julia: they test the server's handling of programs that are not.
TEST(JuliaProbe, ClearErrors) {
  JuliaProber prober(SYSIMAGE_JULIA_SCRIPTS_DIR, std::chrono::milliseconds(1500));
  EXPECT_EQ(probeKind(prober, tempDir() / "missing"), ProbeError::Kind::NotFound);

  fs::path plain = tempDir() / "not-executable";
  std::ofstream(plain) << "x";
  fs::permissions(plain, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(probeKind(prober, plain), ProbeError::Kind::NotExecutable);

  EXPECT_EQ(probeKind(prober, script("prints-garbage", "echo hello")), ProbeError::Kind::NotJulia);
  EXPECT_EQ(probeKind(prober, script("exits-at-once", "exit 3")), ProbeError::Kind::NotJulia);
  EXPECT_EQ(probeKind(prober, script("old-julia",
                                     "echo '{\"version\":\"1.4.2\",\"bindir\":\"/\",\"libdir\":\"/\",\"privateLibdir\":\"/\","
                                     "\"imageFile\":\"/\",\"stdlib\":\"/\",\"depotPath\":[],\"cpuName\":\"x\",\"wordSize\":64,"
                                     "\"arch\":\"x86_64\",\"os\":\"Linux\"}'")),
            ProbeError::Kind::TooOld);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(probeKind(prober, script("hangs", "sleep 60")), ProbeError::Kind::Timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10)) << "the timeout must be honoured";
}
