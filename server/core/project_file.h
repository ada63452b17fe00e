// Project file model: reads a Julia Project.toml / JuliaProject.toml and finds a directory's project root
// the way Julia's `--project=@.` does.
//
// Format reference: Pkg's docs, "Project.toml"  https://pkgdocs.julialang.org/v1/toml-files/#Project.toml
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/manifest.h"

namespace sysimage::core {

/// The parts of a project file the sysimage server needs. Maps are keyed by package name.
struct ProjectFile {
  std::filesystem::path file;
  std::optional<std::string> name;     ///< `name` (packages have one, plain environments usually not)
  std::optional<std::string> uuid;     ///< `uuid`, lower-case
  std::optional<std::string> version;  ///< `version` as written
  std::map<std::string, std::string> deps;      ///< `[deps]` name -> uuid (lower-case): the direct dependencies
  std::map<std::string, std::string> weakdeps;  ///< `[weakdeps]` name -> uuid
  std::map<std::string, std::string> extras;    ///< `[extras]` name -> uuid (test-only dependencies)
  std::map<std::string, std::string> compat;    ///< `[compat]` name -> version specifier, e.g. "1.6" or "0.10, 1"

  /// Names of the direct dependencies, sorted.
  std::vector<std::string> directDependencyNames() const;
};

/// Parses project file text; `file` is used for messages and ProjectFile::file. Unknown keys (authors,
/// targets, sources, ...) are ignored. Throws ParseError: syntax, wrongType (e.g. `deps` not a table,
/// a compat entry not a string), malformedUuid, malformedValue (`version`).
ProjectFile parseProjectFile(std::string_view text, const std::filesystem::path& file);

/// Reads and parses a project file. Throws ParseError (kind io when it cannot be read).
ProjectFile readProjectFile(const std::filesystem::path& file);

/// The project file in `dir` Julia would use: JuliaProject.toml wins over Project.toml (`project_names`
/// in Julia's base/loading.jl). nullopt when neither exists.
std::optional<std::filesystem::path> projectFileIn(const std::filesystem::path& dir);

/// The nearest directory, starting at `startDir` (or its directory when it names a file) and going up,
/// that holds a project file, like Julia's `Base.current_project` (base/initdefs.jl): the search stops after
/// `stopAt` (Julia stops at the home directory) or at the file system root. nullopt when none is found.
std::optional<std::filesystem::path> findProjectRoot(const std::filesystem::path& startDir,
                                                     const std::optional<std::filesystem::path>& stopAt);

/// findProjectRoot() stopping at $HOME (when set), as Julia does.
std::optional<std::filesystem::path> findProjectRoot(const std::filesystem::path& startDir);

}  // namespace sysimage::core
