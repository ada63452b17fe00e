// CPU targets: turns the `cpuTarget` setting ("native", "portable" or a custom string) into the value
// passed to Julia's `--cpu-target`, and rejects strings that Julia could not parse.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "server/core/manifest.h"  // core::VersionNumber

namespace sysimage::julia {

/// The multi-versioned target of the official x86-64 Julia binaries, from seed 002 ("Precompiling
/// Julia Packages in Docker Images", which cites JuliaCI/julia-buildkite
/// utilities/build_envs.sh@70bde73f L24). PackageCompiler's default_app_cpu_target() uses the same
/// string for x86_64.
inline constexpr std::string_view kPortableCpuTargetX86_64 =
    "generic;sandybridge,-xsaveopt,clone_all;haswell,-rdrnd,base(1)";
/// The aarch64 target of the official binaries (seed 002, build_envs.sh@70bde73f L54).
inline constexpr std::string_view kPortableCpuTargetAarch64 = "generic;cortex-a57;thunderx2t99;carmel";

/// Why a CPU target setting cannot be used; the message is meant for the user.
class CpuTargetError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// The portable target for `arch` (Julia's `string(Sys.ARCH)`: "x86_64", "aarch64"; "amd64" and
/// "arm64" are accepted as aliases). Errors: CpuTargetError for any other architecture (no
/// portable string is known for it: the message suggests "generic" or a custom target).
std::string_view portableCpuTarget(std::string_view arch);

/// Checks the syntax of a `--cpu-target` value: one or more targets separated by ';', each a CPU
/// name followed by ','-separated features (`+feat`, `-feat`, `clone_all`, `base(N)`, `opt_size`,
/// `min_size`, ...). Names and features use letters, digits, '_', '.', '-', '+'; no blanks, quotes
/// or control characters. Errors: CpuTargetError naming the problem ("empty", "blank", "empty
/// target between ';'", "invalid character '$'", ...). This is a syntax check only: whether LLVM
/// knows the CPU name is found out by Julia.
void validateCpuTarget(std::string_view target);

/// The value for `--cpu-target`: "native" for "native", portableCpuTarget(arch) for "portable",
/// otherwise `setting` itself after validateCpuTarget(). Leading/trailing blanks are not trimmed
/// (they are an error, as in JuliaSysimage.toml). Errors: CpuTargetError.
std::string resolveCpuTarget(std::string_view setting, std::string_view arch);

/// True when `julia` understands the CPU target "sysimage" (the target the running sysimage was
/// built for): Julia 1.13 and later (JuliaLang/julia PR #58970). PackageCompiler makes it its
/// default there (DEFAULT_SYSIMAGE_CPU_TARGET, src/PackageCompiler.jl @7fa17bd3 L26-30).
bool supportsSysimageCpuTarget(const core::VersionNumber& julia);

/// resolveCpuTarget() for a given Julia: also refuses "sysimage" before Julia 1.13 ("the CPU
/// target \"sysimage\" needs Julia 1.13 or newer; this is Julia 1.10.4"). Errors: CpuTargetError.
std::string resolveCpuTarget(std::string_view setting, std::string_view arch, const core::VersionNumber& julia);

}  // namespace sysimage::julia
