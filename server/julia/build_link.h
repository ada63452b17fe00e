// The link step of the native backend: finding the system C compiler and the flags that turn
// Julia's object file into a loadable sysimage for each platform and Julia version.
//
// The rules follow PackageCompiler.jl (src/PackageCompiler.jl `create_sysimg_from_object_file`
// and src/juliaconfig.jl `ldflags`/`ldlibs`, read at commits 000b41ef… and 02c17655…) and seed 000
// ("Creating a sysimage"):
//  - keep every symbol of the object: `-Wl,--whole-archive <obj> -Wl,--no-whole-archive` with GNU
//    ld, `-Wl,-all_load <obj>` on macOS (Julia 1.10+ writes an archive, so this matters);
//  - a shared library: `-shared` (ELF), `-dynamiclib` on macOS;
//  - search `-L<libdir> -L<privateLibdir>` (PackageCompiler's julia_libdir/julia_private_libdir);
//  - link libjulia, and from Julia 1.6 on also libjulia-internal (where most of the runtime moved
//    in 1.6; PackageCompiler's ldlibs() always names both, it supports 1.6+ only).
// Unlike PackageCompiler no `-Wl,-soname`, rpath, `-m64`/`-march` flags are added: those serve
// relocatable apps; a sysimage is loaded by a julia that has already loaded libjulia.
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

/// `<cc> [$CC args] -shared -o <image> -Wl,--whole-archive <object> -Wl,--no-whole-archive
/// -L<libdir> [-L<privateLibdir>] <libjuliaLinkFlags>` (ELF), or `<cc> -dynamiclib -o <image>
/// -Wl,-all_load <object> -L… <libjuliaLinkFlags>` (macOS). Errors: BuildPlanError on Windows
/// (the native backend does not support it).
Command linkCommand(const BuildRequest& request, const BuildPaths& paths, const CCompiler& compiler);

}  // namespace sysimage::julia
