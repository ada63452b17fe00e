// Tests of PackageCompiler output parsing: every captured log in /work/shared/fixtures/build-logs/
// (SOURCES.md section D) with its exact events and failure reason, and the terminal spinner form
// with ANSI codes as TerminalSpinners.jl draws it (byte for byte, fed in pieces).
#include "server/julia/packagecompiler_log.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "tests/support/shared_fixtures.h"

namespace sysimage::julia {
namespace {

using K = PackageCompilerEvent::Kind;
using E = PackageCompilerEvent;

std::string readFixture(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct FixtureRow {
  std::vector<E> events;
  std::vector<std::string> steps;
  std::optional<std::string> reason;
};

const std::string kCompiling = "compiling incremental system image";

std::map<std::string, FixtureRow> expectations() {
  std::map<std::string, FixtureRow> rows;
  rows["pclog_PackageCompiler-1070_llvm_error_free_memory_warning.txt"] = {
      {E{K::Step, kCompiling, {}},
       E{K::Error, "LLVM ERROR: Cannot select: 0x6c88f9150: i64 = vscale Constant:i64<1>", {}},
       E{K::Error,
         "LLVM ERROR: Cannot select: 0x6c88f9150: i= vscale Constant:i64<1>, "
         "/Users/Robin/.julia/packages/HostCPUFeatures/bFJZ",
         {}},
       E{K::Signal, "signal 6: Abort trap: 6", {}}, E{K::StepFailed, kCompiling, 630},
       E{K::Warning, "Free system memory dropped to 57.281 MiB during sysimage compilation.", {}}},
      {kCompiling},
      "LLVM ERROR: Cannot select: 0x6c88f9150: i64 = vscale Constant:i64<1> (Julia crashed: signal 6: Abort trap: 6); "
      "free system memory dropped to 57.281 MiB during the build"};
  rows["pclog_PackageCompiler-412_llvm_out_of_memory_win32.txt"] = {
      {E{K::Step, "creating system image object file, this might take a while...", {}},
       E{K::Error, "LLVM ERROR: out of memory", {}}, E{K::Signal, "signal (22): SIGABRT", {}}},
      {"creating system image object file, this might take a while..."},
      "LLVM ran out of memory while compiling the system image (LLVM ERROR: out of memory)"};
  rows["pclog_PackageCompiler-670_nontty_spinner_signal9_arm64.txt"] = {
      {E{K::Step, "Executing /root/user1/precompile_instructions.jl => /tmp/jl_packagecompiler_ywfDbS/jl_kTPbhe", {}},
       E{K::Step, "Done", {}}, E{K::Step, kCompiling, {}},
       E{K::Error,
         "failed process: Process(`/usr/local/julia/bin/julia --color=auto --startup-file=no --cpu-target=native -O3 "
         "--sysimage=/usr/local/julia/lib/julia/sys.so --project=/root/user1 --output-o=/tmp/jl_CGsEcw.o "
         "/tmp/jl_6SNuOj`, ProcessSignaled(9)) [0]",
         {}}},
      {"Executing /root/user1/precompile_instructions.jl => /tmp/jl_packagecompiler_ywfDbS/jl_kTPbhe", "Done",
       kCompiling},
      "the Julia process compiling the system image was killed (signal 9), probably out of memory"};
  rows["pclog_PackageCompiler-686_unable_to_find_compatible_target.txt"] = {
      {E{K::Step, kCompiling, 0}, E{K::Error, "Unable to find compatible target in system image.", {}},
       E{K::StepFailed, kCompiling, 0},
       E{K::Error,
         "failed process: Process(`/home/dani/dev/julia/julia/usr/bin/julia --color=yes --startup-file=no "
         "--cpu-target=generic -O3 --sysimage=/home/dani/dev/julia/julia/usr/lib/julia/sys.so "
         "--project=/home/dani/dev/julia/packagecompiler --output-o=/tmp/jl_TEraX2tclA.o /tmp/jl_bAfeLazYJs`, "
         "ProcessExited(1)) [1]",
         {}}},
      {kCompiling},
      "Unable to find compatible target in system image: the base sysimage has no code for --cpu-target=generic"};
  rows["pclog_PackageCompiler-739_failed_ProcessSignaled9.txt"] = {
      {E{K::Step, kCompiling, 832}, E{K::StepFailed, kCompiling, 832},
       E{K::Error,
         "failed process: Process(`/home/ian/.julia/juliaup/julia-1.8.2+0.x64/bin/julia --color=yes --startup-file=no "
         "--cpu-target=native -O3 --sysimage=/home/ian/.julia/juliaup/julia-1.8.2+0.x64/lib/julia/sys.so "
         "--project=/home/ian/.julia/packages/Foo/A61yO --output-o=/tmp/jl_j0by5sNSt8.o /tmp/jl_ZurqZanGvy`, "
         "ProcessSignaled(9)) [0]",
         {}}},
      {kCompiling},
      "the Julia process compiling the system image was killed (signal 9), probably out of memory"};
  rows["pclog_PackageCompiler-docs_apps_md_create_app.txt"] = {
      {E{K::Step, "creating base system image (incremental=false), this might take a while...", {}},
       E{K::Step, "creating system image object file, this might take a while...", {}}},
      {"creating base system image (incremental=false), this might take a while...",
       "creating system image object file, this might take a while..."},
      std::nullopt};
  rows["pclog_julia-vscode-2202_old_format_windows.txt"] = {
      {E{K::Step, "creating system image object file, this might take a while...", {}}},
      {"creating system image object file, this might take a while..."},
      std::nullopt};
  // julia-vscode's own header only: no PackageCompiler step yet.
  rows["pclog_julia-vscode-3067_vscode_task_header.txt"] = {{}, {}, std::nullopt};
  // Cut off in the middle of the spinner's message.
  rows["pclog_julia-vscode-docs-64_vscode_task_incremental_spinner.txt"] = {
      {E{K::Step,
         "Executing /home/dennishb/.julia/environments/v1.8/sysimage_excecution_file.jl => "
         "/tmp/jl_packagecompiler_6oMthK/jl_LZjdP3",
         {}},
       E{K::Step, "Done", {}}, E{K::Step, "compiling incremental system", 709}},
      {"Executing /home/dennishb/.julia/environments/v1.8/sysimage_excecution_file.jl => "
       "/tmp/jl_packagecompiler_6oMthK/jl_LZjdP3",
       "Done", "compiling incremental system"},
      std::nullopt};
  return rows;
}

std::string describe(const std::vector<E>& events) {
  const char* names[] = {"Step", "StepSucceeded", "StepFailed", "Warning", "Error", "Signal", "StatementFailed"};
  std::string s;
  for (const auto& e : events) {
    s += std::string(names[static_cast<int>(e.kind)]) + " [" + e.text + "]" +
         (e.elapsedSeconds ? " t=" + std::to_string(*e.elapsedSeconds) : "") + "\n";
  }
  return s;
}

TEST(PackageCompilerLog, EveryFixtureHasExactStepsAndReason) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const std::filesystem::path dir = std::filesystem::path(SYSIMAGE_FIXTURES_DIR) / "build-logs";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  auto rows = expectations();
  std::size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    auto it = rows.find(name);
    ASSERT_NE(it, rows.end()) << "a fixture without expectations: add a row for " << name;
    const std::string text = readFixture(entry.path());
    const auto log = parsePackageCompilerLog(text);
    EXPECT_EQ(log.events, it->second.events) << describe(log.events);
    EXPECT_EQ(log.steps, it->second.steps);
    EXPECT_EQ(log.failureReason, it->second.reason);

    // The same bytes one at a time give the same events (chunk boundaries anywhere, also inside
    // UTF-8 frames and escape sequences).
    PackageCompilerLogParser bytewise;
    std::vector<E> events;
    for (char c : text) {
      for (auto& e : bytewise.feed(std::string_view(&c, 1))) events.push_back(e);
    }
    for (auto& e : bytewise.finish()) events.push_back(e);
    EXPECT_EQ(events, it->second.events);
    ++seen;
  }
  EXPECT_EQ(seen, rows.size());
}

// What TerminalSpinners.jl writes to a TTY for one step: hide the cursor, frames redrawn with
// ESC[2K ESC[1G, styled with printstyled (bold + colour), then ✔ and show the cursor.
std::string spinnerOutput(const std::string& msg, bool success, const std::string& between = "") {
  const std::string cyan = "\x1b[36m\x1b[1m", reset = "\x1b[22m\x1b[39m";
  const char* frames[] = {"⠋", "⠙", "⠸", "⢰"};
  std::string out = "\x1b[?25l";
  for (int i = 0; i < 4; ++i) {
    if (i > 0) out += "\x1b[2K\x1b[1G";
    out += cyan + frames[i] + reset + cyan + " [00m:0" + std::to_string(i) + "s]" + reset + " " + msg;
    if (i == 2) out += between;
  }
  out += "\x1b[2K\x1b[1G";
  out += (success ? "\x1b[92m\x1b[1m✔" : "\x1b[91m\x1b[1m✖") + reset + cyan + " [01m:07s]" + reset + " " + msg;
  out += "\x1b[?25h\n";
  return out;
}

TEST(PackageCompilerLog, TerminalSpinnerWithAnsiCodes) {
  const std::string msg = "PackageCompiler: compiling incremental system image";
  const auto log = parsePackageCompilerLog("[ Info: PackageCompiler: Executing /w.jl => /tmp/t\n"
                                           "[ Info: PackageCompiler: Done\n" +
                                           spinnerOutput(msg, true));
  EXPECT_EQ(log.events, (std::vector<E>{E{K::Step, "Executing /w.jl => /tmp/t", {}}, E{K::Step, "Done", {}},
                                        E{K::Step, kCompiling, 0}, E{K::StepSucceeded, kCompiling, 67}}));
  EXPECT_FALSE(log.failureReason);
}

TEST(PackageCompilerLog, SpinnerFailureWithLlvmErrorOnTheFrameLine) {
  const auto log = parsePackageCompilerLog(
      spinnerOutput("PackageCompiler: compiling nonincremental system image", false, "LLVM ERROR: out of memory\n") +
      "ERROR: failed process: Process(`julia --cpu-target=native --output-o=/tmp/x.o /tmp/y`, ProcessSignaled(6)) [0]\n");
  EXPECT_EQ(log.steps, (std::vector<std::string>{"compiling nonincremental system image"}));
  EXPECT_EQ(log.events.back().kind, K::Error);
  EXPECT_EQ(log.failureReason, "LLVM ran out of memory while compiling the system image (LLVM ERROR: out of memory)");
}

TEST(PackageCompilerLog, FramesReportedWhenTheNextRedrawArrives) {
  PackageCompilerLogParser p;
  EXPECT_TRUE(p.feed("\x1b[?25l\x1b[36m\x1b[1m⠋\x1b[22m\x1b[39m [00m:00s] PackageCompiler: compiling").empty());
  EXPECT_TRUE(p.feed(" incremental system image").empty());
  auto events = p.feed("\x1b[2K\x1b[1G⠙ [00m:01s] PackageCompiler: compiling incremental system image");
  EXPECT_EQ(events, (std::vector<E>{E{K::Step, kCompiling, 0}}));
  EXPECT_TRUE(p.feed("\x1b[2K\x1b[1G⠸ [01h:02m:03s] PackageCompiler: compiling incremental system image").empty());
  events = p.feed("\x1b[2K\x1b[1G✔ [01h:02m:04s] PackageCompiler: compiling incremental system image\x1b[?25h\n");
  EXPECT_EQ(events, (std::vector<E>{E{K::StepSucceeded, kCompiling, 3724}}));
}

TEST(PackageCompilerLog, PipedFormOneLinePerStep) {
  const auto log = parsePackageCompilerLog(
      "Precompiling project...\n"
      "  3 dependencies successfully precompiled in 20 seconds\n"
      "- PackageCompiler: creating compiler sysimage (incremental=false)\r\n"
      "- PackageCompiler: compiling fresh sysimage (incremental=false)\n"
      "- PackageCompiler: compiling nonincremental system image\n"
      "┌ Warning: The generated sysimage is 2.31 GiB, which is over the 2 GiB limit for loading DLLs on Windows\n"
      "└ @ PackageCompiler ~/.julia/packages/PackageCompiler/x/src/PackageCompiler.jl:300\n");
  EXPECT_EQ(log.steps, (std::vector<std::string>{"Precompiling project...", "creating compiler sysimage (incremental=false)",
                                                 "compiling fresh sysimage (incremental=false)",
                                                 "compiling nonincremental system image"}));
  EXPECT_EQ(log.events.back(),
            (E{K::Warning,
               "The generated sysimage is 2.31 GiB, which is over the 2 GiB limit for loading DLLs on Windows", {}}));
  EXPECT_FALSE(log.failureReason);
}

TEST(PackageCompilerLog, ReasonsOfOtherFailures) {
  EXPECT_EQ(parsePackageCompilerLog("- PackageCompiler: compiling incremental system image\n"
                                    "ERROR: failed process: Process(`julia x`, ProcessSignaled(11)) [0]\n")
                .failureReason,
            "the Julia process compiling the system image was killed by signal 11");
  EXPECT_EQ(parsePackageCompilerLog("ERROR: LoadError: could not find a compiler, looked for gcc and clang\n"
                                    "ERROR: failed process: Process(`julia x`, ProcessExited(1)) [1]\n")
                .failureReason,
            "the Julia process compiling the system image exited with status 1: LoadError: could not find a compiler, "
            "looked for gcc and clang");
  EXPECT_EQ(parsePackageCompilerLog("ERROR: PackageCompiler cannot be loaded from /p or the rest of LOAD_PATH: "
                                    "ArgumentError: Package PackageCompiler not found in current path:\n"
                                    "- Run `import Pkg; Pkg.add(\"PackageCompiler\")` to install the PackageCompiler "
                                    "package.\n")
                .failureReason,
            "PackageCompiler cannot be loaded from /p or the rest of LOAD_PATH: ArgumentError: Package "
            "PackageCompiler not found in current path:");
  EXPECT_EQ(parsePackageCompilerLog("signal (11): Segmentation fault\nin expression starting at none:0\n").failureReason,
            "Julia crashed (signal (11): Segmentation fault)");
  EXPECT_EQ(parsePackageCompilerLog("✖ [00m:03s] PackageCompiler: bundling artifacts\n").failureReason,
            "PackageCompiler failed while bundling artifacts");
}

// PackageCompiler 1.4.0 on Julia 1.5.3, run by packagecompiler_build.jl (JULIA_DEBUG=anonymous) on
// one of these machines for the FL example: its output, with the timestamps removed.
constexpr const char* kPackageCompiler140Output =
    "[ Info: sysimage-server: create_sysimage([:DelimitedFiles, :Statistics]; sysimage_path=\"/w/sysimage.so\", ...)\n"
    "[ Info: sysimage-server: PackageCompiler 1.4.0 from /p/PackageCompiler.jl-1.4.0/src/PackageCompiler.jl\n"
    "[ Info: PackageCompiler: creating system image object file, this might take a while...\n"
    "┌ Debug: failed to execute precompile(Tuple{typeof(FLInsurance.main)})\n"
    "└ @ Main.anonymous none:33\n"
    "┌ Debug: failed to execute precompile(Tuple{typeof(Base.findall), FLInsurance.var\"#4#8\"{Array{String, 1}, "
    "Array{String, 1}, Tuple{String, String}}, Base.OneTo{Int64}})\n"
    "└ @ Main.anonymous none:33\n"
    "┌ Debug: failed to execute precompile(Tuple{typeof(Base.doesnotexist), Int64})\n"
    "└ @ Main.anonymous none:33\n";

TEST(PackageCompilerLog, FailedStatementsOfPackageCompiler1) {
  const auto log = parsePackageCompilerLog(kPackageCompiler140Output);
  EXPECT_EQ(log.steps, (std::vector<std::string>{"creating system image object file, this might take a while..."}));
  EXPECT_EQ(log.events.size(), 4u);
  EXPECT_EQ(log.events[1], (E{K::StatementFailed, "precompile(Tuple{typeof(FLInsurance.main)})", {}}));
  EXPECT_EQ(log.events[3], (E{K::StatementFailed, "precompile(Tuple{typeof(Base.doesnotexist), Int64})", {}}));
  EXPECT_FALSE(log.failureReason) << "skipped statements never fail a build";
  PackageCompilerLogParser p;
  p.feed(kPackageCompiler140Output);
  EXPECT_EQ(p.statementsFailed(), 3u);
}

TEST(PackageCompilerLog, FailedStatementsOfPackageCompiler2AndOtherDebugLines) {
  // src/PackageCompiler.jl @7fa17bd3, the replay loop of create_sysimg_object_file (ConsoleLogger).
  const auto log = parsePackageCompilerLog(
      "┌ Debug: importing Parsers into PrecompileStagingArea\n"
      "└ @ Main.anonymous none:30\n"
      "┌ Debug: zero or multiple modules loaded with name Foo\n"
      "└ @ Main.anonymous none:26\n"
      "┌ Debug: failed to execute precompile(Tuple{typeof(Base.f), Int64}): MethodError(...)\n"
      "└ @ Main.anonymous none:36\n"
      "[ Debug: something else\n");
  EXPECT_EQ(log.events, (std::vector<E>{E{K::StatementFailed, "zero or multiple modules loaded with name Foo", {}},
                                        E{K::StatementFailed, "precompile(Tuple{typeof(Base.f), Int64}): MethodError(...)",
                                          {}}}));
}

TEST(PackageCompilerLog, ExecutionFileMarkersOfPackageCompiler1) {
  const auto log = parsePackageCompilerLog("[ Info: ===== Start precompile execution =====\n"
                                           "hello from the workload\n"
                                           "[ Info: ===== End precompile execution =====\n");
  EXPECT_EQ(log.steps, (std::vector<std::string>{"Start precompile execution", "End precompile execution"}));
}

TEST(StripAnsi, RemovesCsiAndTwoByteSequences) {
  EXPECT_EQ(stripAnsi("\x1b[2K\x1b[1A\x1b[1G\x1b[?25l\x1b[36m\x1b[1mok\x1b[22m\x1b[39m\x1b[?25h"), "ok");
  EXPECT_EQ(stripAnsi("a\x1b" "7b\x1b" "8c"), "abc");
  EXPECT_EQ(stripAnsi("[01m:07s] stays"), "[01m:07s] stays");  // no ESC: not a sequence
  EXPECT_EQ(stripAnsi("cut\x1b["), "cut");
}

}  // namespace
}  // namespace sysimage::julia
