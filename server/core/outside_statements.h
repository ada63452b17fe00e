// Statements a project cannot load: those naming a module that is not the project, a package of its
// manifest or a standard library (the Julia extension's VSCodeServer, Revise from the global
// environment). They stay in the store, and builds leave them out.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/manifest.h"
#include "server/core/project_file.h"

namespace sysimage::core {

class StatementStore;

/// Top-level module names a build of one project can resolve.
class LoadableModules {
 public:
  void add(std::string_view name) { names_.emplace(name); }
  bool contains(std::string_view name) const { return names_.find(name) != names_.end(); }
  std::size_t size() const { return names_.size(); }
  friend bool operator==(const LoadableModules&, const LoadableModules&) = default;

 private:
  std::set<std::string, std::less<>> names_;
};

/// The modules a build of a project can load: Core, Base and Main; the project's own `name`; its
/// `[deps]`; every package of its manifest and their package extensions (Julia ≥ 1.9); and the
/// standard libraries of the Julia that builds, i.e. the directories in `stdlibDir` (Sys.STDLIB),
/// which a build resolves from the sysimage or the stdlib directory even when the manifest does not
/// list them. An unreadable `stdlibDir` adds no names.
LoadableModules loadableModules(const std::optional<ProjectFile>& project, const std::optional<Manifest>& manifest,
                                const std::filesystem::path& stdlibDir);

/// The first module (in byte order) that `statement` names and `modules` lacks (see rootModules()),
/// or empty when a build can resolve every module it names.
std::string_view outsideModule(std::string_view statement, const LoadableModules& modules);

/// The statements of a store that name a module outside LoadableModules, counted by module and kept
/// up to date incrementally: the store only grows between clear()s, so each update() reads only the
/// statements added since the last one (StatementStore::forEachFrom()). The counts hold for the
/// modules of the updates since the last reset(): whoever changes the modules calls reset() (a
/// store smaller than what was read, i.e. cleared, resets by itself).
/// Statements flagged `excluded` (they refer to Main) are counted there, not here.
class OutsideStatements {
 public:
  /// Brings the counts up to date with `store` (insertion order), reading only the statements
  /// added since the last update; `modules` must be those of every update since the last reset().
  void update(const StatementStore& store, const LoadableModules& modules);
  /// Forgets everything: call after StatementStore::clear() or when the loadable modules change.
  void reset();

  /// Statements naming an outside module.
  std::size_t total() const { return indices_.size(); }
  /// Of those, the statements at insertion index `index` or later (e.g. added since the last build).
  std::size_t since(std::size_t index) const;
  /// Statements per outside module (the first one each statement names), by name.
  const std::map<std::string, std::size_t, std::less<>>& byModule() const { return byModule_; }

 private:
  std::size_t seen_ = 0;              // statements of the store read so far
  std::vector<std::size_t> indices_;  // insertion indices of outside statements, ascending
  std::map<std::string, std::size_t, std::less<>> byModule_;
};

}  // namespace sysimage::core
