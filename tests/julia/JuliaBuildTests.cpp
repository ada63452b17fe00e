// Real-Julia tests of the build backends (server/julia/build_job.h) with the Debian Julia 1.5.3
// from scripts/install-julia: one full native build of statements recorded from stdlib calls and
// of an execution file that misbehaves (~2 min of CPU), then cheap runs that end early: the
// preparation step (instantiating a project without manifest, refusing one that cannot be
// instantiated, an unknown package), cancellation while replaying and while compiling, SIGKILL,
// timeout, no C compiler, a read-only work dir, and the PackageCompiler backend as far as it can
// go here (no General registry, so no PackageCompiler).
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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
#include "tests/support/shared_fixtures.h"

namespace sysimage::julia::build_tests {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
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

  // Statements that keep the replaying phase busy for `seconds`: evaluating each one's arguments
  // sleeps 50 ms in the build.
  fs::path slowStatements(int seconds) {
    std::string text;
    for (int i = 0; i < seconds * 20; ++i) text += "precompile(Tuple{typeof(identity), typeof(Libc.systemsleep(0.05))})\n";
    return writeFile("slow.jl", text);
  }

  // A copy of examples/fl-insurance (a project whose package needs DelimitedFiles and Statistics),
  // optionally without its Manifest.toml.
  fs::path flProject(bool withManifest) {
    const fs::path p = dir_ / "fl";
    fs::copy(fs::path(SYSIMAGE_SOURCE_DIR) / "examples" / "fl-insurance", p, fs::copy_options::recursive);
    if (!withManifest) fs::remove(p / "Manifest.toml");
    return p;
  }

  // A depot of its own with the offline registry of ../shared/JULIA.md ("Real Pkg operations
  // offline"), holding `packages` ("Name = { name, path }" lines are not needed for stdlibs).
  fs::path localDepot(bool withRegistry) {
    const fs::path depot = dir_ / "depot";
    fs::create_directories(depot);
    if (withRegistry) {
      fs::create_directories(depot / "registries" / "Local");
      std::ofstream(depot / "registries" / "Local" / "Registry.toml")
          << "name = \"Local\"\nuuid = \"7d25c8c7-1f4b-4a42-9b53-6e3ac1a9d2f1\"\nrepo = \"\"\n\n[packages]\n";
    }
    return depot;
  }

  BuildRequest projectRequest(const fs::path& project) {
    BuildRequest r;
    r.julia = julia_;
    r.project = project;
    r.packages = {"DelimitedFiles", "FLInsurance", "Statistics"};
    r.workDir = dir_ / "work";
    return r;
  }

  // Runs a build until the preparation step is over (the object step starts), then cancels it.
  BuildOutcome runPreparation(BuildRequest r) {
    return run(std::move(r), [](BuildJob& job, const BuildProgress& p) {
      if (p.phase == "loading") job.cancel();
    });
  }

  bool seen(const std::string& message) const {
    return std::any_of(progress_.begin(), progress_.end(), [&](const Seen& s) { return s.progress.message == message; });
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

// An execution file that misbehaves in every way the issue names: it traces some work, then
// leaves a timer, a task and an open file behind and calls exit(3).
constexpr const char* kNastyWorkload =
    "using Statistics\n"
    "println(\"median \", median([3.0, 1.0, 2.0]))\n"
    "t = Timer(_ -> println(\"tick\"), 0.1; interval = 0.1)\n"
    "@async while true; sleep(0.05); end\n"
    "io = open(joinpath(@__DIR__, \"left-open.txt\"), \"w\"); write(io, \"left open\")\n"
    "exit(3)\n";

TEST_F(JuliaBuild, NativeBuildOfRecordedStatementsAndAMisbehavingWorkload) {
  // Record the workload's statements for real, then add one that cannot replay.
  const auto [recorded, printed] = traceRun({}, dir_ / "trace.jl", kWorkload);
  EXPECT_EQ(printed, "4.333333333333333 3.0 1.756");
  ASSERT_GT(recorded, 5);
  std::ofstream(dir_ / "trace.jl", std::ios::app) << "precompile(Tuple{typeof(Main.nope), Int})\n";
  auto r = request({dir_ / "trace.jl"});
  r.executionFiles = {writeFile("nasty.jl", kNastyWorkload)};

  // More threads asked for in the environment: the object step still runs with one.
  ScopedEnv threads("JULIA_NUM_THREADS", std::string("4"));
  const auto t0 = Clock::now();
  auto o = run(r, {}, std::chrono::seconds(600));
  const double wall = since(t0);
  ASSERT_EQ(o.status, Status::Succeeded) << o.reason << "\n" << readFile(dir_ / "work" / "build.log");
  EXPECT_EQ(o.reason, "");
  EXPECT_EQ(o.image, dir_ / "work" / "sysimage.so");
  EXPECT_FALSE(fs::exists(dir_ / "work" / "sys.o"));
  EXPECT_GT(fs::file_size(o.image), 50u << 20);

  // The workload ran in its own process: its output and file are there, its exit only ended it,
  // and what it traced was replayed with the recorded statements.
  EXPECT_EQ(readFile(dir_ / "left-open.txt"), "left open");
  std::size_t traced = 0;
  {
    std::istringstream in(readFile(dir_ / "work" / "execution-1.trace.jl"));
    for (std::string line; std::getline(in, line);) traced += line.rfind("precompile(", 0) == 0 ? 1 : 0;
  }
  EXPECT_GT(traced, 0u);
  // Every recorded statement replays; `Main.nope` fails, and so may a trace line of an abstract
  // signature (e.g. `deepcopy_internal(::Any, ::IdDict)`, which precompile() cannot compile).
  EXPECT_GE(o.statementsOk, static_cast<std::size_t>(recorded));
  EXPECT_GE(o.statementsFailed, 1u);
  EXPECT_EQ(o.statementsOk + o.statementsFailed, static_cast<std::size_t>(recorded) + 1 + traced);

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
  EXPECT_EQ(phases, (std::vector<std::string>{"preparing", "executing", "loading", "replaying", "compiling", "linking"}));
  EXPECT_TRUE(seen("Precompiling packages (2/2)") || seen("Precompiling packages (3/3)") ||
              seen("Precompiling packages (4/4)") || seen("Precompiling packages (9/9)"));
  EXPECT_TRUE(seen("Running execution files (1/1)"));
  const std::string total = std::to_string(o.statementsOk + o.statementsFailed);
  EXPECT_TRUE(seen("Replaying statements " + total + "/" + total));
  EXPECT_TRUE(seen("Compiling native code"));
  EXPECT_TRUE(seen("Linking"));
  EXPECT_GT(last, 60u);  // the compiling estimate moved on during the ~1.5 min
  EXPECT_LT(last, 100u);

  const std::string log = readFile(dir_ / "work" / "build.log");
  EXPECT_THAT(log, HasSubstr("--cpu-target=native"));
  EXPECT_THAT(log, HasSubstr("build_sysimage.jl: Julia 1.5.3, 1 thread\n"));
  EXPECT_THAT(log, HasSubstr("median 2.0\n"));
  EXPECT_THAT(log, HasSubstr("did not finish cleanly (exit status 3); the statements it traced are replayed"));
  EXPECT_THAT(log, HasSubstr(" failed: UndefVarError: nope not defined: precompile(Tuple{typeof(Main.nope), Int})"));
  EXPECT_THAT(log, HasSubstr("-l:libjulia.so.1"));

  // The image holds the packages (imported into Main, as PackageCompiler does) and their compiled
  // code: Statistics is loaded at start, and the workload needs fewer new compilations.
  platform::ProcessOptions check;
  check.program = realJulia();
  check.args = {"--startup-file=no", "-J", o.image.string(), "-e",
                "print(haskey(Base.loaded_modules, Base.PkgId(Base.UUID(\"10745b16-79ce-11e8-11f9-7d13ad32a3b2\"), "
                "\"Statistics\")), \" \", isdefined(Main, :Statistics), \" \", isdefined(Main, :DelimitedFiles))"};
  const auto loaded = platform::runProcessSync(check, std::chrono::seconds(60));
  EXPECT_EQ(loaded.out, "true true true") << loaded.err;
  const auto [withImage, printedWithImage] = traceRun(o.image, dir_ / "trace2.jl", kWorkload);
  EXPECT_EQ(printedWithImage, "4.333333333333333 3.0 1.756");
  EXPECT_LT(withImage, recorded);

  // Nothing of the build is frozen into the image: no path in the build directory (the request
  // file was Core.ARGS, the statement and trace files were read there), and at run time
  // DEPOT_PATH and LOAD_PATH are the user's, exactly as with the default image.
  {
    std::ifstream in(o.image, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find((dir_ / "work").string()), std::string::npos) << "a build path is in the image";
  }
  ScopedEnv depot("JULIA_DEPOT_PATH", (dir_ / "user-depot").string() + ":");
  auto paths = [&](const fs::path& image) {
    platform::ProcessOptions p;
    p.program = realJulia();
    p.args = {"--startup-file=no"};
    if (!image.empty()) p.args.insert(p.args.end(), {"-J", image.string()});
    p.args.insert(p.args.end(), {"-e", "print(DEPOT_PATH, \" \", LOAD_PATH, \" \", Sys.BINDIR)"});
    return platform::runProcessSync(p, std::chrono::seconds(60)).out;
  };
  const std::string withDefault = paths({});
  EXPECT_THAT(withDefault, HasSubstr((dir_ / "user-depot").string()));
  EXPECT_EQ(paths(o.image), withDefault);

  std::cout << "[ measured ] native build " << wall << " s wall (job: " << o.durationSeconds
            << " s); compiling began at " << compilingAt << " s, linking at " << linkingAt << " s; "
            << recorded << " statements recorded, " << traced << " traced by the workload, " << withImage
            << " compiled again with the image; image " << (fs::file_size(o.image) >> 20) << " MiB" << std::endl;
}

TEST_F(JuliaBuild, PreparationInstantiatesAProjectWithoutManifest) {
  const fs::path project = flProject(false);
  ScopedEnv depot("JULIA_DEPOT_PATH", localDepot(true).string());
  auto o = runPreparation(projectRequest(project));
  EXPECT_EQ(o.status, Status::Cancelled) << o.reason << "\n" << readFile(dir_ / "work" / "build.log");
  // Pkg resolved the project and wrote its manifest, as `Pkg.instantiate()` does for a user.
  const std::string manifest = readFile(project / "Manifest.toml");
  EXPECT_THAT(manifest, HasSubstr("[[Statistics]]"));
  EXPECT_THAT(manifest, HasSubstr("[[SparseArrays]]"));
  EXPECT_TRUE(seen("Installing packages (Pkg.instantiate)"));
  // Every package the requested ones depend on, by PkgId, for the object step.
  const std::string packages = readFile(dir_ / "work" / "packages.txt");
  EXPECT_THAT(packages, HasSubstr("FLInsurance dbf6e94e-b504-43bc-ba3a-6a13f6592c33\n"));
  EXPECT_THAT(packages, HasSubstr("Mmap a63ad114-7e13-5084-954f-fe012c677804\n"));
  EXPECT_THAT(packages, HasSubstr("Serialization 9e88b42a-f829-5b0c-bbe9-9e923198166b\n"));
  std::cout << "[ measured ] instantiated and prepared in " << o.durationSeconds << " s" << std::endl;
}

TEST_F(JuliaBuild, PreparationRefusesAtOnceWhatCannotBeInstantiated) {
  // A dependency no registry knows: Pkg cannot resolve it, so it cannot write a manifest.
  const fs::path project = flProject(false);
  {
    std::ofstream(project / "Project.toml", std::ios::app) << "Tiny = \"3c0b384b-479c-5684-b2ef-9d7a46dd931e\"\n";
  }
  ScopedEnv depot("JULIA_DEPOT_PATH", localDepot(true).string());
  auto o = run(projectRequest(project));
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_THAT(o.reason, StartsWith("cannot build: " + (project / "Project.toml").string() +
                                   " has no Manifest.toml and Pkg.instantiate() could not write one: "));
  EXPECT_THAT(o.reason, HasSubstr("and build again"));
  EXPECT_FALSE(fs::exists(project / "Manifest.toml"));
  EXPECT_THAT(readFile(dir_ / "work" / "build.log"), Not(HasSubstr("build_sysimage.jl")));  // no object step
  EXPECT_LT(o.durationSeconds, 120.0);
  std::cout << "[ measured ] refused in " << o.durationSeconds << " s: " << o.reason << std::endl;
}

TEST_F(JuliaBuild, UnknownPackageFailsInPreparation) {
  auto r = request({});
  r.packages = {"Statistics", "NoSuchPkg"};
  auto o = run(r);
  EXPECT_EQ(o.status, Status::Failed);
  EXPECT_THAT(o.reason, StartsWith("package NoSuchPkg is not in the environment: "));
  EXPECT_THAT(o.reason, HasSubstr("and no standard library has that name"));
  EXPECT_FALSE(fs::exists(dir_ / "work" / "sys.o"));
  std::cout << "[ measured ] refused in " << o.durationSeconds << " s" << std::endl;
}

// build_sysimage.jl run without --output-o (it says no image will be written): its replay and
// its imports in seconds, on statements of the kinds that failed before (recorded with this Julia).
TEST_F(JuliaBuild, BuildScriptReplaysLikePackageCompilerAndImportsIntoMain) {
  const fs::path project = flProject(true);
  const fs::path statements = writeFile("kinds.jl",
      // a module the staging area does not know yet: bound to the one loaded module of that name
      "precompile(Tuple{typeof(Statistics.mean), Array{Float64, 1}})\n"
      // a keyword sorter
      "precompile(Tuple{DelimitedFiles.var\"#readdlm##kw\", NamedTuple{(:skipstart,), Tuple{Int64}}, "
      "typeof(DelimitedFiles.readdlm), Base.GenericIOBuffer{Array{UInt8, 1}}, Char, Type{T} where T})\n"
      // an unbounded vararg as Julia 1.5 prints it
      "precompile(Tuple{Type{Base.Dict{Any, Any}}, Base.Pair{String, Int64}, "
      "Vararg{Base.Pair{A, B} where B where A, N} where N})\n"
      // no loaded module of that name: fails
      "precompile(Tuple{typeof(NoSuchModule.f), Int64})\n"
      // arguments are evaluated: this one reports what Main holds (then fails: not a signature)
      "precompile(println(stderr, \"Main has Statistics: \", isdefined(Main, :Statistics)))\n");
  for (const std::string importIntoMain : {"yes", "no"}) {
    const fs::path progress = dir_ / ("progress-" + importIntoMain + ".jsonl");
    const fs::path requestFile = writeFile("request-" + importIntoMain + ".txt",
        "stdlib=" + julia_.stdlib.string() + "\nproject=" + project.string() + "\nprogress=" + progress.string() +
        "\nimport_into_main=" + importIntoMain + "\npackage=Statistics\npackage=DelimitedFiles\nstatements=" +
        statements.string() + "\n");
    platform::ProcessOptions o;
    o.program = realJulia();
    o.args = {"--startup-file=no", "--history-file=no", "--project=" + project.string(),
              (fs::path(SYSIMAGE_JULIA_SCRIPTS_DIR) / "build_sysimage.jl").string(), requestFile.string()};
    const auto r = platform::runProcessSync(o, std::chrono::seconds(120));
    ASSERT_EQ(r.status.exitCode, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr("not run with --output-o"));
    EXPECT_THAT(r.err, HasSubstr(std::string("Main has Statistics: ") + (importIntoMain == "yes" ? "true" : "false")));
    EXPECT_THAT(r.err, HasSubstr("statement 4 failed: UndefVarError: NoSuchModule not defined"));
    EXPECT_THAT(readFile(progress), HasSubstr("{\"event\":\"done\",\"ok\":3,\"failed\":2}\n")) << r.err;
  }
}

// prepare.jl's dependency closure (PackageCompiler's package_ids_for_sysimage) on manifest format 2.0
// with a name listed twice (Pkg's own test fixture: deps as a table where a name is ambiguous) and
// on the format-1 manifest of the FL example.
TEST_F(JuliaBuild, PrepareFollowsBothManifestFormats) {
  std::string code =
      "include(\"" + (fs::path(SYSIMAGE_JULIA_SCRIPTS_DIR) / "prepare.jl").string() + "\"); P = SysimagePrepare\n"
      "closure(file, name, uuid) = (m = P.read_manifest(file); "
      "env = P.Environment(\"/p\", \"/p/Project.toml\", file, nothing, nothing, P.Deps(), m); "
      "join([string(i.name, '=', string(i.uuid)[1:8]) for i in P.with_dependencies(env, [Base.PkgId(Base.UUID(uuid), name)])], ' '))\n"
      "println(closure(\"" + (fs::path(SYSIMAGE_SOURCE_DIR) / "examples" / "fl-insurance" / "Manifest.toml").string() +
      "\", \"Statistics\", \"10745b16-79ce-11e8-11f9-7d13ad32a3b2\"))\n";
  std::string expected =
      "Statistics=10745b16 LinearAlgebra=37e2e46d SparseArrays=2f01184e Libdl=8f399da3 Random=9a3f8284 "
      "Serialization=9e88b42a\n";
  // Pkg's own format-2.0 fixture is in the shared collection: without it only the FL manifest is read.
  if (sysimage::testing::haveSharedFixtures()) {
    code += "println(closure(\"" +
            (fs::path(SYSIMAGE_FIXTURES_DIR) / "manifests" / "pkgjl_test_good_not_unique_names_Manifest.toml").string() +
            "\", \"Documenter\", \"e30172f5-a6a5-5a46-863b-614d45cd2de4\"))\n";
    expected +=
        "Documenter=e30172f5 Base64=2a0f44e3 DocStringExtensions=ffbed154 InteractiveUtils=b77e0a4c LibGit2=76f85450 "
        "Logging=56ddb016 Markdown=d6f4376e Pkg=44cfe95a REPL=3fa0cd96 Random=9a3f8284 Test=8dfed614 Unicode=4ec0a83e "
        "LinearAlgebra=37e2e46d Dates=ade2ca70 Printf=de0858da SHA=ea8e919c UUIDs=cf7118a7 Sockets=6462fe0b "
        "Serialization=9e88b42a Distributed=8ba89e20 Libdl=8f399da3\n";
  } else {
    std::cout << "[ NOTE ] the shared fixture collection " SYSIMAGE_FIXTURES_DIR " is absent: format 2.0 not checked\n";
  }
  platform::ProcessOptions o;
  o.program = realJulia();
  o.args = {"--startup-file=no", "--history-file=no", "-e", code};
  const auto r = platform::runProcessSync(o, std::chrono::seconds(120));
  ASSERT_EQ(r.status.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, expected);
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
