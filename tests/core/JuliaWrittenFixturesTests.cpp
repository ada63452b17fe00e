// The core parsers on what the real Julia here wrote (tests/fixtures/, see its README): Pkg's
// manifests before and after Pkg.update and Pkg.develop, Project.toml, and a --trace-compile file.
// These run in a clone of the project alone (the shared fixture collection may be absent).
#include <fstream>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/core/image_metadata.h"
#include "server/core/manifest.h"
#include "server/core/manifest_diff.h"
#include "server/core/project_file.h"
#include "server/core/statement.h"

namespace sysimage::core {
namespace {

using ::testing::ElementsAre;

const std::filesystem::path kFixtures = std::filesystem::path(SYSIMAGE_SOURCE_DIR) / "tests" / "fixtures";
const std::filesystem::path kManifests = kFixtures / "manifests";

TEST(JuliaWrittenFixtures, ManifestOfJulia153IsTheOldFormat) {
  const Manifest m = readManifest(kManifests / "julia153_PkgApp_Manifest.before.toml");
  EXPECT_TRUE(m.oldFormat);
  EXPECT_EQ(m.manifestFormat, "1.0");
  EXPECT_FALSE(m.juliaVersion);
  ASSERT_EQ(m.packages.size(), 3u);
  const PackageEntry& foo = m.packages[0];
  EXPECT_EQ(foo.name, "Foo");
  EXPECT_EQ(foo.version, "0.1.0");
  EXPECT_EQ(foo.sourceKind(), SourceKind::registry);
  const PackageEntry& printf = m.packages[1];
  EXPECT_EQ(printf.name, "Printf");
  EXPECT_EQ(printf.sourceKind(), SourceKind::stdlib);
  EXPECT_FALSE(printf.version) << "Julia 1.5's stdlibs carry no version";
  ASSERT_EQ(printf.deps.size(), 1u);
  EXPECT_EQ(printf.deps[0].name, "Unicode");
  EXPECT_EQ(m.packages[2].name, "Unicode");
}

TEST(JuliaWrittenFixtures, PkgUpdateChangesOnlyTheUpdatedPackage) {
  const Manifest before = readManifest(kManifests / "julia153_PkgApp_Manifest.before.toml");
  const Manifest after = readManifest(kManifests / "julia153_PkgApp_Manifest.after.toml");
  ImageMetadata image;
  image.juliaVersion = "1.5.3";
  image.packages = imagePackagesFor(before, {"Foo", "Printf"}, {});
  const ManifestDiff unchanged = diffManifest(before, {}, image, std::string("1.5.3"));
  EXPECT_TRUE(unchanged.changes.empty());
  const ManifestDiff diff = diffManifest(after, {}, image, std::string("1.5.3"));
  ASSERT_EQ(diff.changes.size(), 1u);
  EXPECT_EQ(diff.changes[0].kind, ChangeKind::upgraded);
  EXPECT_EQ(diff.changes[0].describe(), "Foo 0.1.0 → 0.2.0");
  EXPECT_NE(before.contentHash, after.contentHash);
}

TEST(JuliaWrittenFixtures, PkgDevelopWritesARelativePathEntry) {
  const Manifest m = readManifest(kManifests / "julia153_PkgApp_Manifest.develop.toml");
  const auto dev = m.findByName("Dev");
  ASSERT_EQ(dev.size(), 1u);
  EXPECT_EQ(dev[0]->sourceKind(), SourceKind::path);
  EXPECT_EQ(dev[0]->path, "dev/Dev");
  EXPECT_EQ(packageDirectory(m, *dev[0]), kManifests / "dev" / "Dev");
  const ProjectFile project = readProjectFile(kManifests / "julia153_PkgApp_Project.develop.toml");
  EXPECT_THAT(project.directDependencyNames(), ElementsAre("Dev", "Foo", "Printf"));
  EXPECT_EQ(project.deps.at("Dev"), dev[0]->uuid);
}

TEST(JuliaWrittenFixtures, ProjectFileOfPkgAdd) {
  const ProjectFile p = readProjectFile(kManifests / "julia153_PkgApp_Project.toml");
  EXPECT_EQ(p.name, "PkgApp");
  EXPECT_THAT(p.directDependencyNames(), ElementsAre("Foo", "Printf"));
}

TEST(JuliaWrittenFixtures, EveryLineOfARealTraceIsAValidStatement) {
  std::ifstream in(kFixtures / "traces" / "julia153_printf_statistics_trace.jl", std::ios::binary);
  ASSERT_TRUE(in.good());
  std::size_t statements = 0, nonPortable = 0;
  std::set<std::string> unique;
  for (std::string line; std::getline(in, line);) {
    const ParsedLine parsed = parseTraceLine(line);
    ASSERT_EQ(parsed.kind, ParsedLine::Kind::Statement) << line << ": " << parsed.error;
    EXPECT_EQ(statementSyntaxError(parsed.statement), "") << line;
    EXPECT_FALSE(parsed.compileMs) << "Julia 1.5 writes no timings";
    ++statements;
    unique.insert(parsed.statement);
    nonPortable += classifyStatement(parsed.statement).nonPortable;
    EXPECT_FALSE(classifyStatement(parsed.statement).excluded) << line;
  }
  EXPECT_EQ(statements, 28u);
  EXPECT_EQ(unique.size(), 28u);
  EXPECT_EQ(nonPortable, 0u);  // Printf.var"#@printf" names a macro: stable across sessions
}

}  // namespace
}  // namespace sysimage::core
