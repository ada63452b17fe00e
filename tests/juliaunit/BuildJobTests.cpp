// Tests of BuildJob's state machine with stand-ins for julia and cc (shell scripts that write the
// progress file and outputs as the real ones do), on a real UvLoop: success, every failure path,
// cancellation and timeout of a whole process group. The real-Julia tests are in
// tests/julia/JuliaBuildTests.cpp.
#include "server/julia/build_job.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/platform/uv_loop.h"
#include "tests/platform/post_queue.h"

namespace sysimage::julia {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Status = BuildOutcome::Status;

// Plays the three kinds of native step by their arguments: prepare.jl (writes the packages file
// and the progress lines of prepare.jl; $FAKE_PREPARE_MODE), an execution file (has
// --trace-compile=; writes a trace; $FAKE_TRACE_MODE) and build_sysimage.jl (reads request.txt,
// writes --output-o=; $FAKE_JULIA_MODE).
constexpr const char* kFakeJulia = R"SH(#!/bin/sh
for a in "$@"; do last="$a"; done
out=""; trace=""; step=""
for a in "$@"; do
  case "$a" in
    --output-o=*) out="${a#--output-o=}" ;;
    --trace-compile=*) trace="${a#--trace-compile=}" ;;
    */prepare.jl) step=prepare ;;
  esac
done
if [ -n "$trace" ]; then
  echo "fake workload in $(pwd) with JULIA_LOAD_PATH=$JULIA_LOAD_PATH" >&2
  echo 'precompile(Tuple{typeof(sum), Vector{Int64}})' > "$trace"
  case "$FAKE_TRACE_MODE" in
    exit3) exit 3 ;;
    segv) kill -SEGV $$ ;;
    sleep) sleep 30 & sleep 30 ;;
  esac
  exit 0
fi
progress=$(sed -n 's/^progress=//p' "$last")
emit() { echo "$1" >> "$progress"; }
if [ "$step" = prepare ]; then
  echo "fake prepare starting" >&2
  emit '{"event":"phase","phase":"preparing"}'
  case "$FAKE_PREPARE_MODE" in
    missing)
      emit '{"event":"error","message":"cannot build: not installed: Nope [3c0b384b-479c-5684-b2ef-9d7a46dd931e]"}'
      echo "prepare.jl: error: cannot build: not installed" >&2
      exit 1 ;;
    exit2) echo "ERROR: LoadError: prepare broke" >&2; exit 2 ;;
    nofile) exit 0 ;;
    sleep) sleep 30 & sleep 30; exit 0 ;;
  esac
  emit '{"event":"precompile","name":"Statistics","index":1,"total":1,"ok":true}'
  echo "Statistics 10745b16-79ce-11e8-11f9-7d13ad32a3b2" > "$(sed -n 's/^packages_file=//p' "$last")"
  emit '{"event":"prepared","packages":1}'
  exit 0
fi
echo "fake julia starting" >&2
emit '{"event":"phase","phase":"loading"}'
case "$FAKE_JULIA_MODE" in
  pkgerror)
    emit '{"event":"package","name":"Nope","index":1,"total":1,"ok":false,"error":"ArgumentError: Package Nope not found"}'
    emit '{"event":"error","message":"cannot load package Nope: ArgumentError: Package Nope not found"}'
    echo "build_sysimage.jl: error: cannot load package Nope" >&2
    exit 1 ;;
  segv) kill -SEGV $$ ;;
  exit3) echo "ERROR: LoadError: something broke" >&2; exit 3 ;;
  sleep) sleep 30 & sleep 30; exit 0 ;;
  nodone) exit 0 ;;
esac
emit '{"event":"package","name":"Statistics","index":1,"total":1,"ok":true}'
emit '{"event":"phase","phase":"replaying"}'
emit '{"event":"statement","index":0,"total":4,"ok":0,"failed":0}'
emit 'garbage that is not json'
emit '{"event":"statement","index":4,"total":4,"ok":3,"failed":1}'
emit '{"event":"phase","phase":"finishing"}'
printf '{"event":"done","ok":3,"failed":1}\n' >> "$progress"
echo "fake julia: done"
[ "$FAKE_JULIA_MODE" = "noobject" ] || echo object > "$out"
exit 0
)SH";

// Writes the -o file unless $FAKE_CC_MODE is "fail".
constexpr const char* kFakeCc = R"(#!/bin/sh
while [ $# -gt 0 ]; do
  if [ "$1" = "-o" ]; then out="$2"; fi
  shift
done
if [ "$FAKE_CC_MODE" = "fail" ]; then
  echo "/usr/bin/ld: cannot find -l:libjulia.so.1: No such file or directory" >&2
  echo "collect2: error: ld returned 1 exit status" >&2
  exit 1
fi
echo image > "$out"
)";

class BuildJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "sysimage-job-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    julia_ = script("julia", kFakeJulia);
    cc_ = script("cc", kFakeCc);
    if (const char* cc = std::getenv("CC")) savedCc_ = cc;
    ::setenv("CC", cc_.c_str(), 1);
    for (const char* mode : {"FAKE_JULIA_MODE", "FAKE_CC_MODE", "FAKE_PREPARE_MODE", "FAKE_TRACE_MODE"}) ::unsetenv(mode);
    launcher_ = platform::makeUvProcessLauncher(loop_, queue_.post());
  }
  void TearDown() override {
    job_.reset();
    launcher_.reset();
    if (savedCc_) {
      ::setenv("CC", savedCc_->c_str(), 1);
    } else {
      ::unsetenv("CC");
    }
    ::chmod(dir_.c_str(), 0755);
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path script(const std::string& name, const char* text) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    ::chmod(p.c_str(), 0755);
    return p;
  }

  BuildRequest request() {
    BuildRequest r;
    r.julia.executable = julia_;
    r.julia.version = *core::VersionNumber::parse("1.5.3");
    r.julia.versionText = "1.5.3";
    r.julia.libdir = "/lib";
    r.julia.privateLibdir = "/lib/julia";
    r.julia.imageFile = "/lib/julia/sys.so";
    r.julia.stdlib = "/share/julia/stdlib/v1.5";
    r.julia.arch = "x86_64";
    r.julia.os = "Linux";
    r.julia.libjuliaFiles = {"libjulia.so.1"};
    r.defaultEnvironment = true;
    r.julia.depotPath = {dir_ / "depot"};
    r.packages = {"Statistics"};
    r.workDir = dir_ / "work";
    return r;
  }

  // Starts a job and runs the loop until it finishes (or `timeout`).
  BuildOutcome run(BuildRequest r, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                   std::function<void(BuildJob&, const BuildProgress&)> onProgress = {}) {
    platform::testing::PostQueue* queue = &queue_;
    BuildJobContext ctx{launcher_.get(), [this] { return platform::makeUvTimer(loop_, queue_.post()); }, queue->post(),
                        {}};
    job_ = std::make_unique<BuildJob>(std::move(r), ctx);
    std::optional<BuildOutcome> outcome;
    int dones = 0;
    job_->start(
        [&](const BuildProgress& p) {
          progress_.push_back(p);
          if (onProgress) onProgress(*job_, p);
        },
        [&](const BuildOutcome& o) {
          outcome = o;
          ++dones;
        });
    EXPECT_FALSE(outcome) << "onDone ran inside start()";
    EXPECT_TRUE(queue_.runUntil([&] { return outcome.has_value(); }, timeout));
    queue_.runFor(std::chrono::milliseconds(50));
    EXPECT_EQ(dones, 1);
    return outcome.value_or(BuildOutcome{});
  }

  std::string readFile(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::filesystem::path dir_, julia_, cc_;
  std::optional<std::string> savedCc_;
  platform::testing::PostQueue queue_;
  platform::UvLoop loop_;
  std::unique_ptr<platform::ProcessLauncher> launcher_;
  std::unique_ptr<BuildJob> job_;
  std::vector<BuildProgress> progress_;
};

TEST_F(BuildJobTest, SucceedsThroughEveryPhaseAndLinks) {
  auto r = request();
  r.executionFiles = {dir_ / "workload.jl"};
  auto o = run(r);
  EXPECT_EQ(o.status, Status::Succeeded) << o.reason;
  EXPECT_EQ(o.reason, "");
  EXPECT_EQ(o.image, dir_ / "work" / "sysimage.so");
  EXPECT_EQ(readFile(o.image), "image\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "work" / "sys.o"));  // removed after linking
  EXPECT_EQ(o.statementsOk, 3u);
  EXPECT_EQ(o.statementsFailed, 1u);
  EXPECT_EQ(o.backend, Backend::Native);
  EXPECT_EQ(o.log, dir_ / "work" / "build.log");
  EXPECT_GT(o.durationSeconds, 0.0);

  std::vector<std::string> phases;
  unsigned last = 0;
  for (const auto& p : progress_) {
    if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
    EXPECT_GE(p.percentage, last);
    last = p.percentage;
  }
  // The fakes write their whole progress at once: every phase is still reported, in order.
  EXPECT_EQ(phases, (std::vector<std::string>{"preparing", "executing", "loading", "replaying", "compiling", "linking"}));
  auto seen = [&](const std::string& message) {
    return std::any_of(progress_.begin(), progress_.end(), [&](const BuildProgress& p) { return p.message == message; });
  };
  EXPECT_TRUE(seen("Precompiling packages (1/1)"));
  EXPECT_TRUE(seen("Running execution files (1/1)"));
  EXPECT_EQ(progress_.back().message, "Linking");
  EXPECT_EQ(progress_.back().statementsTotal, 4u);

  const std::string log = readFile(o.log);
  EXPECT_THAT(log, HasSubstr("# $ " + julia_.string() + " --startup-file=no --history-file=no --project="));
  EXPECT_THAT(log, HasSubstr("/prepare.jl " + (dir_ / "work" / "request.txt").string() + "\n"));
  // The execution file (Julia 1.5: the environment as --project), run in the work dir since the
  // default environment's directory does not exist here.
  EXPECT_THAT(log, HasSubstr(" --project=" + (dir_ / "depot" / "environments" / "v1.5").string() +
                             " --compile=all --trace-compile=" + (dir_ / "work" / "execution-1.trace.jl").string() +
                             " " + (dir_ / "workload.jl").string() + "\n"));
  EXPECT_THAT(log, HasSubstr("fake workload in " + (dir_ / "work").string() + " with JULIA_LOAD_PATH=\n"));
  EXPECT_THAT(log, HasSubstr(" --output-o=" + (dir_ / "work" / "sys.o").string() + " --threads=1 "));
  EXPECT_THAT(log, HasSubstr("fake julia starting\n"));
  EXPECT_THAT(log, HasSubstr("# unreadable progress line: garbage that is not json\n"));
  EXPECT_THAT(log, HasSubstr("# $ " + cc_.string() + " -m64 -march=x86-64 -shared "));
  EXPECT_THAT(log, HasSubstr("# succeeded after "));
  EXPECT_THAT(readFile(dir_ / "work" / "request.txt"),
              HasSubstr("packages_file=" + (dir_ / "work" / "packages.txt").string() + "\n"));
  EXPECT_EQ(readFile(dir_ / "work" / "execution-1.trace.jl"), "precompile(Tuple{typeof(sum), Vector{Int64}})\n");
}

TEST_F(BuildJobTest, Julia110WorkloadGetsTheEnvironmentAsLoadPathAndRunsInIt) {
  auto r = request();
  r.julia.version = *core::VersionNumber::parse("1.10.4");
  r.julia.versionText = "1.10.4";
  r.defaultEnvironment = false;
  r.project = dir_ / "project";
  std::filesystem::create_directories(r.project);
  r.executionFiles = {dir_ / "workload.jl"};
  auto o = run(r);
  EXPECT_EQ(o.status, Status::Succeeded) << o.reason;
  const std::string log = readFile(o.log);
  EXPECT_THAT(log, HasSubstr("#   with JULIA_LOAD_PATH=" + r.project.string() + ":@stdlib\n#   in " +
                             r.project.string() + "\n"));
  EXPECT_THAT(log, HasSubstr("fake workload in " + r.project.string() + " with JULIA_LOAD_PATH=" +
                             r.project.string() + ":@stdlib\n"));
  EXPECT_THAT(log, HasSubstr(" --pkgimages=no "));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "work" / "sys-o.a") == false);  // the archive is removed after linking
}

TEST_F(BuildJobTest, AWorkloadThatFailsOrCrashesDoesNotEndTheBuild) {
  auto r = request();
  r.executionFiles = {dir_ / "a.jl", dir_ / "b.jl"};
  ::setenv("FAKE_TRACE_MODE", "exit3", 1);
  auto o = run(r);
  EXPECT_EQ(o.status, Status::Succeeded) << o.reason;
  const std::string log = readFile(o.log);
  EXPECT_THAT(log, HasSubstr("# execution file " + (dir_ / "a.jl").string() +
                             " did not finish cleanly (exit status 3); the statements it traced are replayed\n"));
  EXPECT_THAT(log, HasSubstr("--trace-compile=" + (dir_ / "work" / "execution-2.trace.jl").string()));
  ::setenv("FAKE_TRACE_MODE", "segv", 1);
  o = run(r);
  EXPECT_EQ(o.status, Status::Succeeded) << o.reason;
  EXPECT_THAT(readFile(o.log), HasSubstr("did not finish cleanly (killed by signal 11 (SIGSEGV))"));
}

TEST_F(BuildJobTest, PreparationFailuresEndTheBuildBeforeTheObjectStep) {
  ::setenv("FAKE_PREPARE_MODE", "missing", 1);
  auto o = run(request());
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_EQ(o.reason, "cannot build: not installed: Nope [3c0b384b-479c-5684-b2ef-9d7a46dd931e]");
  EXPECT_THAT(readFile(o.log), ::testing::Not(HasSubstr("fake julia starting")));
  ::setenv("FAKE_PREPARE_MODE", "exit2", 1);
  o = run(request());
  EXPECT_EQ(o.reason, "preparing the environment failed: Julia exited with status 2: ERROR: LoadError: prepare broke");
  ::setenv("FAKE_PREPARE_MODE", "nofile", 1);
  o = run(request());
  EXPECT_EQ(o.reason, "prepare.jl finished without writing " + (dir_ / "work" / "packages.txt").string());
}

TEST_F(BuildJobTest, CancelWhilePreparingOrRunningAWorkload) {
  for (const char* mode : {"FAKE_PREPARE_MODE", "FAKE_TRACE_MODE"}) {
    ::setenv(mode, "sleep", 1);
    auto r = request();
    r.executionFiles = {dir_ / "workload.jl"};
    const std::string phase = std::string(mode) == "FAKE_PREPARE_MODE" ? "preparing" : "executing";
    int pgid = 0;
    auto o = run(r, std::chrono::seconds(10), [&](BuildJob& job, const BuildProgress& p) {
      if (p.phase == phase && pgid == 0 && job.pid()) {
        pgid = *job.pid();
        job.cancel();
      }
    });
    EXPECT_EQ(o.status, Status::Cancelled) << mode;
    ASSERT_GT(pgid, 0) << mode;
    EXPECT_TRUE(queue_.runUntil([&] { return ::kill(-pgid, 0) == -1 && errno == ESRCH; }, std::chrono::seconds(2)));
    ::unsetenv(mode);
  }
}

TEST_F(BuildJobTest, PackageErrorEventIsTheReason) {
  ::setenv("FAKE_JULIA_MODE", "pkgerror", 1);
  auto o = run(request());
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_EQ(o.reason, "cannot load package Nope: ArgumentError: Package Nope not found");
  EXPECT_THAT(o.logTail.back(), StartsWith("# failed after "));
  EXPECT_TRUE(o.image.empty());
}

TEST_F(BuildJobTest, CrashAndExitStatus) {
  ::setenv("FAKE_JULIA_MODE", "segv", 1);
  auto o = run(request());
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_EQ(o.reason, "Julia crashed (signal 11, SIGSEGV): fake julia starting");
  ::setenv("FAKE_JULIA_MODE", "exit3", 1);
  o = run(request());
  EXPECT_EQ(o.reason, "building the image failed: Julia exited with status 3: ERROR: LoadError: something broke");
  ::setenv("FAKE_JULIA_MODE", "nodone", 1);
  o = run(request());
  EXPECT_EQ(o.reason, "the build script stopped before it finished: fake julia starting");
  ::setenv("FAKE_JULIA_MODE", "noobject", 1);
  o = run(request());
  EXPECT_EQ(o.reason, "Julia exited without writing the object file " + (dir_ / "work" / "sys.o").string());
}

TEST_F(BuildJobTest, LinkFailureNamesTheLinkerError) {
  ::setenv("FAKE_CC_MODE", "fail", 1);
  auto o = run(request());
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_EQ(o.reason, "linking failed: collect2: error: ld returned 1 exit status");
  EXPECT_THAT(o.logTail, ::testing::Contains("/usr/bin/ld: cannot find -l:libjulia.so.1: No such file or directory"));
}

TEST_F(BuildJobTest, MissingCompilerFailsBeforeJuliaStarts) {
  ::setenv("CC", (dir_ / "no-such-cc").c_str(), 1);
  auto o = run(request(), std::chrono::seconds(2));
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_THAT(o.reason, StartsWith("no C compiler found: CC is \""));
  EXPECT_THAT(o.reason, HasSubstr("install gcc (build-essential)"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "work" / "progress.jsonl"));
  EXPECT_LT(o.durationSeconds, 1.0);
}

TEST_F(BuildJobTest, InvalidCpuTargetAndMissingJulia) {
  auto r = request();
  r.cpuTarget = "haswell;;";
  EXPECT_EQ(run(r).reason, "invalid CPU target \"haswell;;\": empty target between ';'");
  r = request();
  r.julia.executable = dir_ / "no-julia";
  EXPECT_THAT(run(r).reason, StartsWith("cannot start Julia: cannot start '" + (dir_ / "no-julia").string() + "'"));
}

TEST_F(BuildJobTest, WorkDirThatCannotBeCreated) {
  std::ofstream(dir_ / "file") << "x";
  auto r = request();
  r.workDir = dir_ / "file" / "work";
  auto o = run(r);
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_THAT(o.reason, StartsWith("cannot prepare the build directory " + r.workDir.string() + ": "));
  EXPECT_TRUE(o.log.empty());
}

// The fake sleeps in a group with a background child: both must go.
TEST_F(BuildJobTest, CancelStopsTheWholeProcessGroup) {
  ::setenv("FAKE_JULIA_MODE", "sleep", 1);
  int pgid = 0;
  std::chrono::steady_clock::time_point cancelledAt;
  auto o = run(request(), std::chrono::seconds(10), [&](BuildJob& job, const BuildProgress& p) {
    if (p.message == "Loading packages" && pgid == 0) {
      pgid = job.pid().value_or(0);
      cancelledAt = std::chrono::steady_clock::now();
      job.cancel();
      job.cancel();  // idempotent
    }
  });
  EXPECT_EQ(o.status, Status::Cancelled);
  EXPECT_EQ(o.reason, "build cancelled");
  ASSERT_GT(pgid, 0);
  // The orphaned background sleep is reaped by init, a moment after it died. The bound is generous
  // (a loaded machine reaps slowly); what counts is that the group ends long before the build's own
  // 10 s run, i.e. that cancel stops the background child too and waits for nothing else.
  EXPECT_TRUE(queue_.runUntil([&] { return ::kill(-pgid, 0) == -1 && errno == ESRCH; }, std::chrono::seconds(8)));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - cancelledAt).count();
  EXPECT_LT(took, 8.0);
  EXPECT_FALSE(job_->pid());
}

TEST_F(BuildJobTest, TimeoutIsAFailure) {
  ::setenv("FAKE_JULIA_MODE", "sleep", 1);
  auto r = request();
  r.timeout = std::chrono::seconds(1);
  auto o = run(r);
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_EQ(o.reason, "build timed out after 1 s");
  EXPECT_LT(o.durationSeconds, 3.5);
}

TEST_F(BuildJobTest, DestroyingARunningJobKillsItWithoutCallbacks) {
  ::setenv("FAKE_JULIA_MODE", "sleep", 1);
  BuildJobContext ctx{launcher_.get(), [this] { return platform::makeUvTimer(loop_, queue_.post()); }, queue_.post(), {}};
  auto job = std::make_unique<BuildJob>(request(), ctx);
  bool called = false;
  job->start([&](const BuildProgress&) {}, [&](const BuildOutcome&) { called = true; });
  ASSERT_TRUE(queue_.runUntil([&] { return job->pid().has_value(); }, std::chrono::seconds(5)));
  const int pgid = *job->pid();
  job.reset();
  EXPECT_TRUE(queue_.runUntil([&] { return ::kill(-pgid, 0) == -1; }, std::chrono::seconds(3)));
  queue_.runFor(std::chrono::milliseconds(200));
  EXPECT_FALSE(called);
}

TEST_F(BuildJobTest, PackageCompilerBackendReadsItsOutput) {
  // A stand-in for packagecompiler_build.jl's julia: PackageCompiler's piped output, then the image.
  julia_ = script("pcjulia", R"(#!/bin/sh
while [ $# -gt 0 ]; do
  if [ "$1" = "--sysimage-path" ]; then out="$2"; fi
  shift
done
echo "[ Info: PackageCompiler: Executing /w.jl => /tmp/t" >&2
echo "[ Info: PackageCompiler: Done" >&2
echo "- PackageCompiler: compiling incremental system image" >&2
if [ "$FAKE_JULIA_MODE" = "killed" ]; then
  echo 'ERROR: failed process: Process(`julia --cpu-target=native --output-o=/tmp/x.o /tmp/y`, ProcessSignaled(9)) [0]' >&2
  exit 1
fi
echo image > "$out"
)");
  auto r = request();
  r.backend = Backend::PackageCompiler;
  r.julia.depotPath = {dir_ / "depot"};
  auto o = run(r);
  EXPECT_EQ(o.status, Status::Succeeded) << o.reason;
  EXPECT_EQ(o.backend, Backend::PackageCompiler);
  EXPECT_EQ(progress_.back().phase, "compiling");
  EXPECT_EQ(progress_.back().message, "PackageCompiler: compiling incremental system image");
  EXPECT_THAT(readFile(o.log), HasSubstr("packagecompiler_build.jl --sysimage-path "));

  ::setenv("FAKE_JULIA_MODE", "killed", 1);
  o = run(r);
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_EQ(o.reason, "the Julia process compiling the system image was killed (signal 9), probably out of memory");
}

TEST_F(BuildJobTest, PackageCompiler1OutputStatementCountsLinkingAndEnvironment) {
  // A stand-in for packagecompiler_build.jl's julia running PackageCompiler 1.4.0 (its real output is
  // in PackageCompilerLogTests.cpp): it records the environment it got, reports two skipped
  // statements, writes its object file into TMPDIR as PackageCompiler does, and links once the
  // job has seen that (the test creates `go` when the phase is "linking").
  julia_ = script("pc1julia", R"(#!/bin/sh
while [ $# -gt 0 ]; do
  if [ "$1" = "--sysimage-path" ]; then out="$2"; fi
  shift
done
printf '%s\n%s\n%s\n' "$TMPDIR" "$LIBRARY_PATH" "$LD_LIBRARY_PATH" > "$TMPDIR/../env.txt"
echo "[ Info: PackageCompiler: creating system image object file, this might take a while..." >&2
printf '\342\224\214 Debug: failed to execute precompile(Tuple{typeof(Main.main)})\n' >&2
printf '\342\224\224 @ Main.anonymous none:33\n' >&2
printf '\342\224\214 Debug: failed to execute precompile(Tuple{typeof(Base.nope), Int64})\n' >&2
echo '!<arch>' > "$TMPDIR/jl_AbC.o"
while [ ! -e "$TMPDIR/../go" ]; do sleep 0.05; done
echo image > "$out"
)");
  std::ofstream(dir_ / "statements.jl") << "precompile(Tuple{typeof(Main.main)})\n# comment\n"
                                           "precompile(Tuple{typeof(Base.nope), Int64})\n"
                                           "precompile(Tuple{typeof(Base.sum), Vector{Float64}})\n";
  auto r = request();
  r.backend = Backend::PackageCompiler;
  r.julia.depotPath = {dir_ / "depot"};
  r.statementFiles = {dir_ / "statements.jl"};
  ::unsetenv("LIBRARY_PATH");
  ::setenv("LD_LIBRARY_PATH", "/inherited", 1);
  auto o = run(r, std::chrono::seconds(10), [&](BuildJob&, const BuildProgress& p) {
    if (p.phase == "linking") std::ofstream(dir_ / "work" / "go") << "";
  });
  ::unsetenv("LD_LIBRARY_PATH");
  EXPECT_EQ(o.status, Status::Succeeded) << o.reason;
  EXPECT_EQ(o.statementsOk, 1u);
  EXPECT_EQ(o.statementsFailed, 2u);
  std::vector<std::string> phases;
  for (const auto& p : progress_) {
    if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
  }
  EXPECT_EQ(phases, (std::vector<std::string>{"preparing", "loading", "compiling", "linking"}));
  const auto work = dir_ / "work";
  EXPECT_EQ(readFile(work / "env.txt"), (work / "tmp").string() + "\n" + (work / "libjulia").string() + "\n" +
                                            (work / "libjulia").string() + ":/inherited\n");
  EXPECT_EQ(std::filesystem::read_symlink(work / "libjulia" / "libjulia.so"), "/lib/libjulia.so.1");
  EXPECT_THAT(readFile(o.log), HasSubstr("no libjulia.so in this Julia's library directories"));
}

}  // namespace
}  // namespace sysimage::julia
