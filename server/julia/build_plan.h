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
  /// When known, the number of statements in `statementFiles.front()` (the file the server
  /// exported: core::ExportResult::written), so that the PackageCompiler backend's statement total
  /// counts only the lines of the other files (countReplayedLines) instead of reading it again.
  std::optional<std::size_t> firstStatementFileCount;
  /// Julia files run before the build, each in a process of its own under `--trace-compile`
  /// (native backend; PackageCompiler runs them the same way); their traces are replayed.
  std::vector<std::filesystem::path> executionFiles;
  std::string cpuTarget = "native";   ///< the setting: "native", "portable" or a --cpu-target string
  std::filesystem::path workDir;      ///< private temp dir of this build (created when missing)
  Backend backend = Backend::Native;
  std::chrono::seconds timeout{0};    ///< 0: no timeout
  /// `import` the requested packages into the image's Main, as PackageCompiler does by default
  /// (`import_into_main`); JuliaSysimage.toml `[sysimage-server] import_into_main = false` clears it.
  bool importIntoMain = true;
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
  std::filesystem::path cwd;               ///< working directory; empty: the build's work dir
  /// The command as one shell-quoted line (for build.log), e.g. `julia --startup-file=no 'a b.jl'`.
  std::string display() const;
};

/// Files of a build, all inside BuildRequest::workDir.
struct BuildPaths {
  std::filesystem::path requestFile;   ///< request.txt: the request file of prepare.jl and build_sysimage.jl
  std::filesystem::path progressFile;  ///< progress.jsonl: both scripts' progress (JSON lines, appended)
  std::filesystem::path packagesFile;  ///< packages.txt: written by prepare.jl (`Name uuid` lines)
  /// `execution-<i>.trace.jl` (1-based) for each execution file: its `--trace-compile` output.
  std::vector<std::filesystem::path> traceFiles;
  /// The object Julia writes: `sys-o.a` from Julia 1.6 and on macOS (PackageCompiler v2.1.24
  /// src/PackageCompiler.jl L654 and @7fa17bd3 L758: `tempname() * "-o.a"`, PR #930 / issue #738:
  /// Julia writes an archive and the macOS image only works with that name); `sys.o` for Julia 1.5
  /// elsewhere (PackageCompiler v1.4.0 L530: `tempname() * ".o"`).
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

/// True from Julia 1.6, which splits the runtime into libjulia and libjulia-internal (in
/// privateLibdir): both the native link line and PackageCompiler's need `-ljulia-internal`.
bool hasLibjuliaInternal(const core::VersionNumber& version);

/// True from Julia 1.9, where `Base.Linking` (package images with native code) exists; such a
/// Julia gets `--pkgimages=no` in every native build step, as PackageCompiler's get_julia_cmd()
/// (@7fa17bd3 src/PackageCompiler.jl L311-319, v2.1.24 L203-210) checks `isdefined(Base, :Linking)`.
bool hasPackageImages(const core::VersionNumber& version);

/// The text of request.txt, read by prepare.jl and build_sysimage.jl (keys: stdlib=, project=,
/// progress=, packages_file=, import_into_main=, package=, statements=; see
/// server/julia/scripts/README.md). The statements are the execution files' traces first, then
/// `statementFiles` (PackageCompiler @7fa17bd3 L492-496 orders them so). Errors: BuildPlanError
/// when a path or package name contains a line break, or starts/ends with a blank (the format
/// strips those), or the default environment has no depot.
std::string nativeRequestFileText(const BuildRequest& request, const BuildPaths& paths);

/// Step 1 of the native backend, in its own process: instantiate when needed, resolve and load
/// (precompile) every package to bake in, write `paths.packagesFile`:
/// `julia --startup-file=no --history-file=no [--pkgimages=no] --project=<env> --sysimage=<image>
///  <scriptsDir>/prepare.jl <requestFile>`; JULIA_PROJECT unset. Errors: BuildPlanError.
Command nativePrepareCommand(const BuildRequest& request, const BuildPaths& paths,
                             const std::filesystem::path& scriptsDir);

/// Step 2, once per execution file (`index` 0-based), each in its own process as PackageCompiler
/// runs them (run_precompilation_script: v1.4.0 L240-255, v2.1.24 L308-320, @7fa17bd3 L441-454):
/// `julia --startup-file=no --history-file=no [--pkgimages=no] --sysimage=<image> --compile=all
///  --trace-compile=<paths.traceFiles[index]> <file>`, the environment given as
/// JULIA_LOAD_PATH=<env>:@stdlib (`;` on Windows) from Julia 1.6, as `--project=<env>` before;
/// JULIA_PROJECT unset; run in the environment's directory (the work dir when it does not exist).
/// Errors: BuildPlanError (index out of range, default environment without a depot).
Command executionTraceCommand(const BuildRequest& request, const BuildPaths& paths, std::size_t index);

/// Step 3, the process that writes the object file (PackageCompiler's create_sysimg_object_file,
/// @7fa17bd3 L610-612): `julia --startup-file=no --history-file=no [--pkgimages=no]
/// --cpu-target=<resolved> --sysimage=<image> --project=<env> --output-o=<object> --threads=1
/// <scriptsDir>/build_sysimage.jl <requestFile>`; JULIA_PROJECT unset. `--threads=1` whatever
/// JULIA_NUM_THREADS says (PackageCompiler #963/#990: more threads hang the build on 1.11+).
/// Errors: BuildPlanError (bad CPU target, default environment without a depot).
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
