// Build diagnostics: free memory and disk space, and the user-facing reasons of failed build steps.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sysimage::julia {

/// MemAvailable of /proc/meminfo text ("MemAvailable:   1234567 kB"), in bytes; nullopt when absent.
std::optional<std::uint64_t> parseMemAvailable(std::string_view meminfo);
/// parseMemAvailable() of /proc/meminfo; nullopt where there is none (macOS).
std::optional<std::uint64_t> readMemAvailable();
/// Bytes free for unprivileged users on the file system holding `path` (statvfs f_bavail).
std::optional<std::uint64_t> freeDiskBytes(const std::filesystem::path& path);

/// "512 B", "12.0 KiB", "57.3 MiB", "1.2 GiB" (binary units, one decimal above bytes).
std::string formatBytes(std::uint64_t bytes);
/// "45 s", "2 min 10 s", "1 h 5 min" (whole seconds).
std::string formatDuration(double seconds);
/// "SIGKILL", "SIGSEGV", … or "signal N".
std::string signalName(int signal);

/// Reason for a Julia killed by `signal` that nobody in the server asked to stop. SIGKILL:
/// "Julia was killed (signal 9) — probably out of memory: 1.2 GiB free" when the lowest free
/// memory seen during the build was below 512 MiB (PackageCompiler's threshold in
/// `@monitor_oom`), else "Julia was killed (signal 9) by another process or the out-of-memory
/// killer: 18.0 GiB free now, lowest 17.5 GiB during the build". Other signals: "Julia crashed
/// (signal 11, SIGSEGV)". Memory values are left out when unknown.
std::string killedReason(int signal, std::optional<std::uint64_t> availableNow,
                         std::optional<std::uint64_t> lowestDuringBuild);

/// Whether output says the disk is full ("No space left on device", ENOSPC).
bool mentionsDiskFull(std::string_view output);

/// The most telling line of a failed Julia or compiler step: the first line with "LLVM ERROR",
/// then the first "ERROR:"/"error:" line, then the last non-blank line; ANSI removed, at most 300
/// bytes; empty when the output is blank.
std::string telltaleLine(std::string_view output);

}  // namespace sysimage::julia
