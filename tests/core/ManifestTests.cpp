// Tests for the manifest model: every fixture in /work/shared/fixtures/manifests, Pkg's bad manifests,
// version numbers, content hashes and Julia's manifest file selection.
#include "tests/core/temp_dir.h"
#include "server/core/manifest.h"

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

std::size_t countKind(const Manifest& m, SourceKind kind) {
  return static_cast<std::size_t>(std::count_if(m.packages.begin(), m.packages.end(),
                                                [&](const PackageEntry& p) { return p.sourceKind() == kind; }));
}

const PackageEntry& only(const Manifest& m, const std::string& name) {
  const auto found = m.findByName(name);
  EXPECT_EQ(found.size(), 1u) << name;
  return *found.at(0);
}

// ---------------------------------------------------------------------------------------------------------
// Every good fixture: counts found with grep (`^\[\[deps\.` / `^\[\[Name\]\]`, `^path =`, `^repo-url`,
// `^git-tree-sha1`) and cross-checked with Python's tomllib.

struct FixtureRow {
  const char* file;
  std::size_t packages;
  const char* format;
  bool oldFormat;
  const char* juliaVersion;  // "" = none
  std::size_t stdlib, registry, path, repo;
  std::size_t warnings;
};

class ManifestFixtureTest : public ::testing::TestWithParam<FixtureRow> {};

TEST_P(ManifestFixtureTest, ParsesWithExactCounts) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const FixtureRow& row = GetParam();
  const Manifest m = readManifest(kManifests / row.file);
  EXPECT_EQ(m.packages.size(), row.packages);
  EXPECT_EQ(m.manifestFormat, row.format);
  EXPECT_EQ(m.oldFormat, row.oldFormat);
  EXPECT_EQ(m.juliaVersion.value_or(""), row.juliaVersion);
  EXPECT_EQ(countKind(m, SourceKind::stdlib), row.stdlib);
  EXPECT_EQ(countKind(m, SourceKind::registry), row.registry);
  EXPECT_EQ(countKind(m, SourceKind::path), row.path);
  EXPECT_EQ(countKind(m, SourceKind::repo), row.repo);
  EXPECT_EQ(m.warnings.size(), row.warnings);
  EXPECT_TRUE(std::is_sorted(m.packages.begin(), m.packages.end(), [](const PackageEntry& a, const PackageEntry& b) {
    return a.name != b.name ? a.name < b.name : a.uuid < b.uuid;
  }));
  for (const PackageEntry& p : m.packages) {
    EXPECT_TRUE(isUuid(p.uuid)) << p.name;
    for (const Dependency& d : p.deps) EXPECT_NE(m.findByUuid(d.uuid), nullptr) << p.name << " -> " << d.name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllGoodFixtures, ManifestFixtureTest,
    ::testing::Values(
        FixtureRow{"juliavscode_languageserver_v1.12_Manifest.before.toml", 66, "2.0", false, "1.12.7", 37, 0, 29, 0, 0},
        FixtureRow{"juliavscode_languageserver_v1.12_Manifest.after.toml", 66, "2.0", false, "1.12.7", 37, 0, 29, 0, 0},
        FixtureRow{"juliavscode_languageserver_v1.13_Manifest.format2.1.toml", 68, "2.1", false, "1.13.0-rc3", 39, 0, 29, 0, 0},
        FixtureRow{"juliavscode_terminalserver_v1.6_Manifest.oldformat.toml", 33, "1.0", true, "", 32, 0, 1, 0, 0},
        FixtureRow{"packagecompiler_MyLib_build_Manifest-v1.10.oldformat.toml", 37, "1.0", true, "", 33, 3, 1, 0, 0},
        FixtureRow{"packagecompiler_MyLib_build_Manifest.toml", 36, "2.0", false, "1.12.4", 32, 3, 1, 0, 0},
        FixtureRow{"packagecompiler_bin_Manifest.toml", 240, "2.0", false, "1.9.0", 47, 191, 0, 2, 0},
        FixtureRow{"pkgjl_test_NotUpdated_repo-url_Manifest.toml", 1, "2.0", false, "", 0, 0, 0, 1, 0},
        FixtureRow{"pkgjl_test_format_v1.0_Manifest.toml", 3, "1.0", true, "", 3, 0, 0, 0, 0},
        FixtureRow{"pkgjl_test_format_v2.0_Manifest.toml", 3, "2.0", false, "1.7.0-DEV", 3, 0, 0, 0, 0},
        FixtureRow{"pkgjl_test_format_v2.1_Manifest.toml", 4, "2.1", false, "1.13.0-DEV", 3, 1, 0, 0, 0},
        FixtureRow{"pkgjl_test_format_v3.0_unknown_Manifest.toml", 3, "3.0", false, "1.7.0-DEV", 3, 0, 0, 0, 1},
        FixtureRow{"pkgjl_test_good_not_unique_names_Manifest.toml", 22, "2.0", false, "", 19, 2, 1, 0, 0}));

TEST(ManifestTest, PackageCompilerBinFields) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const Manifest m = readManifest(kManifests / "packagecompiler_bin_Manifest.toml");
  EXPECT_EQ(m.projectHash, "432fe469383f46fa18483177d5fd3b46ab415184");
  const PackageEntry& fft = only(m, "AbstractFFTs");
  EXPECT_EQ(fft.uuid, "621f4979-c628-5d54-868e-fcf4e3e8185c");
  EXPECT_EQ(fft.version, "1.3.1");
  EXPECT_EQ(fft.treeHash, "16b6dbc4cf7caee4e1e75c49485ec67b667098a0");
  EXPECT_EQ(fft.sourceKind(), SourceKind::registry);
  EXPECT_THAT(fft.deps, ElementsAre(Dependency{"LinearAlgebra", "37e2e46d-f89d-539d-b4ee-838fcccc9c8e"}));
  ASSERT_EQ(fft.weakdeps.size(), 1u);
  EXPECT_EQ(fft.weakdeps[0].name, "ChainRulesCore");
  EXPECT_EQ(fft.weakdeps[0].uuid, only(m, "ChainRulesCore").uuid);
  ASSERT_EQ(fft.extensions.count("AbstractFFTsChainRulesCoreExt"), 1u);
  EXPECT_THAT(fft.extensions.at("AbstractFFTsChainRulesCoreExt"), ElementsAre("ChainRulesCore"));

  const PackageEntry& vj = only(m, "VersionsJSONUtil");
  EXPECT_EQ(vj.sourceKind(), SourceKind::repo);
  EXPECT_EQ(vj.repoUrl, "https://github.com/JuliaLang/VersionsJSONUtil.jl");
  EXPECT_EQ(vj.repoRev, "main");
  EXPECT_EQ(vj.treeHash, "b53158888a955b62fe5ca0d722136b1d4707022a");
  EXPECT_EQ(vj.deps.size(), 8u);
  EXPECT_FALSE(vj.pinned);
  const PackageEntry& artifacts = only(m, "Artifacts");
  EXPECT_EQ(artifacts.sourceKind(), SourceKind::stdlib);
  EXPECT_FALSE(artifacts.version.has_value());
}

TEST(ManifestTest, Format21PathPackagesWithWeakdepsTable) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const Manifest m = readManifest(kManifests / "juliavscode_languageserver_v1.13_Manifest.format2.1.toml");
  EXPECT_EQ(m.projectHash, "23e17107dc683fd4edebb1ba9c609b31faea3614");
  const PackageEntry& cm = only(m, "CommonMark");
  EXPECT_EQ(cm.path, "../../../packages/CommonMark");
  EXPECT_EQ(cm.version, "1.0.4");
  EXPECT_EQ(cm.sourceKind(), SourceKind::path);
  EXPECT_THAT(cm.weakdeps, ElementsAre(Dependency{"Markdown", "d6f4376e-aef5-505a-96c1-9c027394607a"},
                                       Dependency{"MarkdownAST", "d0879d2d-cac2-40c8-9cee-1863dc0c7391"}));
  EXPECT_EQ(cm.extensions.size(), 2u);
  EXPECT_THAT(cm.extensions.at("CommonMarkMarkdownASTExt"), ElementsAre("MarkdownAST"));
  EXPECT_EQ(packageDirectory(m, cm), (kManifests / "../../../packages/CommonMark").lexically_normal());
  EXPECT_EQ(packageDirectory(m, only(m, "Base64")), std::nullopt);
  EXPECT_EQ(only(m, "CSTParser").version, "3.5.1-DEV");
}

TEST(ManifestTest, OldFormatFields) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const Manifest ts = readManifest(kManifests / "juliavscode_terminalserver_v1.6_Manifest.oldformat.toml");
  const PackageEntry& vs = only(ts, "VSCodeServer");
  EXPECT_EQ(vs.path, "../../../packages/VSCodeServer");
  EXPECT_EQ(only(ts, "Downloads").deps.size(), 3u);
  EXPECT_FALSE(ts.projectHash.has_value());

  const Manifest lib = readManifest(kManifests / "packagecompiler_MyLib_build_Manifest-v1.10.oldformat.toml");
  const PackageEntry& pc = only(lib, "PackageCompiler");
  EXPECT_EQ(pc.version, "2.1.12");
  EXPECT_EQ(pc.path, "../../..");
  EXPECT_EQ(pc.uuid, "9b87118b-4619-50d2-8e1e-99f35a4d4d9d");
  EXPECT_EQ(pc.deps.size(), 10u);
}

TEST(ManifestTest, RepoUrlWithLonePlusVersion) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const Manifest m = readManifest(kManifests / "pkgjl_test_NotUpdated_repo-url_Manifest.toml");
  const PackageEntry& ex = only(m, "Example");
  EXPECT_EQ(ex.version, "0.5.1+");
  EXPECT_EQ(ex.repoRev, "master");
  EXPECT_EQ(ex.repoUrl, "https://github.com/JuliaLang/Example.jl.git");
  EXPECT_EQ(ex.treeHash, "6cb40eba4dd78fc0fa3ebeb8cb7e125ba645be6e");
}

TEST(ManifestTest, Format21Registries) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const Manifest m = readManifest(kManifests / "pkgjl_test_format_v2.1_Manifest.toml");
  ASSERT_EQ(m.registries.size(), 1u);
  EXPECT_EQ(m.registries[0].name, "General");
  EXPECT_EQ(m.registries[0].uuid, "23338594-aafe-5451-b93e-139f81909106");
  EXPECT_EQ(m.registries[0].url, "https://github.com/JuliaRegistries/General.git");
  EXPECT_THAT(only(m, "Example").registries, ElementsAre("General"));
  EXPECT_EQ(only(m, "Example").version, "0.5.3");
}

TEST(ManifestTest, UnknownFormatOnlyWarns) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const Manifest m = readManifest(kManifests / "pkgjl_test_format_v3.0_unknown_Manifest.toml");
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_THAT(m.warnings[0], HasSubstr("unknown manifest format 3.0"));
  EXPECT_THAT(only(m, "Random").deps, ElementsAre(Dependency{"Serialization", "9e88b42a-f829-5b0c-bbe9-9e923198166b"}));
}

TEST(ManifestTest, NotUniqueNamesUseTheTableForm) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const Manifest m = readManifest(kManifests / "pkgjl_test_good_not_unique_names_Manifest.toml");
  const auto pkgs = m.findByName("Pkg");
  ASSERT_EQ(pkgs.size(), 2u);
  EXPECT_EQ(pkgs[0]->uuid, "44cfe95a-1eb2-52ea-b672-e2afdf69b78f");
  EXPECT_EQ(pkgs[0]->sourceKind(), SourceKind::stdlib);
  EXPECT_EQ(pkgs[1]->uuid, "748391e3-3ea3-41aa-8037-d96b5d03e7c6");
  EXPECT_EQ(pkgs[1]->path, "..");
  const PackageEntry& doc = only(m, "Documenter");
  EXPECT_EQ(doc.deps.size(), 11u);
  const auto pkgDep = std::find_if(doc.deps.begin(), doc.deps.end(), [](const Dependency& d) { return d.name == "Pkg"; });
  ASSERT_NE(pkgDep, doc.deps.end());
  EXPECT_EQ(pkgDep->uuid, "44cfe95a-1eb2-52ea-b672-e2afdf69b78f");
  EXPECT_EQ(m.findByUuid("748391E3-3EA3-41AA-8037-D96B5D03E7C6"), pkgs[1]);
}

// ---------------------------------------------------------------------------------------------------------
// Pkg's bad fixtures: each gives its own error, with the position of the offending value.

struct BadRow {
  const char* file;
  ParseErrorKind kind;
  int line;
  int column;
  const char* key;
  const char* messagePart;
};

class BadManifestTest : public ::testing::TestWithParam<BadRow> {};

TEST_P(BadManifestTest, GivesItsSpecificError) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const BadRow& row = GetParam();
  try {
    readManifest(kManifests / row.file);
    FAIL() << "no error for " << row.file;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.kind, row.kind) << toString(e.kind) << ": " << e.what();
    EXPECT_EQ(e.line, row.line) << e.what();
    EXPECT_EQ(e.column, row.column) << e.what();
    EXPECT_EQ(e.key, row.key);
    EXPECT_THAT(e.message, HasSubstr(row.messagePart));
    EXPECT_EQ(e.file, kManifests / row.file);
    EXPECT_THAT(e.what(), HasSubstr(row.file + std::string(":") + std::to_string(row.line) + ":"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    PkgBadFixtures, BadManifestTest,
    ::testing::Values(
        BadRow{"pkgjl_test_bad_parse_error_Manifest.toml", ParseErrorKind::syntax, 2, 18, "", "TOML syntax error"},
        BadRow{"pkgjl_test_bad_malformed_uuid_Manifest.toml", ParseErrorKind::malformedUuid, 12, 8, "Dates.uuid",
               "\"ade2ca70\""},
        BadRow{"pkgjl_test_bad_malformed_repo_url_Manifest.toml", ParseErrorKind::wrongType, 22, 12, "Example.repo-url",
               "`repo-url` to be a string"},
        BadRow{"pkgjl_test_bad_duplicate_deps_Manifest.toml", ParseErrorKind::duplicateDependency, 5, 40,
               "BinaryProvider.deps", "duplicate entry `SHA`"},
        BadRow{"pkgjl_test_bad_missing_dep_Manifest.toml", ParseErrorKind::missingDependency, 15, 64,
               "Distributed.deps", "depends on `DoesNotExist`, but no such entry exists"}));

// Synthetic malformed manifests: the error kind and key for each.
struct SyntheticRow {
  const char* name;
  const char* text;
  ParseErrorKind kind;
  const char* key;
};

class SyntheticBadManifestTest : public ::testing::TestWithParam<SyntheticRow> {};

TEST_P(SyntheticBadManifestTest, GivesItsSpecificError) {
  const SyntheticRow& row = GetParam();
  try {
    parseManifest(row.text, "Manifest.toml");
    FAIL() << "no error for " << row.name;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.kind, row.kind) << e.what();
    EXPECT_EQ(e.key, row.key) << e.what();
    EXPECT_GT(e.line, 0) << e.what();
  }
}

#define U1 "00000000-0000-0000-0000-000000000001"
#define U2 "00000000-0000-0000-0000-000000000002"
#define U3 "00000000-0000-0000-0000-000000000003"
INSTANTIATE_TEST_SUITE_P(
    Rows, SyntheticBadManifestTest,
    ::testing::Values(
        SyntheticRow{"ambiguous", "manifest_format = \"2.0\"\n[[deps.A]]\nuuid = \"" U1 "\"\n[[deps.A]]\nuuid = \"" U2
                     "\"\n[[deps.B]]\nuuid = \"" U3 "\"\ndeps = [\"A\"]\n",
                     ParseErrorKind::ambiguousDependency, "deps.B.deps"},
        SyntheticRow{"table dep to unknown uuid", "manifest_format = \"2.0\"\n[[deps.B]]\nuuid = \"" U3
                     "\"\n[deps.B.deps]\nA = \"" U1 "\"\n",
                     ParseErrorKind::missingDependency, "deps.B.deps.A"},
        SyntheticRow{"table dep with wrong name", "manifest_format = \"2.0\"\n[[deps.A]]\nuuid = \"" U1
                     "\"\n[[deps.B]]\nuuid = \"" U3 "\"\n[deps.B.deps]\nC = \"" U1 "\"\n",
                     ParseErrorKind::missingDependency, "deps.B.deps.C"},
        SyntheticRow{"duplicate uuid", "manifest_format = \"2.0\"\n[[deps.A]]\nuuid = \"" U1 "\"\n[[deps.B]]\nuuid = \"" U1 "\"\n",
                     ParseErrorKind::duplicatePackage, "deps.B.uuid"},
        SyntheticRow{"missing uuid", "manifest_format = \"2.0\"\n[[deps.A]]\nversion = \"1.0.0\"\n",
                     ParseErrorKind::missingField, "deps.A.uuid"},
        SyntheticRow{"bad version", "manifest_format = \"2.0\"\n[[deps.A]]\nuuid = \"" U1 "\"\nversion = \"one\"\n",
                     ParseErrorKind::malformedValue, "deps.A.version"},
        SyntheticRow{"bad tree hash", "manifest_format = \"2.0\"\n[[deps.A]]\nuuid = \"" U1 "\"\ngit-tree-sha1 = \"abc\"\n",
                     ParseErrorKind::malformedValue, "deps.A.git-tree-sha1"},
        SyntheticRow{"deps not a list", "manifest_format = \"2.0\"\n[[deps.A]]\nuuid = \"" U1 "\"\ndeps = 3\n",
                     ParseErrorKind::wrongType, "deps.A.deps"},
        SyntheticRow{"pinned not a bool", "manifest_format = \"2.0\"\n[[deps.A]]\nuuid = \"" U1 "\"\npinned = \"yes\"\n",
                     ParseErrorKind::wrongType, "deps.A.pinned"},
        SyntheticRow{"entry not an array of tables", "manifest_format = \"2.0\"\n[deps]\nA = 1\n", ParseErrorKind::wrongType,
                     "deps.A"},
        SyntheticRow{"bad manifest_format", "manifest_format = \"two\"\n", ParseErrorKind::malformedValue, "manifest_format"},
        SyntheticRow{"bad table dep uuid", "manifest_format = \"2.0\"\n[[deps.B]]\nuuid = \"" U3 "\"\n[deps.B.deps]\nA = \"x\"\n",
                     ParseErrorKind::malformedUuid, "deps.B.deps.A"}),
    [](const ::testing::TestParamInfo<SyntheticRow>& info) {
      std::string n = info.param.name;
      std::replace(n.begin(), n.end(), ' ', '_');
      return n;
    });

TEST(ManifestTest, WeakDependencyWithoutEntryStaysUnresolved) {
  const Manifest m = parseManifest("manifest_format = \"2.0\"\n[[deps.A]]\nuuid = \"" U1 "\"\nweakdeps = [\"Gone\"]\n", "M.toml");
  EXPECT_THAT(only(m, "A").weakdeps, ElementsAre(Dependency{"Gone", ""}));
}

TEST(ManifestTest, EmptyManifestHasNoPackages) {
  const Manifest m = parseManifest("# nothing\n", "Manifest.toml");
  EXPECT_TRUE(m.packages.empty());
  EXPECT_TRUE(m.oldFormat);
}

TEST(ManifestTest, PinnedAndUpperCaseUuid) {
  const Manifest m = parseManifest(
      "manifest_format = \"2.0\"\n[[deps.A]]\nuuid = \"ABCDEF00-0000-0000-0000-000000000001\"\npinned = true\n", "M.toml");
  EXPECT_EQ(only(m, "A").uuid, "abcdef00-0000-0000-0000-000000000001");
  EXPECT_TRUE(only(m, "A").pinned);
}

TEST(ManifestTest, MissingFileIsAnIoError) {
  try {
    readManifest(kManifests / "does-not-exist.toml");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.kind, ParseErrorKind::io);
    EXPECT_EQ(e.line, 0);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Content hash

TEST(ManifestTest, ContentHashIsFnv1a64OfTheBytes) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const Manifest before = readManifest(kManifests / "juliavscode_languageserver_v1.12_Manifest.before.toml");
  const Manifest after = readManifest(kManifests / "juliavscode_languageserver_v1.12_Manifest.after.toml");
  EXPECT_NE(before.contentHash, after.contentHash);
  EXPECT_EQ(before.contentHash, readManifest(kManifests / "juliavscode_languageserver_v1.12_Manifest.before.toml").contentHash);
}

// ---------------------------------------------------------------------------------------------------------
// Version numbers (Julia's base/version.jl semantics)

VersionNumber v(const char* text) {
  const auto parsed = VersionNumber::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(VersionNumber{});
}

TEST(VersionNumberTest, ParsesJuliaSpellings) {
  EXPECT_EQ(v("1.2").str(), "1.2.0");
  EXPECT_EQ(v("v1.10.8").str(), "1.10.8");
  EXPECT_EQ(v(" 3.0.2-DEV ").str(), "3.0.2-DEV");
  EXPECT_EQ(v("0.5.1+").str(), "0.5.1+");
  EXPECT_EQ(v("1.0.0-").str(), "1.0.0-");
  EXPECT_EQ(v("1.13.0-rc3").prerelease, std::vector<std::string>{"rc3"});
  EXPECT_EQ(v("3.5.1+1").build, std::vector<std::string>{"1"});
  for (const char* bad : {"", "v", "1.", "a", "1.2.3.4", "1.0.0-+", "1.0.0-a..b", "1.0.0+x+y", "-1", "1.0.0 x"}) {
    EXPECT_FALSE(VersionNumber::parse(bad).has_value()) << bad;
  }
}

TEST(VersionNumberTest, OrdersLikeJulia) {
  const std::vector<const char*> ascending = {"1.0.0-",   "1.0.0-1",  "1.0.0-2",  "1.0.0-10", "1.0.0-a",
                                              "1.0.0-rc1", "1.0.0",   "1.0.0+",   "1.0.0+1",  "1.0.0+a",
                                              "1.0.1",    "1.9.0",    "1.10.0",   "2.0.0-DEV"};
  for (std::size_t i = 0; i + 1 < ascending.size(); ++i) {
    EXPECT_LT(v(ascending[i]), v(ascending[i + 1])) << ascending[i] << " < " << ascending[i + 1];
  }
  EXPECT_EQ(v("1.2"), v("1.2.0"));
  EXPECT_LT(v("3.0.2-DEV"), v("3.0.3-DEV"));
  EXPECT_LT(v("13.1.1-DEV"), v("13.1.2-DEV"));
}

// ---------------------------------------------------------------------------------------------------------
// Manifest selection (Julia's base/loading.jl `manifest_names`)

TEST(FindManifestTest, FileNamesPerJuliaVersion) {
  EXPECT_THAT(manifestFileNames(v("1.5.4")), ElementsAre("JuliaManifest.toml", "Manifest.toml"));
  EXPECT_THAT(manifestFileNames(v("1.10.7")), ElementsAre("JuliaManifest.toml", "Manifest.toml"));
  EXPECT_THAT(manifestFileNames(v("1.10.8")), ElementsAre("JuliaManifest-v1.10.toml", "Manifest-v1.10.toml",
                                                         "JuliaManifest.toml", "Manifest.toml"));
  EXPECT_THAT(manifestFileNames(v("1.11.0-rc1")), ElementsAre("JuliaManifest-v1.11.toml", "Manifest-v1.11.toml",
                                                             "JuliaManifest.toml", "Manifest.toml"));
  EXPECT_THAT(manifestFileNames(v("1.12.4"))[1], "Manifest-v1.12.toml");
}

TEST(FindManifestTest, VersionedManifestWinsFrom1_10_8) {
  TempDir dir;
  dir.touch("Manifest.toml");
  dir.touch("Manifest-v1.10.toml");
  dir.touch("Manifest-v1.11.toml");
  EXPECT_EQ(findManifest(dir.path(), v("1.11.2")), dir.path() / "Manifest-v1.11.toml");
  EXPECT_EQ(findManifest(dir.path(), v("1.10.8")), dir.path() / "Manifest-v1.10.toml");
  EXPECT_EQ(findManifest(dir.path(), v("1.10.7")), dir.path() / "Manifest.toml");
  EXPECT_EQ(findManifest(dir.path(), v("1.5.0")), dir.path() / "Manifest.toml");
  EXPECT_EQ(findManifest(dir.path(), v("1.12.0")), dir.path() / "Manifest.toml");
}

TEST(FindManifestTest, JuliaManifestBeatsManifestAtTheSameLevel) {
  TempDir dir;
  dir.touch("Manifest.toml");
  dir.touch("JuliaManifest.toml");
  EXPECT_EQ(findManifest(dir.path(), v("1.5.0")), dir.path() / "JuliaManifest.toml");
  EXPECT_EQ(findManifest(dir.path(), v("1.11.0")), dir.path() / "JuliaManifest.toml");
  dir.touch("Manifest-v1.11.toml");
  EXPECT_EQ(findManifest(dir.path(), v("1.11.0")), dir.path() / "Manifest-v1.11.toml");  // versioned first
  EXPECT_EQ(findManifest(dir.path(), v("1.10.0")), dir.path() / "JuliaManifest.toml");
  dir.touch("JuliaManifest-v1.11.toml");
  EXPECT_EQ(findManifest(dir.path(), v("1.11.0")), dir.path() / "JuliaManifest-v1.11.toml");
}

TEST(FindManifestTest, NothingOrOnlyLookalikes) {
  TempDir dir;
  EXPECT_EQ(findManifest(dir.path(), v("1.11.0")), std::nullopt);
  dir.touch("manifest.toml");
  std::filesystem::create_directory(dir.path() / "Manifest.toml");  // a directory is not a manifest
  EXPECT_EQ(findManifest(dir.path(), v("1.11.0")), std::nullopt);
}

}  // namespace
}  // namespace sysimage::core
