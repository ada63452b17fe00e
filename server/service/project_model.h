// What the server knows about one project's files and images: Project.toml, the manifest Julia
// would load, JuliaSysimage.toml, the published sysimages, and how stale the newest one is.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "server/core/image_metadata.h"
#include "server/core/manifest.h"
#include "server/core/project_file.h"
#include "server/core/staleness.h"
#include "server/core/sysimage_config.h"
#include "server/service/settings.h"

namespace sysimage::service {

/// A file that could not be read, with the position of the problem (1-based; 0 when unknown).
struct FileError {
  std::filesystem::path file;
  int line = 0;
  int column = 0;
  std::string message;
};

/// A published sysimage and its sidecar.
struct PublishedImage {
  std::filesystem::path path;  ///< `<store dir>/sysimage-<UTC stamp>.so`
  std::optional<core::ImageMetadata> metadata;  ///< nullopt when the sidecar is missing or unreadable
  std::string metadataError;
  /// The sidecar's modification time and size when it was read: unchanged sidecars are not re-read.
  std::pair<long long, std::uintmax_t> sidecarStamp{-1, 0};
};

/// The project's parsed files and images. Re-reading keeps the last good state of a file that is
/// half-written or malformed, and reports its error until it is valid again. Pure file I/O.
class ProjectModel {
 public:
  /// `dir`: the environment directory; `storeDir`: where its images live; `julia`: the running version.
  /// `cpuName`: Sys.CPU_NAME of this machine (a "native" image from another CPU is unusable).
  ProjectModel(std::filesystem::path dir, std::filesystem::path storeDir, core::VersionNumber julia, bool defaultEnvironment,
               std::string cpuName = {});

  /// Re-reads Project.toml, the manifest and JuliaSysimage.toml. Returns true when anything changed
  /// (content, or an error appeared or went away).
  bool reload();
  /// Re-lists the published images (newest first), re-reading only sidecars that changed (it runs
  /// every second). Returns true when the list changed.
  bool rescanImages();

  /// Files whose changes matter: project files, every manifest name Julia might pick, and the
  /// JuliaSysimage.toml candidates (existing or not).
  std::vector<std::filesystem::path> watchedFiles() const;

  /// The image to use and its staleness: the newest image that is upToDate or suggested; when
  /// none is, the newest image's staleness (so the user sees why), or `none`. `cpuTarget`: judge the
  /// images for this CPU target instead of the one in force (a build with an explicit target).
  struct Selection {
    const PublishedImage* image = nullptr;  ///< the image the staleness is about (null: none)
    core::Staleness staleness;
    bool usable() const {
      return image && (staleness.state == core::StalenessState::upToDate ||
                       staleness.state == core::StalenessState::suggested);
    }
  };
  Selection select(const Settings& settings, std::uint64_t statementsSinceBuild,
                   const std::optional<std::string>& cpuTarget = std::nullopt) const;

  const std::optional<core::ProjectFile>& project() const { return project_; }
  const std::optional<core::Manifest>& manifest() const { return manifest_; }
  const core::SysimageConfig& config() const { return config_; }
  const std::vector<PublishedImage>& images() const { return images_; }
  const std::optional<FileError>& manifestError() const { return manifestError_; }
  const std::optional<FileError>& projectError() const { return projectError_; }
  const std::optional<FileError>& configError() const { return configError_; }
  /// The CPU target in force: JuliaSysimage.toml's `cpu_target` when set there, else the setting.
  std::string cpuTarget(const Settings& settings) const;
  /// The packages a build bakes in: `packages` from JuliaSysimage.toml, else the direct deps minus `exclude`.
  std::vector<std::string> packagesToInclude() const;
  const core::DevSourceHashes& devSourceHashes() const { return devHashes_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path storeDir_;
  core::VersionNumber julia_;
  bool defaultEnvironment_;
  std::string cpuName_;
  std::optional<core::ProjectFile> project_;
  std::optional<core::Manifest> manifest_;
  core::SysimageConfig config_;
  core::DevSourceHashes devHashes_;
  std::optional<FileError> projectError_, manifestError_, configError_;
  std::vector<PublishedImage> images_;
};

}  // namespace sysimage::service
