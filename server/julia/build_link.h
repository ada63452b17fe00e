// The link step of the native backend: finding the system C compiler and the flags that turn
// Julia's object file into a loadable sysimage for each platform and Julia version.
//
// The link line is PackageCompiler's for the same Julia (create_sysimg_from_object_file and
// get_extra_linker_flags; juliaconfig.jl ldlibs/rpath), word for word in the same order:
//  - Julia 1.5: PackageCompiler v1.4.0 (src/PackageCompiler.jl L597-640, L574-595; juliaconfig.jl
//    L76-92): `-shared -L<libdir> -o <image> <objects> -ljulia -fPIC <rpath>`, no soname (its
//    create_sysimage passes soname=nothing), rpath `$ORIGIN:$ORIGIN/../lib`;
//  - Julia 1.6-1.9: v2.1.24 (L710-742; juliaconfig.jl L40-51, L70-74), Julia 1.10+: @7fa17bd3
//    (L820-857; juliaconfig.jl L54-64, L87-91): `-shared -L<libdir> -L<privateLibdir> -o <image>
//    <objects> [-Wl,-rpath-link,<libdir> -Wl,-rpath-link,<privateLibdir>] -ljulia
//    -ljulia-internal -fPIC [-Wl,-soname,<image name>] <rpath>` (rpath-link and soname on ELF);
//  - every version: `-m64`/`-m32` and `-march=…` for the architecture first (bitflag(), march()),
//    the objects as `-Wl,--whole-archive <obj> -Wl,--no-whole-archive` (GNU ld) or
//    `-Wl,-all_load <obj>` (macOS); on macOS from 1.6 the image's install name is
//    `@rpath/<image name>` (PackageCompiler runs `install_name_tool -id @rpath/<name>` after
//    linking, @7fa17bd3 L806-813; here the same name is given to the linker with -install_name).
// Deliberate differences: the compiler is $CC or cc/gcc/clang (PackageCompiler prefers g++/clang++
// from 2.0 and takes JULIA_CC); a Debian-style install without the `libjulia.so` development link
// gets `-l:libjulia.so.1` (see libjuliaLinkFlags). Windows is not supported by the native backend
// (PackageCompiler adds `-Wl,--export-all-symbols` there from Julia 1.11, @7fa17bd3 L851).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/julia/build_plan.h"

namespace sysimage::julia {

/// The C compiler used for linking.
struct CCompiler {
  std::filesystem::path program;   ///< absolute path of the executable
  std::vector<std::string> args;   ///< further words of $CC (e.g. "-m64" in CC="gcc -m64")
  std::string origin;              ///< "$CC" or "PATH"
};

/// Finds the compiler: the first word of `ccEnv` ($CC; later words become `args`) when it is set
/// and not blank, looked up in `pathEnv` when it has no '/'; else `cc`, `gcc`, `clang` on
/// `pathEnv`. `os` (Sys.KERNEL) only chooses the install hint. Errors: BuildPlanError starting with
/// "no C compiler found: ", e.g. "no C compiler found: install gcc (build-essential); looked for cc,
/// gcc and clang on PATH", or naming $CC when it is set but not an executable.
CCompiler findCCompiler(const std::optional<std::string>& ccEnv, const std::optional<std::string>& pathEnv,
                        std::string_view os);

/// The library flags for libjulia (and libjulia-internal for Julia >= 1.6), chosen from
/// `julia.libjuliaFiles` (names in libdir/privateLibdir, from the probe):
///  - ELF: `-ljulia` when `libjulia.so` exists; else `-l:<name>` for the shortest `libjulia.so.*`
///    (Debian ships only `libjulia.so.1`, no dev symlink); else `-ljulia`. The same for
///    `libjulia-internal.so` when the version is >= 1.6.
///  - macOS: `-ljulia` [`-ljulia-internal`] (ld64 has no `-l:` and the .dylib names exist).
std::vector<std::string> libjuliaLinkFlags(const JuliaInstallation& julia);

/// The shortest file name `<stem>.so.<anything>` among `files` (e.g. "libjulia.so.1" before
/// "libjulia.so.1.5.3" for stem "libjulia"), or nullopt when there is none: the versioned library a
/// Julia without the `<stem>.so` development link is linked against (libjuliaLinkFlags) or given
/// that link to (libjuliaDevLinks, server/julia/packagecompiler_setup.h).
std::optional<std::string> shortestVersionedLibrary(const std::vector<std::string>& files, std::string_view stem);

/// The link line (rules above), e.g. for Julia 1.10 on x86-64 Linux: `<cc> [$CC args] -m64
/// -march=x86-64 -shared -L<libdir> -L<privateLibdir> -o <image> -Wl,--whole-archive <object>
/// -Wl,--no-whole-archive -Wl,-rpath-link,<libdir> -Wl,-rpath-link,<privateLibdir> -ljulia
/// -ljulia-internal -fPIC -Wl,-soname,sysimage.so -Wl,-rpath,$ORIGIN:$ORIGIN/julia`. Errors:
/// BuildPlanError on Windows (the native backend does not support it).
Command linkCommand(const BuildRequest& request, const BuildPaths& paths, const CCompiler& compiler);

}  // namespace sysimage::julia
