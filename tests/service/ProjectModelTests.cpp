// ProjectModel: which published image a project uses, judged for the CPU target in force or for the
// one a build asks for.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "server/core/image_metadata.h"
#include "server/service/project_model.h"

namespace sysimage::service {
namespace {
namespace fs = std::filesystem;

class ProjectModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("project-model-tests-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(root_ / "app");
    fs::create_directories(root_ / "store");
    write("app/Project.toml", "name = \"App\"\n\n[deps]\nStatistics = \"10745b16-79ce-11e8-11f9-7d13ad32a3b2\"\n");
    write("app/Manifest.toml", "[[Statistics]]\nuuid = \"10745b16-79ce-11e8-11f9-7d13ad32a3b2\"\n");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  void write(const fs::path& rel, const std::string& text) { std::ofstream(root_ / rel, std::ios::binary) << text; }

  /// Publishes `sysimage-<stamp>.so` with a sidecar that matches the project, built for `cpuTarget`.
  fs::path publish(const ProjectModel& model, const std::string& stamp, const std::string& cpuTarget) {
    core::ImageMetadata m;
    m.juliaVersion = "1.5.3";
    m.cpuTarget = cpuTarget;
    m.backend = "native";
    m.packages = core::imagePackagesFor(*model.manifest(), model.packagesToInclude(), model.devSourceHashes());
    m.manifestHash = model.manifest()->contentHash;
    m.builtAt = std::chrono::system_clock::now();
    const fs::path image = root_ / "store" / ("sysimage-" + stamp + ".so");
    core::writeImageMetadata(core::metadataPathFor(image), m);
    std::ofstream(image, std::ios::binary) << "not really an image";
    return image;
  }

  ProjectModel model() { return ProjectModel(root_ / "app", root_ / "store", *core::VersionNumber::parse("1.5.3"), false); }

  fs::path root_;
};

TEST_F(ProjectModelTest, AnImageForAnotherCpuTargetIsNotUsedButFitsABuildForThatTarget) {
  ProjectModel m = model();
  m.reload();
  ASSERT_TRUE(m.manifest());
  const fs::path generic = publish(m, "20260101T000000Z", "generic");
  m.rescanImages();
  const Settings settings;  // cpuTarget "native"

  const auto inForce = m.select(settings, 0);
  ASSERT_NE(inForce.image, nullptr);
  EXPECT_EQ(inForce.image->path, generic);
  EXPECT_FALSE(inForce.usable());
  EXPECT_EQ(inForce.staleness.state, core::StalenessState::unusable);

  // `sysimage-server build --cpu-target generic` asks again: the image it built is the one to reuse.
  const auto forBuild = m.select(settings, 0, std::string("generic"));
  ASSERT_NE(forBuild.image, nullptr);
  EXPECT_EQ(forBuild.image->path, generic);
  EXPECT_TRUE(forBuild.usable());
}

TEST_F(ProjectModelTest, TheNewestImageForTheTargetWins) {
  ProjectModel m = model();
  m.reload();
  const fs::path older = publish(m, "20260101T000000Z", "native");
  const fs::path generic = publish(m, "20260102T000000Z", "generic");
  m.rescanImages();
  EXPECT_EQ(m.select(Settings{}, 0).image->path, older);
  EXPECT_EQ(m.select(Settings{}, 0, std::string("generic")).image->path, generic);
}

}  // namespace
}  // namespace sysimage::service
