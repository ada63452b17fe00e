// Per-project sysimage configuration: julia-vscode's JuliaSysimage.toml (`[sysimage]`) plus this server's
// own `[sysimage-server]` keys. Every key is documented in docs/configuration.md.
//
// `[sysimage]` follows julia-vscode's "Compiling Sysimages" guide
// (https://www.julia-vscode.org/docs/stable/userguide/compilesysimage/): `exclude`, `statements_files`,
// `execution_files`, the file paths relative to the project folder, a single path or a list of paths.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/manifest.h"
#include "server/core/project_file.h"

namespace sysimage::core {

/// Which builder makes the sysimage (`backend` key).
enum class BuildBackend {
  automatic,        ///< "auto": PackageCompiler when the project can load it, the native backend otherwise
  native,           ///< "native": the server's own `--output-o` build, no PackageCompiler needed
  packageCompiler,  ///< "packagecompiler": PackageCompiler.create_sysimage
};

/// "auto", "native" or "packagecompiler".
std::string_view toString(BuildBackend backend);
/// Inverse of toString(BuildBackend); nullopt for anything else.
std::optional<BuildBackend> buildBackendFromString(std::string_view text);

/// What the `cpu_target` string means.
enum class CpuTargetKind {
  native,    ///< "native": only this machine's CPU (PackageCompiler's default)
  portable,  ///< "portable": a multi-versioned target for the architecture (PackageCompiler's default_app_cpu_target())
  custom,    ///< anything else, passed to Julia's `--cpu-target` as is (e.g. "generic;haswell,clone_all")
};

/// The merged configuration of one project; defaults when there is no JuliaSysimage.toml.
struct SysimageConfig {
  static constexpr std::int64_t kDefaultSuggestRebuildAfterStatements = 100;

  std::optional<std::filesystem::path> file;  ///< the file read; nullopt when the defaults are used

  // [sysimage] (julia-vscode)
  std::vector<std::string> exclude;                      ///< package names never baked in
  std::vector<std::filesystem::path> statementsFiles;    ///< precompile statement files, absolute
  std::vector<std::filesystem::path> executionFiles;     ///< precompile execution files, absolute

  // [sysimage-server]
  std::int64_t suggestRebuildAfterStatements = kDefaultSuggestRebuildAfterStatements;  ///< >= 0; 0 turns it off
  std::string cpuTarget = "native";
  std::optional<std::vector<std::string>> packages;      ///< explicit package list; nullopt = direct deps
  bool excludeNonPortableStatements = false;
  BuildBackend backend = BuildBackend::automatic;
  /// `import` the baked-in packages into the image's Main (PackageCompiler's `import_into_main`,
  /// default true), so `using .CSV` works without the project; false leaves Main empty.
  bool importIntoMain = true;

  /// Unknown tables and keys, one "file:line: message" each. Reading went on.
  std::vector<std::string> warnings;

  CpuTargetKind cpuTargetKind() const;

  /// Package names to bake in: `packages` if given, else the project's direct dependencies; minus
  /// `exclude`. Sorted, without duplicates.
  std::vector<std::string> packagesToInclude(const ProjectFile& project) const;
};

/// Where JuliaSysimage.toml is looked for, in order: `<root>/.vscode/JuliaSysimage.toml` (julia-vscode's
/// place), then `<root>/JuliaSysimage.toml`.
std::vector<std::filesystem::path> sysimageConfigCandidates(const std::filesystem::path& projectRoot);

/// The first candidate that exists, or nullopt.
std::optional<std::filesystem::path> findSysimageConfig(const std::filesystem::path& projectRoot);

/// Parses JuliaSysimage.toml text; relative file paths are resolved against `projectRoot`.
/// Throws ParseError (file, line, column and the dotted key): syntax, wrongType (e.g. `exclude` not a list
/// of strings, `cpu_target` not a string), malformedValue (negative `suggest_rebuild_after_statements`,
/// empty or blank `cpu_target`, unknown `backend`, empty package name).
SysimageConfig parseSysimageConfig(std::string_view text, const std::filesystem::path& file,
                                   const std::filesystem::path& projectRoot);

/// findSysimageConfig() + parseSysimageConfig(), or the defaults when there is no file.
/// Throws ParseError (kind io when the file exists but cannot be read).
SysimageConfig loadSysimageConfig(const std::filesystem::path& projectRoot);

}  // namespace sysimage::core
