// Tests for the sysimage JSON sidecar (round trip, exact format, bad files, atomic write), source-tree
// hashing and the baked-in package list.
#include "tests/core/temp_dir.h"
#include "server/core/image_metadata.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include "tests/support/shared_fixtures.h"

namespace sysimage::core {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::filesystem::path kManifests = std::filesystem::path(SYSIMAGE_FIXTURES_DIR) / "manifests";

using testing::TempDir;

std::chrono::system_clock::time_point at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

ImageMetadata sample() {
  ImageMetadata m;
  m.juliaVersion = "1.11.2";
  m.juliaPath = "/opt/julia-1.11.2/bin/julia";
  m.cpuTarget = "native";
  m.backend = "packagecompiler";
  m.packages = {
      {"336ed68f-0bac-5ca0-87d4-7b16caf5d00b", "CSV", "0.10.11", SourceKind::registry,
       "4b2a1f1e3d5c7b9a0e8f6d4c2b1a0f9e8d7c6b5a", std::nullopt},
      {"ade2ca70-3891-5945-98fb-dc099432e06a", "Dates", std::nullopt, SourceKind::stdlib, std::nullopt, std::nullopt},
      {"12345678-aaaa-bbbb-cccc-1234567890ab", "MyPkg", "0.1.0", SourceKind::path, std::nullopt, "fnv1a64:0123456789abcdef"},
      {"7876af07-990d-54b4-ab0e-23690620f79a", "Example", "0.5.1+", SourceKind::repo,
       "6cb40eba4dd78fc0fa3ebeb8cb7e125ba645be6e", std::nullopt},
  };
  std::sort(m.packages.begin(), m.packages.end(), [](const ImagePackage& a, const ImagePackage& b) { return a.name < b.name; });
  m.manifestHash = "fnv1a64:85944171f73967e8";
  m.statementCount = 1234;
  m.statementSetHash = "fnv1a64:00000000deadbeef";
  m.builtAt = at(2025, 3, 1, 14, 5, 9);
  m.buildSeconds = 312.25;
  return m;
}

TEST(ImageMetadataTest, RoundTripThroughAFile) {
  TempDir dir;
  const auto file = metadataPathFor(dir.path() / "sys.so");
  EXPECT_EQ(file, dir.path() / "sys.so.json");
  const ImageMetadata m = sample();
  writeImageMetadata(file, m);
  EXPECT_EQ(readImageMetadata(file), m);
  // Overwrite in place, and leave no temporary files behind.
  ImageMetadata m2 = m;
  m2.statementCount = 99;
  writeImageMetadata(file, m2);
  EXPECT_EQ(readImageMetadata(file), m2);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST(ImageMetadataTest, ExactJsonShape) {
  const nlohmann::json j = nlohmann::json::parse(serializeImageMetadata(sample()));
  const nlohmann::json expected = nlohmann::json::parse(R"({
    "formatVersion": 1,
    "juliaVersion": "1.11.2",
    "juliaPath": "/opt/julia-1.11.2/bin/julia",
    "cpuTarget": "native",
    "backend": "packagecompiler",
    "packages": {
      "336ed68f-0bac-5ca0-87d4-7b16caf5d00b": {"name": "CSV", "version": "0.10.11", "source": "registry",
                                               "treeHash": "4b2a1f1e3d5c7b9a0e8f6d4c2b1a0f9e8d7c6b5a"},
      "ade2ca70-3891-5945-98fb-dc099432e06a": {"name": "Dates", "source": "stdlib"},
      "12345678-aaaa-bbbb-cccc-1234567890ab": {"name": "MyPkg", "version": "0.1.0", "source": "path",
                                               "sourceHash": "fnv1a64:0123456789abcdef"},
      "7876af07-990d-54b4-ab0e-23690620f79a": {"name": "Example", "version": "0.5.1+", "source": "repo",
                                               "treeHash": "6cb40eba4dd78fc0fa3ebeb8cb7e125ba645be6e"}
    },
    "manifestHash": "fnv1a64:85944171f73967e8",
    "statementCount": 1234,
    "statementSetHash": "fnv1a64:00000000deadbeef",
    "builtAt": "2025-03-01T14:05:09Z",
    "buildSeconds": 312.25
  })");
  EXPECT_EQ(j, expected) << j.dump(2);
}

TEST(ImageMetadataTest, WriteIntoMissingDirectoryThrows) {
  EXPECT_THROW(writeImageMetadata("/nonexistent-dir/sub/sys.so.json", sample()), std::system_error);
}

struct BadSidecarRow {
  const char* name;
  std::string text;
  ParseErrorKind kind;
  const char* key;
  int line;
};

std::string validWith(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = nlohmann::json::parse(serializeImageMetadata(sample()));
  edit(j);
  return j.dump();
}

class BadSidecarTest : public ::testing::TestWithParam<BadSidecarRow> {};

TEST_P(BadSidecarTest, IsAClearError) {
  const BadSidecarRow& row = GetParam();
  try {
    parseImageMetadata(row.text, "/images/sys.so.json");
    FAIL() << row.name;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.kind, row.kind) << e.what();
    EXPECT_EQ(e.key, row.key) << e.what();
    EXPECT_EQ(e.line, row.line) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("/images/sys.so.json"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, BadSidecarTest,
    ::testing::Values(
        BadSidecarRow{"empty", "", ParseErrorKind::syntax, "", 1},
        BadSidecarRow{"garbled", "{\n  \"formatVersion\": 1,\n  \"juliaVersion\": }\n", ParseErrorKind::syntax, "", 3},
        BadSidecarRow{"truncated", serializeImageMetadata(sample()).substr(0, 200), ParseErrorKind::syntax, "", 8},
        BadSidecarRow{"array", "[1, 2]", ParseErrorKind::wrongType, "", 0},
        BadSidecarRow{"no_version", validWith([](auto& j) { j.erase("formatVersion"); }), ParseErrorKind::missingField,
                      "formatVersion", 0},
        BadSidecarRow{"version_2", validWith([](auto& j) { j["formatVersion"] = 2; }), ParseErrorKind::unsupportedVersion,
                      "formatVersion", 0},
        BadSidecarRow{"version_string", validWith([](auto& j) { j["formatVersion"] = "1"; }), ParseErrorKind::wrongType,
                      "formatVersion", 0},
        BadSidecarRow{"no_julia", validWith([](auto& j) { j.erase("juliaVersion"); }), ParseErrorKind::missingField,
                      "juliaVersion", 0},
        BadSidecarRow{"count_negative", validWith([](auto& j) { j["statementCount"] = -3; }), ParseErrorKind::wrongType,
                      "statementCount", 0},
        BadSidecarRow{"bad_time", validWith([](auto& j) { j["builtAt"] = "yesterday"; }), ParseErrorKind::malformedValue,
                      "builtAt", 0},
        BadSidecarRow{"negative_duration", validWith([](auto& j) { j["buildSeconds"] = -1.0; }),
                      ParseErrorKind::malformedValue, "buildSeconds", 0},
        BadSidecarRow{"packages_list", validWith([](auto& j) { j["packages"] = nlohmann::json::array(); }),
                      ParseErrorKind::wrongType, "packages", 0},
        BadSidecarRow{"package_bad_uuid", validWith([](auto& j) { j["packages"]["CSV"] = {{"name", "CSV"}, {"source", "registry"}}; }),
                      ParseErrorKind::malformedUuid, "packages.CSV", 0},
        BadSidecarRow{"package_bad_source",
                      validWith([](auto& j) { j["packages"]["336ed68f-0bac-5ca0-87d4-7b16caf5d00b"]["source"] = "git"; }),
                      ParseErrorKind::malformedValue, "packages.336ed68f-0bac-5ca0-87d4-7b16caf5d00b.source", 0},
        BadSidecarRow{"package_no_name",
                      validWith([](auto& j) { j["packages"]["336ed68f-0bac-5ca0-87d4-7b16caf5d00b"].erase("name"); }),
                      ParseErrorKind::missingField, "packages.336ed68f-0bac-5ca0-87d4-7b16caf5d00b.name", 0}),
    [](const ::testing::TestParamInfo<BadSidecarRow>& info) { return std::string(info.param.name); });

TEST(ImageMetadataTest, MissingFileIsAnIoError) {
  try {
    readImageMetadata("/nonexistent/sys.so.json");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.kind, ParseErrorKind::io);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Source-tree hashing

TEST(HashSourceTreeTest, DependsOnPathsAndContentsOnly) {
  TempDir a, b;
  a.write("src/MyPkg.jl", "module MyPkg\ninclude(\"util.jl\")\nend\n");
  a.write("src/util.jl", "f(x) = x + 1\n");
  a.write("src/sub/deep.jl", "");
  // Same tree created in another order elsewhere.
  b.write("src/sub/deep.jl", "");
  b.write("src/util.jl", "f(x) = x + 1\n");
  b.write("src/MyPkg.jl", "module MyPkg\ninclude(\"util.jl\")\nend\n");
  const std::string h = hashSourceTree(a.path() / "src");
  EXPECT_THAT(h, ::testing::StartsWith("fnv1a64:"));
  EXPECT_EQ(h.size(), 8u + 16u);
  EXPECT_EQ(h, hashSourceTree(b.path() / "src"));
  EXPECT_EQ(h, hashSourceTree(a.path() / "src/"));

  std::filesystem::last_write_time(a.path() / "src/util.jl", std::filesystem::file_time_type::clock::now() - 1h);
  EXPECT_EQ(hashSourceTree(a.path() / "src"), h) << "timestamps must not matter";

  b.write("src/util.jl", "f(x) = x + 2\n");
  EXPECT_NE(hashSourceTree(b.path() / "src"), h) << "content change";
  b.write("src/util.jl", "f(x) = x + 1\n");
  std::filesystem::rename(b.path() / "src/sub/deep.jl", b.path() / "src/sub/deeper.jl");
  EXPECT_NE(hashSourceTree(b.path() / "src"), h) << "rename";
  std::filesystem::rename(b.path() / "src/sub/deeper.jl", b.path() / "src/sub/deep.jl");
  EXPECT_EQ(hashSourceTree(b.path() / "src"), h);
  b.write("src/new.jl", "");
  EXPECT_NE(hashSourceTree(b.path() / "src"), h) << "new empty file";
}

TEST(HashSourceTreeTest, BoundariesBetweenFilesMatter) {
  TempDir a, b;
  a.write("src/ab", "c");
  b.write("src/a", "bc");
  EXPECT_NE(hashSourceTree(a.path() / "src"), hashSourceTree(b.path() / "src"));
}

TEST(HashSourceTreeTest, MissingDirectoryThrows) {
  EXPECT_THROW(hashSourceTree("/nonexistent/src"), std::filesystem::filesystem_error);
}

TEST(HashSourceTreeTest, DevSourcesOfAManifest) {
  TempDir dir;
  dir.write("pkgs/A/src/A.jl", "module A end\n");
  dir.write("env/Manifest.toml", "");
  const Manifest m = parseManifest(R"(manifest_format = "2.0"
[[deps.A]]
path = "../pkgs/A"
uuid = "00000000-0000-0000-0000-00000000000a"
[[deps.B]]
path = "../pkgs/B"
uuid = "00000000-0000-0000-0000-00000000000b"
[[deps.C]]
git-tree-sha1 = "6cb40eba4dd78fc0fa3ebeb8cb7e125ba645be6e"
uuid = "00000000-0000-0000-0000-00000000000c"
)",
                                   dir.path() / "env/Manifest.toml");
  const DevSourceHashes hashes = hashDevSources(m);
  ASSERT_EQ(hashes.size(), 1u);  // B's directory is missing, C is not dev'd
  EXPECT_EQ(hashes.at("00000000-0000-0000-0000-00000000000a"), hashSourceTree(dir.path() / "pkgs/A/src"));
  const ImagePackage a = imagePackageFrom(m.packages[0], hashes);
  EXPECT_EQ(a.source, SourceKind::path);
  EXPECT_EQ(a.sourceHash, hashes.begin()->second);
  EXPECT_EQ(imagePackageFrom(m.packages[1], hashes).sourceHash, std::nullopt);
  EXPECT_EQ(imagePackageFrom(m.packages[2], hashes).treeHash, "6cb40eba4dd78fc0fa3ebeb8cb7e125ba645be6e");
}

// ---------------------------------------------------------------------------------------------------------
// Baked-in packages: the requested packages and their transitive `deps` (counts from a Python walk).

TEST(ImagePackagesTest, TransitiveClosureOfTheRequestedPackages) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const Manifest lib = readManifest(kManifests / "packagecompiler_MyLib_build_Manifest.toml");
  EXPECT_EQ(imagePackagesFor(lib, {"PackageCompiler"}, {}).size(), 36u);
  const Manifest ls = readManifest(kManifests / "juliavscode_languageserver_v1.12_Manifest.before.toml");
  const auto pkgs = imagePackagesFor(ls, {"LanguageServer", "NotInTheManifest"}, {});
  EXPECT_EQ(pkgs.size(), 59u);
  EXPECT_TRUE(std::is_sorted(pkgs.begin(), pkgs.end(), [](const ImagePackage& a, const ImagePackage& b) { return a.name < b.name; }));
  const Manifest bin = readManifest(kManifests / "packagecompiler_bin_Manifest.toml");
  EXPECT_EQ(imagePackagesFor(bin, {"Downloads", "Glob", "VersionsJSONUtil", "WebCacheUtilities"}, {}).size(), 240u);
  EXPECT_TRUE(imagePackagesFor(bin, {}, {}).empty());
}

}  // namespace
}  // namespace sysimage::core
