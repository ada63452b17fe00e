// Tests of build progress: progress-file lines (prepare.jl and build_sysimage.jl format), partial
// and garbage lines, appended-file reading and the percentage model.
#include "server/julia/build_progress.h"

#include <stdlib.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sysimage::julia {
namespace {

using Kind = ProgressEvent::Kind;

TEST(ProgressLine, EveryEventOfTheScriptReadme) {
  auto phase = parseProgressLine(R"({"event":"phase","phase":"loading"})");
  ASSERT_TRUE(phase);
  EXPECT_EQ(phase->kind, Kind::Phase);
  EXPECT_EQ(phase->phase, "loading");

  auto pkg = parseProgressLine(R"({"event":"package","name":"Statistics","index":2,"total":2,"ok":true})");
  ASSERT_TRUE(pkg);
  EXPECT_EQ(*pkg, (ProgressEvent{Kind::Package, "", "Statistics", 2, 2, 0, 0, true, ""}));

  auto bad = parseProgressLine(
      R"({"event":"package","name":"NoSuchPkg","index":2,"total":2,"ok":false,"error":"ArgumentError: Package NoSuchPkg not found"})");
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->success);
  EXPECT_EQ(bad->message, "ArgumentError: Package NoSuchPkg not found");

  auto st = parseProgressLine(R"({"event":"statement","index":33,"total":57,"ok":31,"failed":2})");
  ASSERT_TRUE(st);
  EXPECT_EQ(*st, (ProgressEvent{Kind::Statement, "", "", 33, 57, 31, 2, true, ""}));

  auto ex = parseProgressLine(
      R"({"event":"execute","path":"/tmp/bt/bad_exec.jl","index":1,"total":2,"ok":false,"error":"LoadError: boom"})");
  ASSERT_TRUE(ex);
  EXPECT_EQ(*ex, (ProgressEvent{Kind::Execute, "", "/tmp/bt/bad_exec.jl", 1, 2, 0, 0, false, "LoadError: boom"}));

  auto pre = parseProgressLine(R"({"event":"precompile","name":"CSV","index":3,"total":9,"ok":true})");
  ASSERT_TRUE(pre);
  EXPECT_EQ(*pre, (ProgressEvent{Kind::Precompile, "", "CSV", 3, 9, 0, 0, true, ""}));

  auto prepared = parseProgressLine(R"({"event":"prepared","packages":9})");
  ASSERT_TRUE(prepared);
  EXPECT_EQ(*prepared, (ProgressEvent{Kind::Prepared, "", "", 0, 9, 0, 0, true, ""}));

  auto done = parseProgressLine(R"({"event":"done","ok":53,"failed":4})");
  ASSERT_TRUE(done);
  EXPECT_EQ(*done, (ProgressEvent{Kind::Done, "", "", 0, 0, 53, 4, true, ""}));

  auto err = parseProgressLine(R"({"event":"error","message":"cannot load package NoSuchPkg: ..."})");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, Kind::Error);
  EXPECT_EQ(err->message, "cannot load package NoSuchPkg: ...");
}

TEST(ProgressLine, GarbageAndIncompleteLinesAreRejected) {
  for (const char* line : {"", "garbage", "{", R"({"event":"statement","index":3})", R"({"event":"nope"})",
                           R"(["event","phase"])", R"({"event":"statement","index":-1,"total":2,"ok":0,"failed":0})",
                           R"({"event":"phase","phase":3})", R"({"event":"done","ok":1})",
                           R"({"event":"package","name":"X","index":1,"total":1,"ok":"yes"})",
                           R"({"event":"prepared"})", R"({"event":"precompile","name":"X","index":1,"total":1})"}) {
    EXPECT_FALSE(parseProgressLine(line)) << line;
  }
}

TEST(ProgressLineReader, KeepsAPartialLastLineAndSkipsGarbage) {
  ProgressLineReader r;
  auto a = r.feed("{\"event\":\"phase\",\"phase\":\"loading\"}\n{\"event\":\"statement\",\"ind");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].phase, "loading");
  auto b = r.feed("ex\":5,\"total\":10,\"ok\":4,\"failed\":1}\nnot json at all\n\n{\"event\":\"done\",\"ok\":9,\"failed\":1}\r\n");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].index, 5u);
  EXPECT_EQ(b[0].failed, 1u);
  EXPECT_EQ(b[1].kind, Kind::Done);
  EXPECT_EQ(r.badLines(), 1u);
  EXPECT_EQ(r.lastBadLine(), "not json at all");
  EXPECT_TRUE(r.feed("").empty());
}

TEST(AppendedFileReader, ReadsOnlyWhatWasAppended) {
  std::string pattern = (std::filesystem::temp_directory_path() / "sysimage-progress-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const std::filesystem::path dir = pattern;
  const auto file = dir / "progress.jsonl";
  AppendedFileReader reader(file);
  EXPECT_EQ(reader.readNew(), "");  // not there yet
  { std::ofstream(file) << "abc"; }
  EXPECT_EQ(reader.readNew(), "abc");
  EXPECT_EQ(reader.readNew(), "");
  { std::ofstream(file, std::ios::app) << "def\n"; }
  EXPECT_EQ(reader.readNew(), "def\n");
  { std::ofstream(file) << "x"; }  // truncated and rewritten
  EXPECT_EQ(reader.readNew(), "x");
  std::filesystem::remove_all(dir);
}

ProgressEvent line(const char* json) { return *parseProgressLine(json); }

TEST(BuildProgressModel, NativeBuildPhasesMessagesAndCounts) {
  BuildProgressModel m;
  EXPECT_EQ(m.current(), (BuildProgress{"preparing", "Preparing the build", 0, 0, 0, 0}));
  // prepare.jl
  EXPECT_TRUE(m.apply(line(R"({"event":"phase","phase":"preparing"})"), 0.5));
  EXPECT_EQ(m.current().message, "Checking the environment");
  EXPECT_TRUE(m.apply(line(R"({"event":"phase","phase":"instantiating"})"), 1));
  EXPECT_EQ(m.current(), (BuildProgress{"preparing", "Installing packages (Pkg.instantiate)", 0, 0, 0, 0}));
  EXPECT_TRUE(m.apply(line(R"({"event":"precompile","name":"CSV","index":3,"total":12,"ok":true})"), 2));
  EXPECT_EQ(m.current(), (BuildProgress{"preparing", "Precompiling packages (3/12)", 2, 0, 0, 0}));  // 10 * 3/12
  EXPECT_FALSE(m.apply(line(R"({"event":"prepared","packages":12})"), 3));
  // the execution files (BuildJob sends these when each starts)
  EXPECT_TRUE(m.apply(line(R"({"event":"execute","path":"/w.jl","index":2,"total":2,"ok":true})"), 4));
  EXPECT_EQ(m.current(), (BuildProgress{"executing", "Running execution files (2/2)", 12, 0, 0, 0}));  // 10 + 5 * 1/2
  // build_sysimage.jl
  EXPECT_TRUE(m.enter("loading", "Starting Julia", 5));
  EXPECT_EQ(m.current().percentage, 15u);
  EXPECT_TRUE(m.apply(line(R"({"event":"phase","phase":"loading"})"), 6.4));
  EXPECT_EQ(m.current().message, "Loading packages");
  EXPECT_TRUE(m.apply(line(R"({"event":"package","name":"CSV","index":6,"total":12,"ok":true})"), 7));
  EXPECT_EQ(m.current().message, "Loading packages (6/12)");
  EXPECT_EQ(m.current().percentage, 17u);  // 15 + 5 * 6/12
  EXPECT_TRUE(m.apply(line(R"({"event":"phase","phase":"replaying"})"), 8));
  EXPECT_EQ(m.current().percentage, 20u);
  EXPECT_TRUE(m.apply(line(R"({"event":"statement","index":412,"total":1020,"ok":400,"failed":12})"), 9));
  EXPECT_EQ(m.current(), (BuildProgress{"replaying", "Replaying statements 412/1020", 26, 400, 12, 1020}));
  EXPECT_TRUE(m.apply(line(R"({"event":"phase","phase":"finishing"})"), 12));
  EXPECT_TRUE(m.apply(line(R"({"event":"done","ok":1008,"failed":12})"), 12));
  EXPECT_TRUE(m.scriptDone());
  EXPECT_EQ(m.current(), (BuildProgress{"compiling", "Compiling native code", 35, 1008, 12, 1020}));
  EXPECT_TRUE(m.tick(12 + 45));  // half of the default 90 s: 0.45 of the band
  EXPECT_EQ(m.current().percentage, 62u);
  EXPECT_FALSE(m.tick(12 + 45));
  EXPECT_TRUE(m.enter("linking", "Linking", 120));
  EXPECT_EQ(m.current().percentage, 97u);
}

TEST(BuildProgressModel, PercentageNeverDecreases) {
  BuildProgressModel m;
  m.apply(line(R"({"event":"phase","phase":"replaying"})"), 1);
  m.apply(line(R"({"event":"statement","index":90,"total":100,"ok":90,"failed":0})"), 2);
  const unsigned high = m.current().percentage;
  EXPECT_EQ(high, 33u);  // 20 + 15 * 0.9
  // A second statement file round, or a late phase line, never lowers it.
  m.apply(line(R"({"event":"statement","index":1,"total":100,"ok":1,"failed":0})"), 3);
  EXPECT_EQ(m.current().percentage, high);
  m.apply(line(R"({"event":"phase","phase":"loading"})"), 4);
  EXPECT_EQ(m.current().percentage, high);
  unsigned last = 0;
  m.apply(line(R"({"event":"done","ok":100,"failed":0})"), 5);
  for (double t = 5; t < 2000; t += 0.15) {
    m.tick(t);
    EXPECT_GE(m.current().percentage, last);
    EXPECT_LE(m.current().percentage, 96u);  // compiling never claims to be finished
    last = m.current().percentage;
  }
  EXPECT_EQ(last, 96u);
}

TEST(BuildProgressModel, ErrorEventIsKeptForTheReason) {
  BuildProgressModel m;
  EXPECT_FALSE(m.apply(line(R"({"event":"error","message":"cannot load package X: nope"})"), 1));
  ASSERT_TRUE(m.scriptError());
  EXPECT_EQ(*m.scriptError(), "cannot load package X: nope");
}

TEST(BuildProgressModel, LearnedDurationShapesTheCompilingEstimate) {
  // Expected 100 s in all; compiling starts at 10 s, so 90 s are expected for it.
  BuildProgressModel m(100.0);
  m.apply(line(R"({"event":"done","ok":1,"failed":0})"), 10);
  m.tick(10 + 45);
  EXPECT_EQ(m.current().percentage, 62u);  // 35 + 62 * 0.45
  m.tick(10 + 90);
  EXPECT_EQ(m.current().percentage, 90u);  // 35 + 62 * 0.9
  BuildProgressModel fast(20.0);
  fast.apply(line(R"({"event":"done","ok":1,"failed":0})"), 10);
  fast.tick(10 + 10);  // 10 s of the expected 10 s: 90 % of the band
  EXPECT_EQ(fast.current().percentage, 90u);
}

TEST(BuildProgressModel, CompileFractionShape) {
  EXPECT_DOUBLE_EQ(BuildProgressModel::compileFraction(0, 90), 0);
  EXPECT_DOUBLE_EQ(BuildProgressModel::compileFraction(45, 90), 0.45);
  EXPECT_DOUBLE_EQ(BuildProgressModel::compileFraction(90, 90), 0.9);
  EXPECT_GT(BuildProgressModel::compileFraction(180, 90), 0.96);
  EXPECT_LT(BuildProgressModel::compileFraction(1e6, 90), 1.0 + 1e-12);
}

TEST(BuildProgressModel, PackageCompilerSteps) {
  using PK = PackageCompilerEvent::Kind;
  BuildProgressModel m;
  // PackageCompiler's steps in its order (ensurecompiled, execution files, object), as the native ones.
  EXPECT_TRUE(m.apply(PackageCompilerEvent{PK::Step, "Precompiling project...", {}}, 1));
  EXPECT_EQ(m.current().phase, "preparing");
  EXPECT_TRUE(m.apply(PackageCompilerEvent{PK::Step, "Executing /a.jl => /tmp/t", {}}, 2));
  EXPECT_EQ(m.current(), (BuildProgress{"executing", "PackageCompiler: Executing /a.jl => /tmp/t", 10, 0, 0, 0}));
  EXPECT_FALSE(m.apply(PackageCompilerEvent{PK::Step, "Done", {}}, 3));
  EXPECT_TRUE(m.apply(PackageCompilerEvent{PK::Step, "compiling incremental system image", {}}, 3));
  EXPECT_EQ(m.current(),
            (BuildProgress{"compiling", "PackageCompiler: compiling incremental system image", 35, 0, 0, 0}));
  EXPECT_TRUE(m.tick(3 + 90));
  EXPECT_TRUE(m.apply(PackageCompilerEvent{PK::StepSucceeded, "compiling incremental system image", 90}, 93));
  EXPECT_EQ(m.current().phase, "linking");
  EXPECT_EQ(m.current().percentage, 97u);
}

TEST(BuildProgressModel, PackageCompilerCountsFailedStatementsAgainstTheTotal) {
  using PK = PackageCompilerEvent::Kind;
  BuildProgressModel m;
  EXPECT_TRUE(m.expectStatements(76));
  EXPECT_EQ(m.current().statementsOk, 76u);
  EXPECT_TRUE(m.apply(PackageCompilerEvent{PK::Step, "Start precompile execution", {}}, 1));
  EXPECT_EQ(m.current().phase, "executing");
  EXPECT_FALSE(m.apply(PackageCompilerEvent{PK::Step, "End precompile execution", {}}, 2));
  EXPECT_TRUE(m.apply(PackageCompilerEvent{PK::StatementFailed, "precompile(Tuple{typeof(Main.main)})", {}}, 3));
  EXPECT_TRUE(m.apply(PackageCompilerEvent{PK::StatementFailed, "precompile(Tuple{typeof(Base.nope)})", {}}, 3));
  EXPECT_EQ(m.current().statementsFailed, 2u);
  EXPECT_EQ(m.current().statementsOk, 74u);
  EXPECT_EQ(m.current().statementsTotal, 76u);
  BuildProgressModel noTotal;  // failures from execution-file traces beyond the total never wrap around
  noTotal.apply(PackageCompilerEvent{PK::StatementFailed, "x", {}}, 1);
  EXPECT_EQ(noTotal.current().statementsOk, 0u);
  EXPECT_EQ(noTotal.current().statementsFailed, 1u);
}

}  // namespace
}  // namespace sysimage::julia
