// Build plans: what a sysimage build is asked to do (BuildRequest) and the exact files and command
// lines of both backends (native `--output-o` build + link, PackageCompiler's create_sysimage).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/julia/julia_installation.h"

namespace sysimage::julia {

/// Which builder makes the image. The caller resolves the `backend = "auto"` setting.
enum class Backend {
  Native,           ///< build_sysimage.jl under `julia --output-o`, then the system C compiler links
  PackageCompiler,  ///< packagecompiler_build.jl calls PackageCompiler.create_sysimage
};

/// "native" or "packagecompiler" (the spelling of ImageMetadata::backend and the protocol).
std::string_view toString(Backend backend);

/// One sysimage build.
struct BuildRequest {
  JuliaInstallation julia;            ///< as probed (version, libdir, imageFile, stdlib, os, ...)
  std::filesystem::path project;      ///< the environment's directory; ignored when defaultEnvironment
  bool defaultEnvironment = false;    ///< build for the default environment (`@v1.X`, no --project)
  /// Packages to load into the image: names looked up in the environment, or "Name <uuid>" (native
  /// backend only; PackageCompiler gets the name).
  std::vector<std::string> packages;
  std::vector<std::filesystem::path> statementFiles;  ///< precompile statement files (absolute)
  std::vector<std::filesystem::path> executionFiles;  ///< Julia files run during the build (absolute)
  std::string cpuTarget = "native";   ///< the setting: "native", "portable" or a --cpu-target string
  std::filesystem::path workDir;      ///< private temp dir of this build (created when missing)
  Backend backend = Backend::Native;
  std::chrono::seconds timeout{0};    ///< 0: no timeout
};

/// A request that cannot be turned into a command line (bad CPU target, a path with a line break,
/// unsupported OS, no C compiler). The message is meant for the user.
class BuildPlanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A program and its arguments, plus changes to the inherited environment.
struct Command {
  std::filesystem::path program;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  ///< added or overriding
  std::vector<std::string> unsetEnv;       ///< removed
  /// The command as one shell-quoted line (for build.log), e.g. `julia --startup-file=no 'a b.jl'`.
  std::string display() const;
};

/// Files of a build, all inside BuildRequest::workDir.
struct BuildPaths {
  std::filesystem::path requestFile;   ///< request.txt: build_sysimage.jl's request file
  std::filesystem::path progressFile;  ///< progress.jsonl: build_sysimage.jl's progress (JSON lines)
  /// The object Julia writes: sys.o; on macOS sys-o.a (PackageCompiler PR #930 / issue #738: Julia
  /// 1.10+ writes an archive and the macOS image only works with that name).
  std::filesystem::path objectFile;
  std::filesystem::path image;         ///< sysimage.so (sysimage.dylib on macOS)
  std::filesystem::path log;           ///< build.log: stdout+stderr of every step
  /// PackageCompiler backend: its TMPDIR (`tmp/`), so its object file, trace files and staging
  /// script stay in the build's private directory (removed with it, also after a cancel).
  std::filesystem::path tempDir;
  /// PackageCompiler backend: `libjulia/`, the directory of its libjulia development links
  /// (server/julia/packagecompiler_setup.h), created only when the installation needs them.
  std::filesystem::path libjuliaLinkDir;

  static BuildPaths forRequest(const BuildRequest& request);
};

/// True for Julia's `Sys.KERNEL` of macOS ("Darwin", also "Apple"/"macOS").
bool isMacOs(std::string_view os);
/// True for Windows kernels ("Windows", "NT", "WINNT").
bool isWindows(std::string_view os);

/// The directory of the environment to build for: `project`, or for the default environment
/// `<first depot>/environments/v<major>.<minor>`. Errors: BuildPlanError when the depot path is empty.
std::filesystem::path environmentDirectory(const BuildRequest& request);

/// The text of request.txt in build_sysimage.jl's format (stdlib=, progress=, package=,
/// statements=, execute=; see server/julia/scripts/README.md). Errors: BuildPlanError when a path or
/// package name contains a line break, or starts/ends with a blank (the format strips those).
std::string nativeRequestFileText(const BuildRequest& request, const BuildPaths& paths);

/// The object step of the native backend:
/// `julia --startup-file=no --history-file=no [--project=<env>] --output-o <object> -J <imageFile>
///  --cpu-target <resolved> <scriptsDir>/build_sysimage.jl <requestFile>`; JULIA_PROJECT is unset so
/// that the default environment really is the default. Errors: BuildPlanError (bad CPU target).
Command nativeObjectCommand(const BuildRequest& request, const BuildPaths& paths,
                            const std::filesystem::path& scriptsDir);

/// The server's own values of the search paths that packageCompilerCommand extends.
struct InheritedLibraryPaths {
  std::optional<std::string> libraryPath;    ///< $LIBRARY_PATH
  std::optional<std::string> ldLibraryPath;  ///< $LD_LIBRARY_PATH
};

/// The PackageCompiler backend's only step:
/// `julia --startup-file=no --history-file=no --project=<env> <scriptsDir>/packagecompiler_build.jl
///  --sysimage-path <image> --project <env> --cpu-target <resolved> [--package <Name>]...
///  [--statements <file>]... [--execute <file>]...`. Environment: TMPDIR=<paths.tempDir>; a
/// non-empty `cCompiler` as JULIA_CC (PackageCompiler looks for gcc/clang on PATH unless JULIA_CC
/// is set), so it links with the compiler the server checked; when libjuliaDevLinks(julia,
/// paths.libjuliaLinkDir) is not empty, that directory first on LIBRARY_PATH and LD_LIBRARY_PATH
/// (before `inherited`'s values, which are kept). JULIA_PROJECT is unset. Errors: BuildPlanError
/// (bad CPU target, default environment without a depot).
Command packageCompilerCommand(const BuildRequest& request, const BuildPaths& paths,
                               const std::filesystem::path& scriptsDir, const std::filesystem::path& cCompiler = {},
                               const InheritedLibraryPaths& inherited = {});

}  // namespace sysimage::julia
