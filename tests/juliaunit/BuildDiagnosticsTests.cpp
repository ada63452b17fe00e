// Tests of build diagnostics: /proc/meminfo, sizes and durations, kill reasons, telltale lines.
#include "server/julia/build_diagnostics.h"

#include <signal.h>

#include <gtest/gtest.h>

namespace sysimage::julia {
namespace {

TEST(MemAvailable, ParsedFromProcMeminfo) {
  EXPECT_EQ(parseMemAvailable("MemTotal:       24683520 kB\nMemFree:        18462208 kB\n"
                              "MemAvailable:   20710912 kB\nBuffers:          123 kB\n"),
            20710912ull * 1024);
  EXPECT_FALSE(parseMemAvailable("MemTotal: 1 kB\n"));
  EXPECT_FALSE(parseMemAvailable("MemAvailable: lots\n"));
  EXPECT_TRUE(readMemAvailable().has_value());  // Linux
}

TEST(Format, BytesAndDurations) {
  EXPECT_EQ(formatBytes(512), "512 B");
  EXPECT_EQ(formatBytes(12 * 1024), "12.0 KiB");
  EXPECT_EQ(formatBytes(60063744), "57.3 MiB");
  EXPECT_EQ(formatBytes(1288490189), "1.2 GiB");
  EXPECT_EQ(formatDuration(0.4), "0 s");
  EXPECT_EQ(formatDuration(45), "45 s");
  EXPECT_EQ(formatDuration(130), "2 min 10 s");
  EXPECT_EQ(formatDuration(1800), "30 min");
  EXPECT_EQ(formatDuration(3900), "1 h 5 min");
  EXPECT_EQ(formatDuration(7200), "2 h");
}

TEST(KilledReason, Sigkill) {
  EXPECT_EQ(killedReason(SIGKILL, 1288490189ull, 200ull << 20),
            "Julia was killed (signal 9) — probably out of memory: 1.2 GiB free");
  EXPECT_EQ(killedReason(SIGKILL, std::nullopt, 100ull << 20),
            "Julia was killed (signal 9) — probably out of memory: 100.0 MiB free");
  EXPECT_EQ(killedReason(SIGKILL, 18ull << 30, 17ull << 30),
            "Julia was killed (signal 9) by another process or the out-of-memory killer: 18.0 GiB free now, lowest "
            "17.0 GiB during the build");
  EXPECT_EQ(killedReason(SIGKILL, std::nullopt, std::nullopt),
            "Julia was killed (signal 9) by another process or the out-of-memory killer");
}

TEST(KilledReason, OtherSignalsAreCrashes) {
  EXPECT_EQ(killedReason(SIGSEGV, 1, 1), "Julia crashed (signal 11, SIGSEGV)");
  EXPECT_EQ(killedReason(SIGABRT, 1, 1), "Julia crashed (signal 6, SIGABRT)");
  EXPECT_EQ(signalName(64), "signal 64");
}

TEST(TelltaleLine, PrefersLlvmThenErrorThenLastLine) {
  EXPECT_EQ(telltaleLine("a\nERROR: x\nLLVM ERROR: out of memory\nz\n"), "LLVM ERROR: out of memory");
  EXPECT_EQ(telltaleLine("/usr/bin/ld: cannot find -l:libjulia.so.1: No such file or directory\n"
                         "collect2: error: ld returned 1 exit status\n"),
            "collect2: error: ld returned 1 exit status");
  EXPECT_EQ(telltaleLine("one\n  two  \n\n"), "two");
  EXPECT_EQ(telltaleLine("\x1b[91mERROR: \x1b[39mboom\r\n"), "ERROR: boom");
  EXPECT_EQ(telltaleLine(" \n"), "");
  EXPECT_EQ(telltaleLine(std::string(1000, 'x')).size(), 300u);
}

TEST(DiskFull, Mentions) {
  EXPECT_TRUE(mentionsDiskFull("/usr/bin/ld: final link failed: No space left on device"));
  EXPECT_FALSE(mentionsDiskFull("all fine"));
  EXPECT_TRUE(freeDiskBytes("/").has_value());
  EXPECT_FALSE(freeDiskBytes("/nonexistent/dir").has_value());
}

}  // namespace
}  // namespace sysimage::julia
