// Tests for the project file model: fixture Project.toml files, every field, errors, and project root lookup.
#include "tests/core/temp_dir.h"
#include "server/core/project_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include "tests/support/shared_fixtures.h"

namespace sysimage::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::filesystem::path kManifests = std::filesystem::path(SYSIMAGE_FIXTURES_DIR) / "manifests";

using testing::TempDir;

TEST(ProjectFileTest, FixtureDependencyCounts) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  // Counted with `grep -c '= "'` (the files hold only [deps], plus [sources] in v1.13: 58 = 29 + 29).
  EXPECT_EQ(readProjectFile(kManifests / "packagecompiler_bin_Project.toml").deps.size(), 4u);
  EXPECT_EQ(readProjectFile(kManifests / "packagecompiler_MyLib_build_Project.toml").deps.size(), 2u);
  EXPECT_EQ(readProjectFile(kManifests / "juliavscode_terminalserver_v1.6_Project.toml").deps.size(), 2u);
  EXPECT_EQ(readProjectFile(kManifests / "juliavscode_languageserver_v1.12_Project.toml").deps.size(), 29u);
  const ProjectFile ls = readProjectFile(kManifests / "juliavscode_languageserver_v1.13_Project.toml");
  EXPECT_EQ(ls.deps.size(), 29u);
  EXPECT_EQ(ls.deps.at("LanguageServer"), "2b0e0bc5-e4fd-59b4-8912-456d1b03d8d7");
  EXPECT_FALSE(ls.name.has_value());
  EXPECT_TRUE(ls.compat.empty());
}

TEST(ProjectFileTest, MyLibDirectDependencies) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const ProjectFile p = readProjectFile(kManifests / "packagecompiler_MyLib_build_Project.toml");
  EXPECT_THAT(p.directDependencyNames(), ElementsAre("Libdl", "PackageCompiler"));
  EXPECT_EQ(p.deps.at("PackageCompiler"), "9b87118b-4619-50d2-8e1e-99f35a4d4d9d");
}

TEST(ProjectFileTest, AllFields) {
  const ProjectFile p = parseProjectFile(R"(name = "MyProject"
uuid = "ABCDEF00-1111-2222-3333-444444444444"
version = "0.3.1-DEV"
authors = ["Someone <a@b.c>"]

[deps]
CSV = "336ed68f-0bac-5ca0-87d4-7b16caf5d00b"
JSON = "682c06a0-de6a-54ab-a142-c8b1cf79cde6"

[weakdeps]
Plots = "91a5bcdd-55d7-5caf-9e0b-520d859cae80"

[extensions]
MyPlotsExt = "Plots"

[extras]
Test = "8dfed614-e22c-5e08-85e1-65c5234f0b40"

[compat]
CSV = "0.10"
julia = "1.6"

[targets]
test = ["Test"]
)",
                                         "Project.toml");
  EXPECT_EQ(p.name, "MyProject");
  EXPECT_EQ(p.uuid, "abcdef00-1111-2222-3333-444444444444");
  EXPECT_EQ(p.version, "0.3.1-DEV");
  EXPECT_THAT(p.directDependencyNames(), ElementsAre("CSV", "JSON"));
  EXPECT_EQ(p.weakdeps.at("Plots"), "91a5bcdd-55d7-5caf-9e0b-520d859cae80");
  EXPECT_EQ(p.extras.size(), 1u);
  EXPECT_EQ(p.compat.at("CSV"), "0.10");
  EXPECT_EQ(p.compat.at("julia"), "1.6");
  EXPECT_EQ(p.file, "Project.toml");
}

struct BadProjectRow {
  const char* name;
  const char* text;
  ParseErrorKind kind;
  int line;
  const char* key;
};

class BadProjectTest : public ::testing::TestWithParam<BadProjectRow> {};

TEST_P(BadProjectTest, GivesItsSpecificError) {
  const BadProjectRow& row = GetParam();
  try {
    parseProjectFile(row.text, "/p/Project.toml");
    FAIL() << row.name;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.kind, row.kind) << e.what();
    EXPECT_EQ(e.line, row.line) << e.what();
    EXPECT_EQ(e.key, row.key) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("/p/Project.toml:" + std::to_string(row.line)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, BadProjectTest,
    ::testing::Values(BadProjectRow{"syntax", "name = \"A\"\n[deps\n", ParseErrorKind::syntax, 2, ""},
                      BadProjectRow{"bad_dep_uuid", "[deps]\nCSV = \"336ed68f\"\n", ParseErrorKind::malformedUuid, 2, "deps.CSV"},
                      BadProjectRow{"dep_not_string", "[deps]\nCSV = 1\n", ParseErrorKind::wrongType, 2, "deps.CSV"},
                      BadProjectRow{"deps_not_table", "deps = [\"CSV\"]\n", ParseErrorKind::wrongType, 1, "deps"},
                      BadProjectRow{"compat_not_string", "[compat]\nCSV = 0.1\n", ParseErrorKind::wrongType, 2, "compat.CSV"},
                      BadProjectRow{"bad_version", "\nversion = \"x.y\"\n", ParseErrorKind::malformedValue, 2, "version"},
                      BadProjectRow{"bad_uuid", "uuid = \"nope\"\n", ParseErrorKind::malformedUuid, 1, "uuid"},
                      BadProjectRow{"name_not_string", "name = 3\n", ParseErrorKind::wrongType, 1, "name"}),
    [](const ::testing::TestParamInfo<BadProjectRow>& info) { return std::string(info.param.name); });

TEST(ProjectFileTest, MissingFileIsAnIoError) {
  try {
    readProjectFile("/nonexistent/Project.toml");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.kind, ParseErrorKind::io);
  }
}

TEST(ProjectRootTest, JuliaProjectWinsOverProject) {
  TempDir dir;
  dir.write("Project.toml", "");
  EXPECT_EQ(projectFileIn(dir.path()), dir.path() / "Project.toml");
  dir.write("JuliaProject.toml", "");
  EXPECT_EQ(projectFileIn(dir.path()), dir.path() / "JuliaProject.toml");
}

TEST(ProjectRootTest, NearestAncestorWithAProjectFile) {
  TempDir dir;
  dir.write("outer/Project.toml", "");
  dir.write("outer/inner/JuliaProject.toml", "");
  dir.write("outer/inner/src/deep/file.jl", "x = 1\n");
  dir.write("outer/other/src/a.jl", "");
  const auto root = dir.path();
  EXPECT_EQ(findProjectRoot(root / "outer/inner/src/deep", root), root / "outer/inner");
  EXPECT_EQ(findProjectRoot(root / "outer/inner/src/deep/file.jl", root), root / "outer/inner");  // a file
  EXPECT_EQ(findProjectRoot(root / "outer/other/src/", root), root / "outer");                  // trailing '/'
  EXPECT_EQ(findProjectRoot(root / "outer", root), root / "outer");
  EXPECT_EQ(findProjectRoot(root / "outer/inner/src/../../other", root), root / "outer");
}

TEST(ProjectRootTest, StopsAtTheStopDirectory) {
  TempDir dir;
  dir.write("Project.toml", "");
  dir.write("home/user/code/a.jl", "");
  const auto root = dir.path();
  // Like Julia's current_project, the search ends at the home directory...
  EXPECT_EQ(findProjectRoot(root / "home/user/code", root / "home/user"), std::nullopt);
  // ...but the home directory itself is still checked.
  dir.write("home/user/Project.toml", "");
  EXPECT_EQ(findProjectRoot(root / "home/user/code", root / "home/user"), root / "home/user");
  EXPECT_EQ(findProjectRoot(root / "home/user/code", std::nullopt), root / "home/user");
}

TEST(ProjectRootTest, NoneFound) {
  TempDir dir;
  dir.write("a/b/c.txt", "");
  EXPECT_EQ(findProjectRoot(dir.path() / "a/b", dir.path()), std::nullopt);
}

}  // namespace
}  // namespace sysimage::core
