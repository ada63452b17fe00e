// Tests for the staleness verdict: each state, the order of the rules, which packages matter, and the
// julia-vscode fixture pair.
#include "server/core/staleness.h"

#include "server/core/project_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "tests/support/shared_fixtures.h"

namespace sysimage::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using S = StalenessState;

const std::filesystem::path kManifests = std::filesystem::path(SYSIMAGE_FIXTURES_DIR) / "manifests";

// A small environment: CSV depends on Parsers; Mine is dev'd; Unrelated is in the manifest only.
Manifest manifest(const char* csvVersion = "0.10.9", const char* parsersVersion = "2.5.0") {
  return parseManifest(std::string(R"(julia_version = "1.10.4"
manifest_format = "2.0"
[[deps.CSV]]
deps = ["Parsers"]
git-tree-sha1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
uuid = "336ed68f-0bac-5ca0-87d4-7b16caf5d00b"
version = ")") + csvVersion + R"("
[[deps.Parsers]]
git-tree-sha1 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
uuid = "69de0a69-1ddd-5017-9359-2bf0b02dc9f0"
version = ")" + parsersVersion + R"("
[[deps.Mine]]
path = "../Mine"
uuid = "12345678-aaaa-bbbb-cccc-1234567890ab"
version = "0.1.0"
[[deps.Unrelated]]
git-tree-sha1 = "cccccccccccccccccccccccccccccccccccccccc"
uuid = "00000000-0000-0000-0000-0000000000ff"
version = "1.0.0"
)",
                       "/proj/Manifest.toml");
}

const DevSourceHashes kDev = {{"12345678-aaaa-bbbb-cccc-1234567890ab", "fnv1a64:1111111111111111"}};

ImageMetadata imageFor(const Manifest& m, const std::vector<std::string>& roots) {
  ImageMetadata image;
  image.juliaVersion = "1.10.4";
  image.cpuTarget = "native";
  image.packages = imagePackagesFor(m, roots, kDev);
  image.manifestHash = m.contentHash;
  image.builtAt = std::chrono::sys_days{std::chrono::year{2025} / 3 / 1};
  return image;
}

struct Fixture {
  Manifest built = manifest();
  ImageMetadata image = imageFor(built, {"CSV", "Mine"});
  Manifest current = manifest();
  StalenessInput in() const {
    StalenessInput i;
    i.image = &image;
    i.imageFileReadable = true;
    i.juliaVersion = "1.10.4";
    i.cpuTarget = "native";
    i.manifest = &current;
    i.devSourceHashes = kDev;
    i.directDeps = {"CSV", "Mine"};
    i.statementsSinceBuild = 10;
    i.statementThreshold = 100;
    return i;
  }
};

TEST(StalenessTest, NoImageAtAll) {
  const Staleness s = assessStaleness(StalenessInput{});
  EXPECT_EQ(s.state, S::none);
  EXPECT_TRUE(s.reasons.empty());
  EXPECT_TRUE(s.diff.empty());
}

TEST(StalenessTest, ImageWithoutMetadataIsUnusable) {
  StalenessInput in;
  in.imageFileReadable = true;
  const Staleness s = assessStaleness(in);
  EXPECT_EQ(s.state, S::unusable);
  ASSERT_EQ(s.reasons.size(), 1u);
  EXPECT_THAT(s.reasons[0], HasSubstr("metadata"));
}

TEST(StalenessTest, MetadataWithoutImageFileIsUnusable) {
  Fixture f;
  StalenessInput in = f.in();
  in.imageFileReadable = false;
  const Staleness s = assessStaleness(in);
  EXPECT_EQ(s.state, S::unusable);
  EXPECT_THAT(s.reasons, ElementsAre("the sysimage file is missing or unreadable"));
}

TEST(StalenessTest, UpToDate) {
  Fixture f;
  const Staleness s = assessStaleness(f.in());
  EXPECT_EQ(s.state, S::upToDate);
  EXPECT_TRUE(s.reasons.empty());
  EXPECT_TRUE(s.diff.empty()) << s.diff.summary();  // Unrelated is neither baked in nor a direct dependency
  EXPECT_EQ(s.imageKey, "2025-03-01T00:00:00Z " + f.built.contentHash);
  EXPECT_EQ(f.image.packages.size(), 3u);  // CSV, Parsers (via CSV), Mine
}

TEST(StalenessTest, OtherJuliaOrCpuTargetIsUnusable) {
  Fixture f;
  StalenessInput in = f.in();
  in.juliaVersion = "1.11.2";
  Staleness s = assessStaleness(in);
  EXPECT_EQ(s.state, S::unusable);
  EXPECT_THAT(s.reasons, ElementsAre("built for Julia 1.10.4, running Julia 1.11.2"));
  ASSERT_EQ(s.diff.changes.size(), 1u);
  EXPECT_EQ(s.diff.changes[0].kind, ChangeKind::juliaVersionChanged);

  in.cpuTarget = "portable";
  s = assessStaleness(in);
  EXPECT_EQ(s.state, S::unusable);
  EXPECT_THAT(s.reasons, ElementsAre("built for Julia 1.10.4, running Julia 1.11.2",
                                     "built for CPU target \"native\", configured \"portable\""));

  in = f.in();
  in.juliaVersion = "v1.10.4";  // same version, other spelling
  EXPECT_EQ(assessStaleness(in).state, S::upToDate);
}

TEST(StalenessTest, NativeImageFromAnotherCpuIsUnusable) {
  Fixture f;
  f.image.cpuName = "skylake";
  StalenessInput in = f.in();
  in.cpuName = "skylake";
  EXPECT_EQ(assessStaleness(in).state, S::upToDate);
  in.cpuName = "znver3";
  const Staleness s = assessStaleness(in);
  EXPECT_EQ(s.state, S::unusable);
  EXPECT_THAT(s.reasons, ElementsAre("built natively for CPU skylake, this machine's CPU is znver3"));
  f.image.cpuTarget = "portable";  // a multi-ISA image runs on other CPUs
  in = f.in();
  in.cpuTarget = "portable";
  in.cpuName = "znver3";
  EXPECT_EQ(assessStaleness(in).state, S::upToDate);
  f.image.cpuTarget = "native";
  f.image.cpuName.clear();  // sidecars written before cpuName existed: not judged on it
  in = f.in();
  in.cpuName = "znver3";
  EXPECT_NE(assessStaleness(in).state, S::unusable);
}

TEST(StalenessTest, ChangedBakedInPackageIsUnsafe) {
  Fixture f;
  f.current = manifest("0.10.11");
  Staleness s = assessStaleness(f.in());
  EXPECT_EQ(s.state, S::unsafe);
  EXPECT_THAT(s.reasons, ElementsAre("CSV 0.10.9 → 0.10.11"));
  EXPECT_EQ(s.diff.summary(), "CSV 0.10.9 → 0.10.11");

  f.current = manifest("0.10.9", "2.7.0");  // a transitive dependency baked in through CSV
  s = assessStaleness(f.in());
  EXPECT_EQ(s.state, S::unsafe);
  EXPECT_THAT(s.reasons, ElementsAre("Parsers 2.5.0 → 2.7.0"));
}

TEST(StalenessTest, ChangedDevSourcesAreUnsafe) {
  Fixture f;
  StalenessInput in = f.in();
  in.devSourceHashes = {{"12345678-aaaa-bbbb-cccc-1234567890ab", "fnv1a64:2222222222222222"}};
  const Staleness s = assessStaleness(in);
  EXPECT_EQ(s.state, S::unsafe);
  EXPECT_THAT(s.reasons, ElementsAre("Mine: sources changed"));
}

TEST(StalenessTest, RemovedBakedInPackageIsUnsafe) {
  Fixture f;
  f.current.packages.erase(f.current.packages.begin() + 1);  // Mine (sorted: CSV, Mine, Parsers, Unrelated)
  const Staleness s = assessStaleness(f.in());
  EXPECT_EQ(s.state, S::unsafe);
  EXPECT_THAT(s.reasons, ElementsAre("Mine removed"));
}

TEST(StalenessTest, NoManifestIsUnsafe) {
  Fixture f;
  StalenessInput in = f.in();
  in.manifest = nullptr;
  const Staleness s = assessStaleness(in);
  EXPECT_EQ(s.state, S::unsafe);
  EXPECT_THAT(s.reasons[0], HasSubstr("no manifest"));
}

TEST(StalenessTest, DirectDependencyMissingFromTheImageIsSuggested) {
  Fixture f;
  StalenessInput in = f.in();
  in.directDeps = {"CSV", "Mine", "Unrelated"};
  Staleness s = assessStaleness(in);
  EXPECT_EQ(s.state, S::suggested);
  EXPECT_THAT(s.reasons, ElementsAre("Unrelated is a direct dependency but not in the sysimage"));
  ASSERT_EQ(s.diff.changes.size(), 1u);
  EXPECT_EQ(s.diff.changes[0].kind, ChangeKind::added);

  in.directDeps = {"CSV", "Mine"};  // e.g. Unrelated listed in `exclude`
  EXPECT_EQ(assessStaleness(in).state, S::upToDate);
}

TEST(StalenessTest, ManyNewStatementsSuggestARebuild) {
  Fixture f;
  StalenessInput in = f.in();
  in.statementsSinceBuild = 99;
  EXPECT_EQ(assessStaleness(in).state, S::upToDate);
  in.statementsSinceBuild = 100;
  Staleness s = assessStaleness(in);
  EXPECT_EQ(s.state, S::suggested);
  EXPECT_TRUE(s.statementThresholdReached);
  EXPECT_EQ(s.newStatements, 100u);
  EXPECT_THAT(s.reasons, ElementsAre("100 new precompile statements since the build"));
  in.statementThreshold = 0;  // turned off
  in.statementsSinceBuild = 100000;
  s = assessStaleness(in);
  EXPECT_EQ(s.state, S::upToDate);
  EXPECT_FALSE(s.statementThresholdReached);
}

TEST(StalenessTest, UnsafeWinsAndListsItsReasonsFirst) {
  Fixture f;
  f.current = manifest("0.10.11");
  StalenessInput in = f.in();
  in.directDeps = {"CSV", "Mine", "Unrelated"};
  in.statementsSinceBuild = 500;
  const Staleness s = assessStaleness(in);
  EXPECT_EQ(s.state, S::unsafe);
  EXPECT_THAT(s.reasons, ElementsAre("CSV 0.10.9 → 0.10.11", "Unrelated is a direct dependency but not in the sysimage",
                                     "500 new precompile statements since the build"));
}

TEST(StalenessTest, JuliaVscodeLanguageServerFixtures) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const Manifest before = readManifest(kManifests / "juliavscode_languageserver_v1.12_Manifest.before.toml");
  const Manifest after = readManifest(kManifests / "juliavscode_languageserver_v1.12_Manifest.after.toml");
  const ProjectFile project = readProjectFile(kManifests / "juliavscode_languageserver_v1.12_Project.toml");
  DevSourceHashes hashes;
  for (const PackageEntry& p : before.packages) {
    if (p.path) hashes[p.uuid] = "fnv1a64:00000000000000aa";
  }
  ImageMetadata image;
  image.juliaVersion = "1.12.7";
  image.cpuTarget = "native";
  image.packages = imagePackagesFor(before, project.directDependencyNames(), hashes);
  ASSERT_EQ(image.packages.size(), 66u);
  StalenessInput in;
  in.image = &image;
  in.imageFileReadable = true;
  in.juliaVersion = "1.12.7";
  in.cpuTarget = "native";
  in.manifest = &before;
  in.devSourceHashes = hashes;
  in.directDeps = project.directDependencyNames();
  EXPECT_EQ(assessStaleness(in).state, S::upToDate);
  in.manifest = &after;
  const Staleness s = assessStaleness(in);
  EXPECT_EQ(s.state, S::unsafe);
  EXPECT_THAT(s.reasons, ElementsAre("JSONRPC 3.0.2-DEV → 3.0.3-DEV", "JuliaWorkspaces 13.1.1-DEV → 13.1.2-DEV",
                                     "Runic 1.8.0 → 1.9.0"));
}

}  // namespace
}  // namespace sysimage::core
