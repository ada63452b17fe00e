// Statements a project cannot load: module names a build can resolve, and the running count of the
// statements that name others.
#include "server/core/outside_statements.h"

#include <algorithm>

#include "server/core/statement.h"
#include "server/core/statement_store.h"

namespace sysimage::core {

LoadableModules loadableModules(const std::optional<ProjectFile>& project, const std::optional<Manifest>& manifest,
                                const std::filesystem::path& stdlibDir) {
  LoadableModules modules;
  for (const char* name : {"Core", "Base", "Main"}) modules.add(name);
  if (project) {
    if (project->name) modules.add(*project->name);
    for (const auto& [name, uuid] : project->deps) modules.add(name);
  }
  if (manifest) {
    for (const PackageEntry& entry : manifest->packages) {
      modules.add(entry.name);
      for (const auto& [extension, triggers] : entry.extensions) modules.add(extension);
    }
  }
  std::error_code ec;
  if (!stdlibDir.empty()) {
    for (const auto& entry : std::filesystem::directory_iterator(stdlibDir, ec)) {
      if (entry.is_directory(ec)) modules.add(entry.path().filename().string());
    }
  }
  return modules;
}

std::string_view outsideModule(std::string_view statement, const LoadableModules& modules) {
  for (std::string_view name : rootModules(statement)) {
    if (!modules.contains(name)) return name;
  }
  return {};
}

void OutsideStatements::reset() {
  seen_ = 0;
  indices_.clear();
  byModule_.clear();
}

void OutsideStatements::update(const StatementStore& store, const LoadableModules& modules) {
  const std::size_t total = store.counts().total;
  if (total < seen_) reset();
  if (total == seen_) return;
  std::size_t index = seen_;
  store.forEachFrom(seen_, [&](std::string_view statement, StatementFlags flags, std::optional<double>) {
    const std::size_t at = index++;
    if (flags.excluded) return;
    const std::string_view outside = outsideModule(statement, modules);
    if (outside.empty()) return;
    indices_.push_back(at);
    auto it = byModule_.find(outside);
    if (it == byModule_.end()) it = byModule_.emplace(std::string(outside), 0).first;
    ++it->second;
  });
  seen_ = index;
}

std::size_t OutsideStatements::since(std::size_t index) const {
  return static_cast<std::size_t>(indices_.end() - std::lower_bound(indices_.begin(), indices_.end(), index));
}

}  // namespace sysimage::core
