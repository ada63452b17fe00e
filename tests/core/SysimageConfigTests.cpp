// Tests for JuliaSysimage.toml: defaults, every key, lookup order, unknown-key warnings and bad values.
#include "tests/core/temp_dir.h"
#include "server/core/sysimage_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace sysimage::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using testing::TempDir;

ProjectFile projectWith(std::initializer_list<const char*> deps) {
  ProjectFile p;
  int i = 0;
  for (const char* d : deps) p.deps[d] = "00000000-0000-0000-0000-00000000000" + std::to_string(++i);
  return p;
}

TEST(SysimageConfigTest, DefaultsWithoutAFile) {
  TempDir dir;
  const SysimageConfig c = loadSysimageConfig(dir.path());
  EXPECT_FALSE(c.file.has_value());
  EXPECT_TRUE(c.exclude.empty());
  EXPECT_TRUE(c.statementsFiles.empty());
  EXPECT_TRUE(c.executionFiles.empty());
  EXPECT_EQ(c.suggestRebuildAfterStatements, 100);
  EXPECT_EQ(c.cpuTarget, "native");
  EXPECT_EQ(c.cpuTargetKind(), CpuTargetKind::native);
  EXPECT_FALSE(c.packages.has_value());
  EXPECT_FALSE(c.excludeNonPortableStatements);
  EXPECT_EQ(c.backend, BuildBackend::automatic);
  EXPECT_TRUE(c.importIntoMain);
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_THAT(c.packagesToInclude(projectWith({"JSON", "CSV"})), ElementsAre("CSV", "JSON"));
}

TEST(SysimageConfigTest, JuliaVscodeFormatWithEveryServerKey) {
  const SysimageConfig c = parseSysimageConfig(R"toml(
[sysimage]
exclude = ["Revise", "Plots"]   # julia-vscode's keys
statements_files = ["traces/precompile.jl", "/abs/other.jl"]
execution_files = "scripts/warmup.jl"

[sysimage-server]
suggest_rebuild_after_statements = 0
cpu_target = "generic;sandybridge,-xsaveopt,clone_all;haswell,-rdrnd,base(1)"
packages = ["CSV", "DataFrames", "Plots"]
exclude_non_portable_statements = true
backend = "packagecompiler"
import_into_main = false
)toml",
                                               "/proj/.vscode/JuliaSysimage.toml", "/proj");
  EXPECT_EQ(c.file, "/proj/.vscode/JuliaSysimage.toml");
  EXPECT_THAT(c.exclude, ElementsAre("Revise", "Plots"));
  EXPECT_THAT(c.statementsFiles, ElementsAre("/proj/traces/precompile.jl", "/abs/other.jl"));
  EXPECT_THAT(c.executionFiles, ElementsAre("/proj/scripts/warmup.jl"));
  EXPECT_EQ(c.suggestRebuildAfterStatements, 0);
  EXPECT_EQ(c.cpuTargetKind(), CpuTargetKind::custom);
  EXPECT_TRUE(c.excludeNonPortableStatements);
  EXPECT_EQ(c.backend, BuildBackend::packageCompiler);
  EXPECT_FALSE(c.importIntoMain);
  EXPECT_TRUE(c.warnings.empty());
  // `packages` replaces the direct deps; `exclude` still applies.
  EXPECT_THAT(c.packagesToInclude(projectWith({"JSON"})), ElementsAre("CSV", "DataFrames"));
}

TEST(SysimageConfigTest, CpuTargetKindsAndBackends) {
  EXPECT_EQ(parseSysimageConfig("[sysimage-server]\ncpu_target = \"portable\"\n", "f", "/").cpuTargetKind(),
            CpuTargetKind::portable);
  EXPECT_EQ(parseSysimageConfig("[sysimage-server]\nbackend = \"native\"\n", "f", "/").backend, BuildBackend::native);
  EXPECT_EQ(parseSysimageConfig("[sysimage-server]\nbackend = \"auto\"\n", "f", "/").backend, BuildBackend::automatic);
  EXPECT_EQ(toString(BuildBackend::packageCompiler), "packagecompiler");
  EXPECT_EQ(buildBackendFromString("PackageCompiler"), std::nullopt);
}

TEST(SysimageConfigTest, UnknownKeysWarnWithFileAndLine) {
  const SysimageConfig c = parseSysimageConfig(R"([sysimage]
exclude = []
precompile_statements_file = ["old-name.jl"]

[sysimage-server]
cpu_target = "native"
cpu-target = "typo"

[other]
x = 1
)",
                                               "/p/JuliaSysimage.toml", "/p");
  ASSERT_EQ(c.warnings.size(), 3u);
  EXPECT_EQ(c.warnings[0], "/p/JuliaSysimage.toml:9: unknown key `other` (known tables: [sysimage], [sysimage-server])");
  EXPECT_THAT(c.warnings[1], HasSubstr("/p/JuliaSysimage.toml:3: unknown key `sysimage.precompile_statements_file`"));
  EXPECT_THAT(c.warnings[2], HasSubstr("/p/JuliaSysimage.toml:7: unknown key `sysimage-server.cpu-target`"));
}

struct BadConfigRow {
  const char* name;
  const char* text;
  ParseErrorKind kind;
  int line;
  const char* key;
  const char* messagePart;
};

class BadConfigTest : public ::testing::TestWithParam<BadConfigRow> {};

TEST_P(BadConfigTest, GivesFileLineAndKey) {
  const BadConfigRow& row = GetParam();
  try {
    parseSysimageConfig(row.text, "/p/JuliaSysimage.toml", "/p");
    FAIL() << row.name;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.kind, row.kind) << e.what();
    EXPECT_EQ(e.line, row.line) << e.what();
    EXPECT_EQ(e.key, row.key) << e.what();
    EXPECT_THAT(e.message, HasSubstr(row.messagePart));
    EXPECT_THAT(e.what(), HasSubstr("/p/JuliaSysimage.toml:" + std::to_string(row.line) + ":"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, BadConfigTest,
    ::testing::Values(
        BadConfigRow{"syntax", "[sysimage]\nexclude = [\"A\"\n", ParseErrorKind::syntax, 2, "", "TOML syntax error"},
        BadConfigRow{"exclude_string", "[sysimage]\nexclude = \"Plots\"\n", ParseErrorKind::wrongType, 2,
                     "sysimage.exclude", "list of package names"},
        BadConfigRow{"exclude_number", "[sysimage]\nexclude = [\"A\", 2]\n", ParseErrorKind::wrongType, 2, "sysimage.exclude",
                     "strings"},
        BadConfigRow{"statements_number", "[sysimage]\n\nstatements_files = 5\n", ParseErrorKind::wrongType, 3,
                     "sysimage.statements_files", "path"},
        BadConfigRow{"sysimage_not_table", "sysimage = 1\n", ParseErrorKind::wrongType, 1, "sysimage", "table"},
        BadConfigRow{"negative_threshold", "[sysimage-server]\nsuggest_rebuild_after_statements = -1\n",
                     ParseErrorKind::malformedValue, 2, "sysimage-server.suggest_rebuild_after_statements", ">= 0"},
        BadConfigRow{"threshold_string", "[sysimage-server]\nsuggest_rebuild_after_statements = \"100\"\n",
                     ParseErrorKind::wrongType, 2, "sysimage-server.suggest_rebuild_after_statements", "integer"},
        BadConfigRow{"threshold_float", "[sysimage-server]\nsuggest_rebuild_after_statements = 1.5\n",
                     ParseErrorKind::wrongType, 2, "sysimage-server.suggest_rebuild_after_statements", "integer"},
        BadConfigRow{"cpu_target_empty", "[sysimage-server]\ncpu_target = \"\"\n", ParseErrorKind::malformedValue, 2,
                     "sysimage-server.cpu_target", "empty"},
        BadConfigRow{"cpu_target_blank_inside", "[sysimage-server]\ncpu_target = \"generic; haswell\"\n",
                     ParseErrorKind::malformedValue, 2, "sysimage-server.cpu_target", "blanks"},
        BadConfigRow{"cpu_target_bool", "[sysimage-server]\ncpu_target = true\n", ParseErrorKind::wrongType, 2,
                     "sysimage-server.cpu_target", "string"},
        BadConfigRow{"backend_unknown", "[sysimage-server]\nbackend = \"juliac\"\n", ParseErrorKind::malformedValue, 2,
                     "sysimage-server.backend", "\"juliac\""},
        BadConfigRow{"portable_flag_string", "[sysimage-server]\nexclude_non_portable_statements = \"yes\"\n",
                     ParseErrorKind::wrongType, 2, "sysimage-server.exclude_non_portable_statements", "true or false"},
        BadConfigRow{"import_into_main_string", "[sysimage-server]\nimport_into_main = \"no\"\n",
                     ParseErrorKind::wrongType, 2, "sysimage-server.import_into_main", "true or false"},
        BadConfigRow{"packages_empty_name", "[sysimage-server]\npackages = [\"CSV\", \"\"]\n", ParseErrorKind::malformedValue,
                     2, "sysimage-server.packages", "empty"}),
    [](const ::testing::TestParamInfo<BadConfigRow>& info) { return std::string(info.param.name); });

TEST(SysimageConfigTest, LooksInDotVscodeFirstThenTheRoot) {
  TempDir dir;
  EXPECT_THAT(sysimageConfigCandidates(dir.path()),
              ElementsAre(dir.path() / ".vscode/JuliaSysimage.toml", dir.path() / "JuliaSysimage.toml"));
  dir.write("JuliaSysimage.toml", "[sysimage-server]\ncpu_target = \"portable\"\n");
  SysimageConfig c = loadSysimageConfig(dir.path());
  EXPECT_EQ(c.file, dir.path() / "JuliaSysimage.toml");
  EXPECT_EQ(c.cpuTarget, "portable");
  dir.write(".vscode/JuliaSysimage.toml", "[sysimage]\nexclude = [\"Revise\"]\nstatements_files = \"s.jl\"\n");
  c = loadSysimageConfig(dir.path());
  EXPECT_EQ(c.file, dir.path() / ".vscode/JuliaSysimage.toml");
  EXPECT_EQ(c.cpuTarget, "native");  // the files are not merged: the first one found is the configuration
  EXPECT_THAT(c.exclude, ElementsAre("Revise"));
  EXPECT_THAT(c.statementsFiles, ElementsAre(dir.path() / "s.jl"));  // relative to the project root
}

TEST(SysimageConfigTest, ExcludeRemovesDirectDependencies) {
  const SysimageConfig c = parseSysimageConfig("[sysimage]\nexclude = [\"Revise\", \"NotADep\"]\n", "f", "/");
  EXPECT_THAT(c.packagesToInclude(projectWith({"Revise", "CSV", "JSON"})), ElementsAre("CSV", "JSON"));
}

}  // namespace
}  // namespace sysimage::core
