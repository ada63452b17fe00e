// Tests for the manifest diff: one table row per kind of change (exact results), precedence, ordering,
// summaries, and the real julia-vscode "Update deps" commit (v1.12 Manifest.before/after).
#include "server/core/manifest_diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "tests/support/shared_fixtures.h"

namespace sysimage::core {

// Readable gtest output for failed comparisons (found by ADL, so outside the anonymous namespace).
void PrintTo(const PackageChange& c, std::ostream* os) { *os << toString(c.kind) << " " << c.name << " " << c.uuid << " (" << c.describe() << ")"; }

namespace {

const std::filesystem::path kManifests = std::filesystem::path(SYSIMAGE_FIXTURES_DIR) / "manifests";

constexpr const char* kCsv = "336ed68f-0bac-5ca0-87d4-7b16caf5d00b";
constexpr const char* kJson = "682c06a0-de6a-54ab-a142-c8b1cf79cde6";
constexpr const char* kMine = "12345678-aaaa-bbbb-cccc-1234567890ab";
constexpr const char* kDates = "ade2ca70-3891-5945-98fb-dc099432e06a";
constexpr const char* kTreeA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr const char* kTreeB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

PackageEntry registry(const char* name, const char* uuid, const char* version, const char* tree = kTreeA) {
  PackageEntry e;
  e.name = name;
  e.uuid = uuid;
  e.version = version;
  e.treeHash = tree;
  return e;
}
PackageEntry dev(const char* name, const char* uuid, const char* version) {
  PackageEntry e;
  e.name = name;
  e.uuid = uuid;
  e.version = version;
  e.path = "../dev/" + std::string(name);
  return e;
}
PackageEntry repo(PackageEntry e) {
  e.repoUrl = "https://example.org/" + e.name + ".jl.git";
  return e;
}
PackageEntry stdlib(const char* name, const char* uuid, std::optional<std::string> version = std::nullopt) {
  PackageEntry e;
  e.name = name;
  e.uuid = uuid;
  e.version = std::move(version);
  return e;
}

struct DiffRow {
  const char* name;
  std::vector<PackageEntry> image;  // manifest entries the image was built from
  DevSourceHashes imageDevHashes;
  std::vector<PackageEntry> current;
  DevSourceHashes currentDevHashes;
  std::optional<std::string> currentJulia;
  std::vector<PackageChange> expected;
  std::vector<std::string> descriptions;
};

ImageMetadata imageOf(const std::vector<PackageEntry>& entries, const DevSourceHashes& hashes) {
  ImageMetadata m;
  m.juliaVersion = "1.10.4";
  for (const PackageEntry& e : entries) m.packages.push_back(imagePackageFrom(e, hashes));
  return m;
}

class ManifestDiffTableTest : public ::testing::TestWithParam<DiffRow> {};

TEST_P(ManifestDiffTableTest, ExactResult) {
  const DiffRow& row = GetParam();
  Manifest current;
  current.packages = row.current;
  const ManifestDiff diff = diffManifest(current, row.currentDevHashes, imageOf(row.image, row.imageDevHashes), row.currentJulia);
  EXPECT_EQ(diff.changes, row.expected);
  std::vector<std::string> descriptions;
  for (const PackageChange& c : diff.changes) descriptions.push_back(c.describe());
  EXPECT_EQ(descriptions, row.descriptions);
}

using K = ChangeKind;
using S = SourceKind;
const DevSourceHashes kHashH1 = {{kMine, "fnv1a64:1111111111111111"}};
const DevSourceHashes kHashH2 = {{kMine, "fnv1a64:2222222222222222"}};

INSTANTIATE_TEST_SUITE_P(
    Kinds, ManifestDiffTableTest,
    ::testing::Values(
        DiffRow{"identical", {registry("CSV", kCsv, "0.10.11"), dev("Mine", kMine, "0.1.0"), stdlib("Dates", kDates)}, kHashH1,
                {registry("CSV", kCsv, "0.10.11"), dev("Mine", kMine, "0.1.0"), stdlib("Dates", kDates)}, kHashH1, "1.10.4", {}, {}},
        DiffRow{"added", {}, {}, {registry("CSV", kCsv, "0.10.11")}, {}, std::nullopt,
                {{K::added, "CSV", kCsv, std::nullopt, "0.10.11", std::nullopt, S::registry}}, {"CSV 0.10.11 added"}},
        DiffRow{"removed", {registry("JSON", kJson, "0.21.4")}, {}, {}, {}, std::nullopt,
                {{K::removed, "JSON", kJson, "0.21.4", std::nullopt, S::registry, std::nullopt}}, {"JSON removed"}},
        DiffRow{"upgraded", {registry("CSV", kCsv, "0.10.9")}, {}, {registry("CSV", kCsv, "0.10.11", kTreeB)}, {}, std::nullopt,
                {{K::upgraded, "CSV", kCsv, "0.10.9", "0.10.11", S::registry, S::registry}}, {"CSV 0.10.9 → 0.10.11"}},
        DiffRow{"downgraded", {registry("JSON", kJson, "1.2.0")}, {}, {registry("JSON", kJson, "1.1.9", kTreeB)}, {}, std::nullopt,
                {{K::downgraded, "JSON", kJson, "1.2.0", "1.1.9", S::registry, S::registry}}, {"JSON 1.2.0 → 1.1.9"}},
        DiffRow{"tree_hash", {repo(registry("CSV", kCsv, "0.5.1+"))}, {}, {repo(registry("CSV", kCsv, "0.5.1+", kTreeB))}, {},
                std::nullopt, {{K::treeHashChanged, "CSV", kCsv, "0.5.1+", "0.5.1+", S::repo, S::repo}},
                {"CSV 0.5.1+: different git-tree-sha1"}},
        DiffRow{"registry_to_path", {registry("CSV", kCsv, "0.10.11")}, {}, {dev("CSV", kCsv, "0.10.12-DEV")}, {}, std::nullopt,
                {{K::sourceKindChanged, "CSV", kCsv, "0.10.11", "0.10.12-DEV", S::registry, S::path}}, {"CSV: registry → path"}},
        DiffRow{"path_to_repo", {dev("Mine", kMine, "0.1.0")}, kHashH1, {repo(registry("Mine", kMine, "0.1.0"))}, {}, std::nullopt,
                {{K::sourceKindChanged, "Mine", kMine, "0.1.0", "0.1.0", S::path, S::repo}}, {"Mine: path → repo"}},
        DiffRow{"dev_sources", {dev("Mine", kMine, "0.1.0")}, kHashH1, {dev("Mine", kMine, "0.1.0")}, kHashH2, std::nullopt,
                {{K::devSourcesChanged, "Mine", kMine, "0.1.0", "0.1.0", S::path, S::path}}, {"Mine: sources changed"}},
        DiffRow{"dev_sources_unknown_now", {dev("Mine", kMine, "0.1.0")}, kHashH1, {dev("Mine", kMine, "0.1.0")}, {},
                std::nullopt, {{K::devSourcesChanged, "Mine", kMine, "0.1.0", "0.1.0", S::path, S::path}},
                {"Mine: sources changed"}},
        DiffRow{"dev_version_bump_wins", {dev("Mine", kMine, "0.1.0")}, kHashH1, {dev("Mine", kMine, "0.2.0")}, kHashH2,
                std::nullopt, {{K::upgraded, "Mine", kMine, "0.1.0", "0.2.0", S::path, S::path}}, {"Mine 0.1.0 → 0.2.0"}},
        DiffRow{"julia_first", {registry("CSV", kCsv, "0.10.9")}, {}, {registry("CSV", kCsv, "0.10.11")}, {}, "1.11.2",
                {{K::juliaVersionChanged, "julia", "", "1.10.4", "1.11.2", std::nullopt, std::nullopt},
                 {K::upgraded, "CSV", kCsv, "0.10.9", "0.10.11", S::registry, S::registry}},
                {"Julia 1.10.4 → 1.11.2", "CSV 0.10.9 → 0.10.11"}},
        DiffRow{"source_beats_version", {registry("CSV", kCsv, "0.10.9")}, {}, {repo(registry("CSV", kCsv, "0.11.0", kTreeB))}, {},
                std::nullopt, {{K::sourceKindChanged, "CSV", kCsv, "0.10.9", "0.11.0", S::registry, S::repo}},
                {"CSV: registry → repo"}},
        DiffRow{"stdlib_gains_version", {stdlib("Dates", kDates)}, {}, {stdlib("Dates", kDates, "1.11.0")}, {}, "1.10.4", {}, {}},
        DiffRow{"same_version_spelled_differently", {registry("CSV", kCsv, "1.2")}, {}, {registry("CSV", kCsv, "1.2.0")}, {},
                std::nullopt, {}, {}},
        DiffRow{"sorted_by_name_then_uuid",
                {registry("Pkg", "00000000-0000-0000-0000-000000000002", "1.0.0"), registry("A", kCsv, "1.0.0")}, {},
                {registry("Pkg", "00000000-0000-0000-0000-000000000001", "1.0.0"), registry("Z", kJson, "1.0.0")}, {},
                std::nullopt,
                {{K::removed, "A", kCsv, "1.0.0", std::nullopt, S::registry, std::nullopt},
                 {K::added, "Pkg", "00000000-0000-0000-0000-000000000001", std::nullopt, "1.0.0", std::nullopt, S::registry},
                 {K::removed, "Pkg", "00000000-0000-0000-0000-000000000002", "1.0.0", std::nullopt, S::registry, std::nullopt},
                 {K::added, "Z", kJson, std::nullopt, "1.0.0", std::nullopt, S::registry}},
                {"A removed", "Pkg 1.0.0 added", "Pkg removed", "Z 1.0.0 added"}}),
    [](const ::testing::TestParamInfo<DiffRow>& info) { return std::string(info.param.name); });

TEST(ManifestDiffTest, SummaryNamesTheFirstAndCountsTheRest) {
  ManifestDiff d;
  EXPECT_EQ(d.summary(), "");
  d.changes = {{K::upgraded, "CSV", kCsv, "0.10.9", "0.10.11", S::registry, S::registry}};
  EXPECT_EQ(d.summary(), "CSV 0.10.9 → 0.10.11");
  d.changes.push_back({K::removed, "JSON", kJson, "0.21.4", std::nullopt, S::registry, std::nullopt});
  d.changes.push_back({K::devSourcesChanged, "Mine", kMine, "0.1.0", "0.1.0", S::path, S::path});
  EXPECT_EQ(d.summary(), "CSV 0.10.9 → 0.10.11 and 2 more");
  EXPECT_EQ(d.summary(2), "CSV 0.10.9 → 0.10.11, JSON removed and 1 more");
  EXPECT_EQ(d.summary(5), "CSV 0.10.9 → 0.10.11, JSON removed, Mine: sources changed");
  EXPECT_EQ(d.ofKind(K::removed).size(), 1u);
}

// julia-vscode commit d525020a ("Update deps") changed exactly three `version` lines of path-tracked packages.
TEST(ManifestDiffTest, JuliaVscodeLanguageServerUpdate) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const Manifest before = readManifest(kManifests / "juliavscode_languageserver_v1.12_Manifest.before.toml");
  const Manifest after = readManifest(kManifests / "juliavscode_languageserver_v1.12_Manifest.after.toml");
  DevSourceHashes hashes;  // pretend the dev'd sources did not change
  for (const PackageEntry& p : before.packages) {
    if (p.sourceKind() == SourceKind::path) hashes[p.uuid] = "fnv1a64:00000000000000aa";
  }
  ASSERT_EQ(hashes.size(), 29u);
  ImageMetadata image;
  image.juliaVersion = "1.12.7";
  for (const PackageEntry& p : before.packages) image.packages.push_back(imagePackageFrom(p, hashes));

  const ManifestDiff diff = diffManifest(after, hashes, image, "1.12.7");
  EXPECT_EQ(diff.changes,
            (std::vector<PackageChange>{
                {K::upgraded, "JSONRPC", "b9b8584e-8fd3-41f9-ad0c-7255d428e418", "3.0.2-DEV", "3.0.3-DEV", S::path, S::path},
                {K::upgraded, "JuliaWorkspaces", "e554591c-7f10-434f-9f27-2097f62a04fd", "13.1.1-DEV", "13.1.2-DEV", S::path, S::path},
                {K::upgraded, "Runic", "62bfec6d-59d7-401d-8490-b29ee721c001", "1.8.0", "1.9.0", S::path, S::path}}));
  EXPECT_EQ(diff.summary(), "JSONRPC 3.0.2-DEV → 3.0.3-DEV and 2 more");

  // Without source hashes for the image, every dev'd package counts as changed (29), 3 of them as upgrades.
  ImageMetadata noHashes = image;
  for (ImagePackage& p : noHashes.packages) p.sourceHash.reset();
  const ManifestDiff strict = diffManifest(after, hashes, noHashes);
  EXPECT_EQ(strict.changes.size(), 29u);
  EXPECT_EQ(strict.ofKind(K::upgraded).size(), 3u);
  EXPECT_EQ(strict.ofKind(K::devSourcesChanged).size(), 26u);

  // The reverse direction is three downgrades, and a manifest against itself is no change.
  ImageMetadata afterImage = image;
  afterImage.packages.clear();
  for (const PackageEntry& p : after.packages) afterImage.packages.push_back(imagePackageFrom(p, hashes));
  EXPECT_EQ(diffManifest(before, hashes, afterImage).ofKind(K::downgraded).size(), 3u);
  EXPECT_TRUE(diffManifest(after, hashes, afterImage).empty());
}

}  // namespace
}  // namespace sysimage::core
