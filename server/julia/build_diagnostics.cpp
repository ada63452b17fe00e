// Free memory/disk, formatting and failure-line selection for build outcomes.
#include "server/julia/build_diagnostics.h"

#include <signal.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "server/julia/packagecompiler_log.h"

namespace sysimage::julia {

std::optional<std::uint64_t> parseMemAvailable(std::string_view meminfo) {
  std::size_t pos = 0;
  while (pos < meminfo.size()) {
    auto nl = meminfo.find('\n', pos);
    if (nl == std::string_view::npos) nl = meminfo.size();
    std::string_view line = meminfo.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.substr(0, 13) != "MemAvailable:") continue;
    std::uint64_t value = 0;
    bool digits = false;
    std::size_t i = 13;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
      value = value * 10 + static_cast<std::uint64_t>(line[i] - '0');
      digits = true;
    }
    if (!digits) return std::nullopt;
    const auto unit = line.substr(i);
    return unit.find("kB") != std::string_view::npos ? value * 1024 : value;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> readMemAvailable() {
  std::ifstream in("/proc/meminfo");
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return parseMemAvailable(ss.str());
}

std::optional<std::uint64_t> freeDiskBytes(const std::filesystem::path& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(st.f_bavail) * static_cast<std::uint64_t>(st.f_frsize);
}

std::string formatBytes(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024.0;
  int u = 0;
  while (v >= 1024.0 && u < 3) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::string formatDuration(double seconds) {
  const long long s = std::llround(std::max(0.0, seconds));
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) {
    return std::to_string(s / 60) + " min" + (s % 60 != 0 ? " " + std::to_string(s % 60) + " s" : "");
  }
  const long long m = (s % 3600) / 60;
  return std::to_string(s / 3600) + " h" + (m != 0 ? " " + std::to_string(m) + " min" : "");
}

std::string signalName(int sig) {
  switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGPIPE: return "SIGPIPE";
    case SIGTERM: return "SIGTERM";
    default: return "signal " + std::to_string(sig);
  }
}

std::string killedReason(int sig, std::optional<std::uint64_t> availableNow, std::optional<std::uint64_t> lowest) {
  if (sig != SIGKILL) return "Julia crashed (signal " + std::to_string(sig) + ", " + signalName(sig) + ")";
  constexpr std::uint64_t kLowMemory = 512ull << 20;
  if (lowest && *lowest < kLowMemory) {
    return "Julia was killed (signal 9) — probably out of memory: " +
           formatBytes(availableNow.value_or(*lowest)) + " free";
  }
  std::string r = "Julia was killed (signal 9) by another process or the out-of-memory killer";
  if (availableNow) {
    r += ": " + formatBytes(*availableNow) + " free now";
    if (lowest) r += ", lowest " + formatBytes(*lowest) + " during the build";
  }
  return r;
}

bool mentionsDiskFull(std::string_view output) {
  return output.find("No space left on device") != std::string_view::npos ||
         output.find("ENOSPC") != std::string_view::npos;
}

std::string telltaleLine(std::string_view output) {
  const std::string clean = stripAnsi(output);
  std::string_view text = clean;
  std::optional<std::string_view> llvm, error, last;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty()) continue;
    last = line;
    if (!llvm && line.find("LLVM ERROR") != std::string_view::npos) llvm = line;
    if (!error && (line.find("ERROR:") != std::string_view::npos || line.find("error:") != std::string_view::npos)) {
      error = line;
    }
  }
  auto pick = llvm ? llvm : error ? error : last;
  if (!pick) return {};
  return std::string(pick->substr(0, 300));
}

}  // namespace sysimage::julia
