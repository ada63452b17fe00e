// Tests of rootModules(), LoadableModules and OutsideStatements: statements naming modules the
// project cannot load (the Julia extension's VSCodeServer, Revise) are counted and left out of the
// exported statement file, without touching the rest.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "server/core/outside_statements.h"
#include "server/core/statement.h"
#include "server/core/statement_store.h"
#include "tests/core/temp_dir.h"

namespace sysimage::core {
namespace {

namespace fs = std::filesystem;
using Names = std::vector<std::string_view>;

TEST(OutsideStatementsTests, RootModulesOfTraceLines) {
  struct Row {
    std::string_view statement;
    Names roots;
  };
  // Lines as Julia 1.5.3's --trace-compile writes them (a REPL of the Julia extension).
  const Row rows[] = {
      {"precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})", {"Base"}},
      {"precompile(Tuple{typeof(VSCodeServer.evalrepl), Module, String})", {"VSCodeServer"}},
      {"precompile(Tuple{typeof(VSCodeServer.JSONRPC.send_notification), VSCodeServer.JSONRPC.JSONRPCEndpoint{Base.PipeEndpoint, Base.PipeEndpoint}, String, Base.Dict{String, Any}})",
       {"Base", "VSCodeServer"}},
      {"precompile(Tuple{VSCodeServer.var\"#102#104\"{Module}, Int64})", {"VSCodeServer"}},
      {"precompile(Tuple{Base.var\"#pipeline##kw\", NamedTuple{(:stderr,), Tuple{Base.IOStream}}, typeof(Base.pipeline), Base.Cmd})",
       {"Base"}},
      {"precompile(Tuple{typeof(Statistics.mean), Array{Float64, 1}})", {"Statistics"}},
      {"precompile(Tuple{typeof(Base.:(==)), Int64, Float64})", {"Base"}},
      // Only modules: numbers, strings, symbols and comments name none.
      {"precompile(Tuple{Type{Val{1.5}}, Int64})", {}},
      {"precompile(Tuple{typeof(Base.getproperty), Revise.PkgData, Symbol}) #= Fake.x =#", {"Base", "Revise"}},
      {"precompile(Tuple{typeof(Base.show), String}) # Other.y", {"Base"}},
      {"precompile(Tuple{Base.var\"#f\", Val{:Foo}, Val{Symbol(\"Bar.baz\")}})", {"Base"}},
      {"precompile(Tuple{typeof(Main.f), Int64})", {"Main"}},
  };
  for (const Row& row : rows) {
    // rootModules() returns the names sorted; the expectations are written sorted too.
    Names roots = rootModules(row.statement);
    EXPECT_EQ(roots, row.roots) << row.statement;
  }
}

TEST(OutsideStatementsTests, LoadableModulesOfAProject) {
  testing::TempDir dir;
  dir.write("stdlib/Statistics/src/Statistics.jl", "");
  dir.write("stdlib/REPL/src/REPL.jl", "");
  ProjectFile project;
  project.name = "MyApp";
  project.deps["CSV"] = "336ed68f-0bac-5ca0-87d4-7b16caf5d00b";
  Manifest manifest;
  manifest.packages.push_back(PackageEntry{.name = "Parsers", .uuid = "69de0a69-1ddd-5017-9359-2bf0b02dc9f0"});
  manifest.packages.back().extensions["ParsersDatesExt"] = {"Dates"};
  const LoadableModules modules = loadableModules(project, manifest, dir.path() / "stdlib");
  for (const char* name : {"Core", "Base", "Main", "MyApp", "CSV", "Parsers", "ParsersDatesExt", "Statistics", "REPL"}) {
    EXPECT_TRUE(modules.contains(name)) << name;
  }
  for (const char* name : {"VSCodeServer", "Revise", "JSON"}) EXPECT_FALSE(modules.contains(name)) << name;
  EXPECT_EQ(outsideModule("precompile(Tuple{typeof(VSCodeServer.evalrepl), Module, String})", modules), "VSCodeServer");
  EXPECT_EQ(outsideModule("precompile(Tuple{typeof(Statistics.mean), Array{Float64, 1}})", modules), "");
  // No stdlib directory (unreadable): only what the project and manifest say.
  EXPECT_FALSE(loadableModules(project, manifest, dir.path() / "missing").contains("Statistics"));
  EXPECT_TRUE(loadableModules(std::nullopt, std::nullopt, {}).contains("Base"));
}

class OutsideStatementsStoreTests : public ::testing::Test {
 protected:
  OutsideStatementsStoreTests() : store_(dir_.path() / "store") {
    modules_.add("Core");
    modules_.add("Base");
    modules_.add("Main");
    modules_.add("Statistics");
  }
  testing::TempDir dir_;
  StatementStore store_;
  LoadableModules modules_;
};

TEST_F(OutsideStatementsStoreTests, CountsByModuleIncrementallyAndSinceAnIndex) {
  store_.add("precompile(Tuple{typeof(Statistics.mean), Array{Float64, 1}})");
  store_.add("precompile(Tuple{typeof(VSCodeServer.evalrepl), Module, String})");
  store_.add("precompile(Tuple{typeof(Main.f), Int64})");  // excluded (Main): counted there, not here
  OutsideStatements outside;
  outside.update(store_, modules_);
  EXPECT_EQ(outside.total(), 1u);
  store_.add("precompile(Tuple{typeof(Revise.revise)})");
  store_.add("precompile(Tuple{typeof(VSCodeServer.JSONRPC.send), Int64})");
  store_.add("precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})");
  outside.update(store_, modules_);
  EXPECT_EQ(outside.total(), 3u);
  EXPECT_EQ(outside.byModule().at("VSCodeServer"), 2u);
  EXPECT_EQ(outside.byModule().at("Revise"), 1u);
  EXPECT_EQ(outside.since(0), 3u);
  EXPECT_EQ(outside.since(3), 2u);  // of the statements at index 3 and later
  EXPECT_EQ(outside.since(6), 0u);

  // The project gains Revise: update() alone reads only new statements, so the counts stay those
  // of the old modules until reset(); then everything is counted again against the new modules.
  modules_.add("Revise");
  outside.update(store_, modules_);
  EXPECT_EQ(outside.total(), 3u);
  outside.reset();
  EXPECT_EQ(outside.total(), 0u);
  outside.update(store_, modules_);
  EXPECT_EQ(outside.total(), 2u);
  EXPECT_EQ(outside.byModule().count("Revise"), 0u);
  EXPECT_EQ(outside.since(3), 1u);

  // The store is cleared: the counts follow.
  ASSERT_TRUE(store_.clear());
  outside.reset();
  outside.update(store_, modules_);
  EXPECT_EQ(outside.total(), 0u);
  EXPECT_TRUE(outside.byModule().empty());
}

TEST_F(OutsideStatementsStoreTests, AClearedStoreResetsByItself) {
  store_.add("precompile(Tuple{typeof(VSCodeServer.evalrepl), Module, String})");
  store_.add("precompile(Tuple{typeof(Revise.revise)})");
  OutsideStatements outside;
  outside.update(store_, modules_);
  EXPECT_EQ(outside.total(), 2u);
  // Cleared and refilled with fewer statements than were read: counted again from the start.
  ASSERT_TRUE(store_.clear());
  store_.add("precompile(Tuple{typeof(Revise.revise)})");
  outside.update(store_, modules_);
  EXPECT_EQ(outside.total(), 1u);
  EXPECT_EQ(outside.byModule().count("VSCodeServer"), 0u);
  EXPECT_EQ(outside.byModule().at("Revise"), 1u);
}

TEST_F(OutsideStatementsStoreTests, UpdateReadsOnlyTheStatementsAddedSinceTheLastOne) {
  OutsideStatements outside;
  for (int round = 0; round < 3; ++round) {
    store_.add("precompile(Tuple{typeof(VSCodeServer.f" + std::to_string(round) + "), Int64})");
    store_.add("precompile(Tuple{typeof(Base.g" + std::to_string(round) + "), Int64})");
    outside.update(store_, modules_);
    EXPECT_EQ(outside.total(), static_cast<std::size_t>(round + 1));
    EXPECT_EQ(outside.since(static_cast<std::size_t>(2 * round)), 1u);
  }
  // Nothing new: the counts stand.
  outside.update(store_, modules_);
  EXPECT_EQ(outside.total(), 3u);
  EXPECT_EQ(outside.byModule().at("VSCodeServer"), 3u);
}

TEST_F(OutsideStatementsStoreTests, ExportLeavesThemOutAndHashesWhatItWrote) {
  const std::string mean = "precompile(Tuple{typeof(Statistics.mean), Array{Float64, 1}})";
  store_.add(mean);
  store_.add("precompile(Tuple{typeof(VSCodeServer.evalrepl), Module, String})");
  const fs::path file = dir_.path() / "statements.jl";
  const ExportResult first = store_.exportStatements(file, ExportOptions{false, &modules_});
  ASSERT_TRUE(first.ok()) << first.error;
  EXPECT_EQ(first.written, 1u);
  EXPECT_EQ(first.outsideSkipped, 1u);
  std::stringstream text;
  text << std::ifstream(file).rdbuf();
  EXPECT_EQ(text.str(), mean + "\n");

  // More outside statements change the store's hash, not what a build replays.
  store_.add("precompile(Tuple{typeof(VSCodeServer.JSONRPC.send), Int64})");
  const ExportResult second = store_.exportStatements(file, ExportOptions{false, &modules_});
  EXPECT_EQ(second.written, 1u);
  EXPECT_EQ(second.outsideSkipped, 2u);
  EXPECT_NE(second.setHash, first.setHash);
  EXPECT_EQ(second.writtenHash, first.writtenHash);

  // Without modules nothing is filtered (the behaviour before).
  const ExportResult all = store_.exportStatements(file, {});
  EXPECT_EQ(all.written, 3u);
  EXPECT_EQ(all.outsideSkipped, 0u);
}

}  // namespace
}  // namespace sysimage::core
