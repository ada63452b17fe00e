// What the PackageCompiler backend needs around its one process: the `libjulia.so` development link
// that distribution-packaged Julia lacks, the statement total its failures are counted against, and
// the sign that its object file is written (the start of linking).
//
// Why the link: PackageCompiler links the image with `-L<julia_libdir> -ljulia` (and from Julia 1.6
// `-ljulia-internal`), and finds julia_libdir with `Libdl.dlpath("libjulia")`, a dlopen of the
// unversioned name (1.4.0: src/PackageCompiler.jl `create_sysimg_from_object_file` @c83d38b7;
// HEAD: src/juliaconfig.jl `julia_libdir`/`julia_private_libdir`/`ldlibs` @7fa17bd3). Official
// tarballs ship `libjulia.so`; Debian's julia (and other distributions' packages) ship only
// `libjulia.so.1` (the `libjulia.so` link belongs to a -dev package that does not exist), so both
// the dlopen and the link fail. The fix is a private directory holding `libjulia.so` →
// the real library, on LD_LIBRARY_PATH (read by the dynamic loader at process start, so it is set
// when the process is launched) and on LIBRARY_PATH (gcc and clang search it after the -L
// directories). The dlopen then finds the library that is already loaded (same file), and the
// image records the real soname (`libjulia.so.1`) as its dependency.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "server/julia/build_plan.h"
#include "server/julia/julia_installation.h"

namespace sysimage::julia {

/// One symbolic link to create: `link` → `target`.
struct LibraryLink {
  std::filesystem::path link;
  std::filesystem::path target;
  bool operator==(const LibraryLink&) const = default;
};

/// The development links PackageCompiler needs inside `dir`, empty when none is needed: on ELF
/// systems (not macOS, not Windows), for `libjulia` and, on Julia >= 1.6, `libjulia-internal`,
/// when `<name>.so` is not among `julia.libjuliaFiles` (the names in libdir and privateLibdir). The
/// target is the library the probed Julia has loaded (`julia.libjuliaLoaded`, e.g.
/// `/usr/lib/x86_64-linux-gnu/libjulia.so.1`); without that (an older probe answer), the shortest
/// `<name>.so.*` in libjuliaFiles, in libdir for libjulia and privateLibdir for libjulia-internal.
/// A library that is found neither way gets no link (PackageCompiler then fails with its own error).
std::vector<LibraryLink> libjuliaDevLinks(const JuliaInstallation& julia, const std::filesystem::path& dir);

/// Creates the links (and their directory), replacing existing entries of the same name.
/// Errors: std::filesystem::filesystem_error.
void createLibraryLinks(const std::vector<LibraryLink>& links);

/// Number of lines in `files` that PackageCompiler replays as statements: every line that is not
/// blank or a whole-line `#` comment; leading `#= … =#` comments (the `--trace-compile-timing`
/// prefix) are skipped first, so `#= 1.2 ms =# precompile(...)` counts (core::parseTraceLine's
/// Blank and Comment kinds, without lexing the statements). Missing or unreadable files count 0.
std::size_t countReplayedLines(const std::vector<std::filesystem::path>& files);

/// The statement total of a PackageCompiler build: `request.firstStatementFileCount` plus
/// countReplayedLines() of the other statement files when the count is known, else
/// countReplayedLines() of them all.
std::size_t replayedStatementTotal(const BuildRequest& request);

/// Whether PackageCompiler's object file is in `tempDir` (its TMPDIR): a non-empty regular file
/// named `*.o` (1.x: `tempname() * ".o"`) or `*-o.a` (2.x: `tempname() * "-o.a"`). Julia writes the
/// object in one piece after compiling (LLVM writes an archive to a temporary name and renames it),
/// and PackageCompiler starts the C compiler right after that process exits, so the file appearing
/// marks the end of compiling and the start of linking.
bool packageCompilerObjectWritten(const std::filesystem::path& tempDir);

}  // namespace sysimage::julia
