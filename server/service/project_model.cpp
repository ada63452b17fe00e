// Reading a project's files and images, and choosing the image to use.
#include "server/service/project_model.h"

#include <algorithm>
#include <fstream>
#include <spdlog/spdlog.h>

namespace sysimage::service {
namespace fs = std::filesystem;

namespace {

FileError toFileError(const core::ParseError& e) { return FileError{e.file, e.line, e.column, e.message}; }

// A project that is itself a package (name, uuid, src/<name>.jl) is baked into its sysimage too, so
// its own code is compiled ahead of time. It is not in its own manifest: add it there as a
// path-tracked package, so that edits to its src/ make the image unsafe like any dev'd package's.
void addSelfPackage(core::Manifest& manifest, const core::ProjectFile& project, const fs::path& dir) {
  if (!project.name || !project.uuid || manifest.findByUuid(*project.uuid)) return;
  std::error_code ec;
  if (!fs::is_regular_file(dir / "src" / (*project.name + ".jl"), ec)) return;
  core::PackageEntry self;
  self.name = *project.name;
  self.uuid = *project.uuid;
  self.version = project.version;
  self.path = fs::relative(dir, manifest.file.parent_path(), ec).string();
  if (ec || self.path->empty()) self.path = ".";
  for (const auto& [name, uuid] : project.deps) self.deps.push_back(core::Dependency{name, uuid});
  manifest.packages.push_back(std::move(self));
  std::sort(manifest.packages.begin(), manifest.packages.end(),
            [](const auto& a, const auto& b) { return a.name != b.name ? a.name < b.name : a.uuid < b.uuid; });
}

bool sameError(const std::optional<FileError>& a, const std::optional<FileError>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->file == b->file && a->line == b->line && a->column == b->column && a->message == b->message);
}

}  // namespace

ProjectModel::ProjectModel(fs::path dir, fs::path storeDir, core::VersionNumber julia, bool defaultEnvironment,
                           std::string cpuName)
    : dir_(std::move(dir)),
      storeDir_(std::move(storeDir)),
      julia_(std::move(julia)),
      defaultEnvironment_(defaultEnvironment),
      cpuName_(std::move(cpuName)) {}

bool ProjectModel::reload() {
  bool changed = false;
  // Project.toml / JuliaProject.toml
  {
    std::optional<FileError> error;
    std::optional<core::ProjectFile> project;
    if (auto file = core::projectFileIn(dir_)) {
      try {
        project = core::readProjectFile(*file);
      } catch (const core::ParseError& e) {
        error = toFileError(e);
      }
    }
    if (!error) {
      const bool differs = project.has_value() != project_.has_value() ||
                           (project && (project->deps != project_->deps || project->name != project_->name));
      changed |= differs;
      project_ = std::move(project);
    }
    changed |= !sameError(error, projectError_);
    projectError_ = std::move(error);
  }
  // The manifest Julia would load.
  {
    std::optional<FileError> error;
    std::optional<core::Manifest> manifest;
    if (auto file = core::findManifest(dir_, julia_)) {
      try {
        manifest = core::readManifest(*file);
        if (project_) addSelfPackage(*manifest, *project_, dir_);
      } catch (const core::ParseError& e) {
        error = toFileError(e);
      }
    }
    if (!error) {
      core::DevSourceHashes hashes;
      if (manifest) hashes = core::hashDevSources(*manifest);
      const bool differs = manifest.has_value() != manifest_.has_value() ||
                           (manifest && manifest->contentHash != manifest_->contentHash) || hashes != devHashes_;
      changed |= differs;
      if (manifest) {
        for (const auto& w : manifest->warnings) spdlog::warn("{}: {}", dir_.string(), w);
      }
      manifest_ = std::move(manifest);
      devHashes_ = std::move(hashes);
    }
    changed |= !sameError(error, manifestError_);
    manifestError_ = std::move(error);
  }
  // JuliaSysimage.toml
  {
    std::optional<FileError> error;
    try {
      core::SysimageConfig config = core::loadSysimageConfig(dir_);
      changed |= config.file != config_.file || config.exclude != config_.exclude ||
                 config.cpuTarget != config_.cpuTarget || config.packages != config_.packages ||
                 config.suggestRebuildAfterStatements != config_.suggestRebuildAfterStatements ||
                 config.statementsFiles != config_.statementsFiles || config.executionFiles != config_.executionFiles ||
                 config.excludeNonPortableStatements != config_.excludeNonPortableStatements ||
                 config.importIntoMain != config_.importIntoMain;
      config_ = std::move(config);
    } catch (const core::ParseError& e) {
      error = toFileError(e);
    }
    changed |= !sameError(error, configError_);
    configError_ = std::move(error);
  }
  return changed;
}

bool ProjectModel::rescanImages() {
  std::vector<PublishedImage> images;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(storeDir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("sysimage-") || entry.path().extension() != ".so") continue;
    const fs::path sidecar = core::metadataPathFor(entry.path());
    std::error_code statEc;
    const auto time = fs::last_write_time(sidecar, statEc);
    const auto size = statEc ? 0 : fs::file_size(sidecar, statEc);
    const std::pair<long long, std::uintmax_t> stamp{
        statEc ? -1 : static_cast<long long>(time.time_since_epoch().count()), size};
    const auto known = std::find_if(images_.begin(), images_.end(), [&](const PublishedImage& i) {
      return i.path == entry.path() && i.sidecarStamp == stamp && stamp.first != -1;
    });
    if (known != images_.end()) {
      images.push_back(*known);
      continue;
    }
    PublishedImage image{entry.path(), std::nullopt, "", stamp};
    try {
      image.metadata = core::readImageMetadata(sidecar);
    } catch (const std::exception& e) {
      image.metadataError = e.what();
    }
    images.push_back(std::move(image));
  }
  // Names carry a UTC timestamp: newest first.
  std::sort(images.begin(), images.end(), [](const auto& a, const auto& b) { return a.path > b.path; });
  const bool changed = images.size() != images_.size() ||
                       !std::equal(images.begin(), images.end(), images_.begin(), [](const auto& a, const auto& b) {
                         return a.path == b.path && a.metadata == b.metadata;
                       });
  images_ = std::move(images);
  return changed;
}

std::vector<fs::path> ProjectModel::watchedFiles() const {
  std::vector<fs::path> files = {dir_ / "Project.toml", dir_ / "JuliaProject.toml"};
  for (const auto& name : core::manifestFileNames(julia_)) files.push_back(dir_ / name);
  for (const auto& c : core::sysimageConfigCandidates(dir_)) files.push_back(c);
  return files;
}

std::string ProjectModel::cpuTarget(const Settings& settings) const {
  // The file wins when it says something other than the default.
  if (config_.file && config_.cpuTarget != "native") return config_.cpuTarget;
  return settings.cpuTarget;
}

std::vector<std::string> ProjectModel::packagesToInclude() const {
  if (!project_) return config_.packages.value_or(std::vector<std::string>{});
  std::vector<std::string> packages = config_.packagesToInclude(*project_);
  // The project's own package (see reload()), unless listed in `exclude` or an explicit list is given.
  if (!config_.packages && project_->name && manifest_ && !manifest_->findByName(*project_->name).empty() &&
      std::find(config_.exclude.begin(), config_.exclude.end(), *project_->name) == config_.exclude.end() &&
      std::find(packages.begin(), packages.end(), *project_->name) == packages.end()) {
    packages.push_back(*project_->name);
  }
  return packages;
}

ProjectModel::Selection ProjectModel::select(const Settings& settings, std::uint64_t statementsSinceBuild,
                                             const std::optional<std::string>& cpuTargetOverride) const {
  Selection first;
  const std::string cpu = cpuTargetOverride.value_or(cpuTarget(settings));
  std::vector<std::string> directDeps;
  if (project_) directDeps = project_->directDependencyNames();
  const std::uint64_t threshold = config_.file && config_.suggestRebuildAfterStatements != 100
                                      ? static_cast<std::uint64_t>(config_.suggestRebuildAfterStatements)
                                      : static_cast<std::uint64_t>(std::max(0, settings.suggestRebuildAfterStatements));
  for (const auto& image : images_) {
    core::StalenessInput input;
    input.image = image.metadata ? &*image.metadata : nullptr;
    std::error_code ec;
    input.imageFileReadable = fs::is_regular_file(image.path, ec) && std::ifstream(image.path).good();
    input.juliaVersion = julia_.str();
    input.cpuTarget = cpu;
    input.cpuName = cpuName_;
    input.manifest = manifest_ ? &*manifest_ : nullptr;
    input.devSourceHashes = devHashes_;
    input.directDeps = directDeps;
    input.statementsSinceBuild = statementsSinceBuild;
    input.statementThreshold = threshold;
    Selection s{&image, core::assessStaleness(input)};
    if (s.usable()) return s;
    if (!first.image) first = std::move(s);
  }
  return first;
}

}  // namespace sysimage::service
