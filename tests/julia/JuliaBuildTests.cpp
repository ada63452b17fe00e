// Real-Julia tests of the build backends (server/julia/build_job.h) with the Debian Julia 1.5.3
// from scripts/install-julia: one full native build of statements recorded from stdlib calls
// (~2 min of CPU), then cheap runs that end early: cancellation while replaying and while
// compiling, SIGKILL, timeout, no C compiler, a read-only work dir, and the PackageCompiler
// backend as far as it can go here (no General registry, so no PackageCompiler).
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/julia/build_job.h"
#include "server/platform/uv_loop.h"
#include "tests/platform/post_queue.h"

namespace sysimage::julia::build_tests {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Status = BuildOutcome::Status;
using Clock = std::chrono::steady_clock;

fs::path realJulia() { return fs::path(SYSIMAGE_SOURCE_DIR) / ".julia-runtime" / "bin" / "julia"; }

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Sets an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class JuliaBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(realJulia())) << "run scripts/install-julia first";
    std::string pattern = (fs::temp_directory_path() / "sysimage-build-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    JuliaProber prober(SYSIMAGE_JULIA_SCRIPTS_DIR);
    julia_ = prober.probe(realJulia());
    launcher_ = platform::makeUvProcessLauncher(loop_, queue_.post());
  }
  void TearDown() override {
    job_.reset();
    launcher_.reset();
    ::chmod((dir_ / "ro").c_str(), 0755);
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  BuildRequest request(std::vector<fs::path> statements) {
    BuildRequest r;
    r.julia = julia_;
    r.defaultEnvironment = true;
    r.packages = {"Statistics", "DelimitedFiles"};
    r.statementFiles = std::move(statements);
    r.workDir = dir_ / "work";
    return r;
  }

  fs::path writeFile(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

  // Statements that keep the replaying phase busy for `seconds` (each sleeps 50 ms in the build).
  fs::path slowStatements(int seconds) {
    std::string text;
    for (int i = 0; i < seconds * 20; ++i) text += "Libc.systemsleep(0.05)\n";
    return writeFile("slow.jl", text);
  }

  // Starts a job; `onProgress` may act on it (cancel, kill). Runs until the outcome or `timeout`.
  BuildOutcome run(BuildRequest r, std::function<void(BuildJob&, const BuildProgress&)> onProgress = {},
                   std::chrono::seconds timeout = std::chrono::seconds(60)) {
    BuildJobContext ctx{launcher_.get(), [this] { return platform::makeUvTimer(loop_, queue_.post()); },
                        queue_.post(), SYSIMAGE_JULIA_SCRIPTS_DIR};
    job_ = std::make_unique<BuildJob>(std::move(r), ctx);
    std::optional<BuildOutcome> outcome;
    started_ = Clock::now();
    job_->start(
        [&](const BuildProgress& p) {
          progress_.push_back({since(started_), p});
          if (onProgress) onProgress(*job_, p);
        },
        [&](const BuildOutcome& o) { outcome = o; });
    EXPECT_TRUE(queue_.runUntil([&] { return outcome.has_value(); }, timeout)) << "no outcome in time";
    return outcome.value_or(BuildOutcome{});
  }

  // Waits up to `timeout` for every process of the group to be gone (reaped: no zombies either).
  bool groupGone(int pgid, std::chrono::milliseconds timeout) {
    return queue_.runUntil([&] { return ::kill(-pgid, 0) == -1 && errno == ESRCH; }, timeout);
  }

  struct Seen {
    double at;
    BuildProgress progress;
  };

  fs::path dir_;
  JuliaInstallation julia_;
  platform::testing::PostQueue queue_;
  platform::UvLoop loop_;
  std::unique_ptr<platform::ProcessLauncher> launcher_;
  std::unique_ptr<BuildJob> job_;
  std::vector<Seen> progress_;
  Clock::time_point started_ = Clock::now();
};

// Runs `code` with `image` (empty: the default image) and --trace-compile; returns the number of
// statements Julia had to compile and what it printed.
std::pair<int, std::string> traceRun(const fs::path& image, const fs::path& traceFile, const std::string& code) {
  platform::ProcessOptions o;
  o.program = realJulia();
  o.args = {"--startup-file=no", "--history-file=no", "--trace-compile=" + traceFile.string()};
  if (!image.empty()) o.args.push_back("-J" + image.string());
  o.args.insert(o.args.end(), {"-e", code});
  const auto r = platform::runProcessSync(o, std::chrono::seconds(60));
  EXPECT_EQ(r.status.exitCode, 0) << r.err;
  int count = 0;
  std::istringstream in(readFile(traceFile));
  for (std::string line; std::getline(in, line);) count += line.rfind("precompile(", 0) == 0 ? 1 : 0;
  return {count, r.out};
}

constexpr const char* kWorkload =
    "using Statistics, DelimitedFiles; "
    "m = readdlm(IOBuffer(\"a,b\\n1,2.5\\n3,4.5\\n5,6.0\\n\"), ',', Float64; skipstart=1); "
    "print(mean(m[:, 2]), \" \", median(m[:, 1]), \" \", round(std(m[:, 2]); digits=3))";

TEST_F(JuliaBuild, NativeBuildOfRecordedStdlibStatementsLoadsAndCountsTheFailure) {
  // Record the workload's statements for real, then add one that cannot replay.
  const auto [recorded, printed] = traceRun({}, dir_ / "trace.jl", kWorkload);
  EXPECT_EQ(printed, "4.333333333333333 3.0 1.756");
  ASSERT_GT(recorded, 5);
  std::ofstream(dir_ / "trace.jl", std::ios::app) << "precompile(Tuple{typeof(Main.nope), Int})\n";

  const auto t0 = Clock::now();
  auto o = run(request({dir_ / "trace.jl"}), {}, std::chrono::seconds(600));
  const double wall = since(t0);
  ASSERT_EQ(o.status, Status::Succeeded) << o.reason << "\n" << readFile(dir_ / "work" / "build.log");
  EXPECT_EQ(o.reason, "");
  EXPECT_EQ(o.image, dir_ / "work" / "sysimage.so");
  EXPECT_EQ(o.statementsFailed, 1u);
  EXPECT_EQ(o.statementsOk, static_cast<std::size_t>(recorded));
  EXPECT_FALSE(fs::exists(dir_ / "work" / "sys.o"));
  EXPECT_GT(fs::file_size(o.image), 50u << 20);

  // Phases in order, percentages never down, the documented messages.
  std::vector<std::string> phases;
  unsigned last = 0;
  double compilingAt = 0, linkingAt = 0;
  for (const auto& s : progress_) {
    if (phases.empty() || phases.back() != s.progress.phase) {
      phases.push_back(s.progress.phase);
      if (s.progress.phase == "compiling") compilingAt = s.at;
      if (s.progress.phase == "linking") linkingAt = s.at;
    }
    EXPECT_GE(s.progress.percentage, last);
    last = s.progress.percentage;
  }
  EXPECT_EQ(phases, (std::vector<std::string>{"preparing", "loading", "replaying", "executing", "compiling", "linking"}));
  auto has = [&](const std::string& message) {
    for (const auto& s : progress_) {
      if (s.progress.message == message) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("Loading packages (2/2)"));
  const std::string total = std::to_string(recorded + 1);
  EXPECT_TRUE(has("Replaying statements " + total + "/" + total));
  EXPECT_TRUE(has("Compiling native code"));
  EXPECT_TRUE(has("Linking"));
  EXPECT_GT(last, 60u);  // the compiling estimate moved on during the ~1.5 min
  EXPECT_LT(last, 100u);

  // The image holds the packages and their compiled code: Statistics is loaded at start, and the
  // recorded workload needs fewer new compilations than with the default image.
  platform::ProcessOptions check;
  check.program = realJulia();
  check.args = {"--startup-file=no", "-J", o.image.string(), "-e",
                "print(haskey(Base.loaded_modules, Base.PkgId(Base.UUID(\"10745b16-79ce-11e8-11f9-7d13ad32a3b2\"), "
                "\"Statistics\")))"};
  const auto loaded = platform::runProcessSync(check, std::chrono::seconds(60));
  EXPECT_EQ(loaded.out, "true") << loaded.err;
  const auto [withImage, printedWithImage] = traceRun(o.image, dir_ / "trace2.jl", kWorkload);
  EXPECT_EQ(printedWithImage, "4.333333333333333 3.0 1.756");
  EXPECT_LT(withImage, recorded);

  const std::string log = readFile(dir_ / "work" / "build.log");
  EXPECT_THAT(log, HasSubstr("--cpu-target native"));
  EXPECT_THAT(log, HasSubstr("build_sysimage.jl: statement " + total + " failed: UndefVarError: nope not defined"));
  EXPECT_THAT(log, HasSubstr("-l:libjulia.so.1"));
  std::cout << "[ measured ] native build " << wall << " s wall (job: " << o.durationSeconds
            << " s); compiling began at " << compilingAt << " s, linking at " << linkingAt << " s; "
            << recorded << " statements recorded, " << withImage << " compiled again with the image; image "
            << (fs::file_size(o.image) >> 20) << " MiB" << std::endl;
}

TEST_F(JuliaBuild, CancelWhileReplayingStopsTheGroupWithin2s) {
  int pgid = 0;
  Clock::time_point cancelledAt;
  auto o = run(request({slowStatements(20)}), [&](BuildJob& job, const BuildProgress& p) {
    if (pgid == 0 && p.phase == "replaying" && p.statementsOk >= 1) {
      pgid = job.pid().value_or(0);
      cancelledAt = Clock::now();
      job.cancel();
    }
  });
  ASSERT_GT(pgid, 0) << "never reached replaying";
  EXPECT_EQ(o.status, Status::Cancelled);
  EXPECT_EQ(o.reason, "build cancelled");
  EXPECT_TRUE(groupGone(pgid, std::chrono::milliseconds(500)));
  const double took = since(cancelledAt);
  EXPECT_LT(took, 2.0);
  EXPECT_TRUE(o.image.empty());
  std::cout << "[ measured ] cancel while replaying: outcome and group gone " << took << " s after cancel()" << std::endl;
}

TEST_F(JuliaBuild, CancelWhileCompilingStopsTheGroupWithin2s) {
  auto statements = writeFile("few.jl", "precompile(Tuple{typeof(Statistics.mean), Vector{Float64}})\n");
  int pgid = 0;
  Clock::time_point cancelledAt;
  auto o = run(request({statements}), [&](BuildJob& job, const BuildProgress& p) {
    if (pgid == 0 && p.phase == "compiling" && p.percentage > 35) {  // a moment into compiling
      pgid = job.pid().value_or(0);
      cancelledAt = Clock::now();
      job.cancel();
    }
  });
  ASSERT_GT(pgid, 0) << "never reached compiling";
  EXPECT_EQ(o.status, Status::Cancelled);
  EXPECT_TRUE(groupGone(pgid, std::chrono::milliseconds(500)));
  const double took = since(cancelledAt);
  EXPECT_LT(took, 2.0);
  EXPECT_THAT(o.logTail.back(), StartsWith("# cancelled after "));
  std::cout << "[ measured ] cancel while compiling: " << took << " s after cancel()" << std::endl;
}

TEST_F(JuliaBuild, SigkillOfJuliaIsReportedAsKilled) {
  int pid = 0;
  auto o = run(request({slowStatements(20)}), [&](BuildJob& job, const BuildProgress& p) {
    if (pid == 0 && p.phase == "replaying" && p.statementsOk >= 1) {
      pid = job.pid().value_or(0);
      ::kill(pid, SIGKILL);  // as the OOM killer would: the process, not the group
    }
  });
  ASSERT_GT(pid, 0);
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_THAT(o.reason, StartsWith("Julia was killed (signal 9)"));
  EXPECT_THAT(o.reason, HasSubstr("free"));
  EXPECT_TRUE(groupGone(pid, std::chrono::seconds(1)));
  std::cout << "[ measured ] reason: " << o.reason << std::endl;
}

TEST_F(JuliaBuild, TimeoutStopsJulia) {
  auto r = request({slowStatements(20)});
  r.timeout = std::chrono::seconds(3);
  int pgid = 0;
  auto o = run(r, [&](BuildJob& job, const BuildProgress&) {
    if (pgid == 0) pgid = job.pid().value_or(0);
  });
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_EQ(o.reason, "build timed out after 3 s");
  EXPECT_LT(o.durationSeconds, 5.0);
  ASSERT_GT(pgid, 0);
  EXPECT_TRUE(groupGone(pgid, std::chrono::seconds(1)));
}

TEST_F(JuliaBuild, NoCompilerFailsAtOnce) {
  {
    ScopedEnv cc("CC", dir_ / "no-such-compiler");
    auto o = run(request({}));
    EXPECT_EQ(o.status, Status::Failed);
    EXPECT_THAT(o.reason, StartsWith("no C compiler found: CC is \"" + (dir_ / "no-such-compiler").string()));
    EXPECT_LT(o.durationSeconds, 1.0);
  }
  {
    fs::create_directories(dir_ / "emptybin");
    ScopedEnv cc("CC", std::nullopt);
    ScopedEnv path("PATH", (dir_ / "emptybin").string());
    auto o = run(request({}));
    EXPECT_EQ(o.status, Status::Failed);
    EXPECT_EQ(o.reason, "no C compiler found: install gcc (build-essential); looked for cc, gcc and clang on PATH");
    EXPECT_FALSE(fs::exists(dir_ / "work" / "progress.jsonl"));  // Julia never ran
  }
}

TEST_F(JuliaBuild, ReadOnlyWorkDirIsAClearError) {
  const fs::path ro = dir_ / "ro";
  fs::create_directories(ro);
  ASSERT_EQ(::chmod(ro.c_str(), 0555), 0);
  auto r = request({});
  r.workDir = ro;
  // root writes anywhere: start the job as an unprivileged user, as the server normally runs.
  const bool root = ::geteuid() == 0;
  if (root && ::seteuid(65534) != 0) {
    GTEST_SKIP() << "running as root without a way to drop privileges";
  }
  BuildJobContext ctx{launcher_.get(), [this] { return platform::makeUvTimer(loop_, queue_.post()); }, queue_.post(),
                      SYSIMAGE_JULIA_SCRIPTS_DIR};
  job_ = std::make_unique<BuildJob>(r, ctx);
  std::optional<BuildOutcome> outcome;
  job_->start([](const BuildProgress&) {}, [&](const BuildOutcome& o) { outcome = o; });
  if (root) {
    ASSERT_EQ(::seteuid(0), 0);
  }
  ASSERT_TRUE(queue_.runUntil([&] { return outcome.has_value(); }, std::chrono::seconds(5)));
  EXPECT_EQ(outcome->status, Status::Failed);
  EXPECT_EQ(outcome->reason, "output directory not writable: " + ro.string() + " (Permission denied)");
}

TEST_F(JuliaBuild, PackageCompilerScriptArgumentsAndMissingPackageCompiler) {
  auto r = request({dir_ / "trace.jl"});
  r.backend = Backend::PackageCompiler;
  r.cpuTarget = "portable";
  r.executionFiles = {dir_ / "workload.jl"};
  const auto paths = BuildPaths::forRequest(r);
  auto command = packageCompilerCommand(r, paths, SYSIMAGE_JULIA_SCRIPTS_DIR, "/usr/bin/cc");
  platform::ProcessOptions o;
  o.program = command.program;
  o.args = command.args;
  o.args.push_back("--dry-run");
  const auto dry = platform::runProcessSync(o, std::chrono::seconds(60));
  ASSERT_EQ(dry.status.exitCode, 0) << dry.err;
  const std::string env = (julia_.depotPath.front() / "environments" / "v1.5").string();
  EXPECT_EQ(dry.out, "create_sysimage([:Statistics, :DelimitedFiles]; sysimage_path=\"" + paths.image.string() +
                         "\", project=\"" + env + "\", precompile_statements_file=[\"" + (dir_ / "trace.jl").string() +
                         "\"], precompile_execution_file=[\"" + (dir_ / "workload.jl").string() +
                         "\"], cpu_target=\"generic;sandybridge,-xsaveopt,clone_all;haswell,-rdrnd,base(1)\")\n");

  // The real run stops where these machines stop it: PackageCompiler is not installed.
  auto outcome = run(r);
  EXPECT_EQ(outcome.status, Status::Failed);
  EXPECT_THAT(outcome.reason, StartsWith("PackageCompiler cannot be loaded from " + env +
                                         " or the rest of LOAD_PATH: ArgumentError: Package PackageCompiler not found"));
  EXPECT_EQ(outcome.backend, Backend::PackageCompiler);
}

}  // namespace
}  // namespace sysimage::julia::build_tests
