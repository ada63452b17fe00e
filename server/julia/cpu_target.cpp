// CPU target settings -> Julia `--cpu-target` values (see cpu_target.h).
#include "server/julia/cpu_target.h"

#include <cctype>
#include <cstdio>

namespace sysimage::julia {
namespace {

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-' || c == '+';
}

std::string describeChar(char c) {
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
    return std::string("control character ") + buf;
  }
  return std::string("'") + c + "'";
}

// One ','-separated element: a CPU name, a +/- feature or a flag like clone_all, or `base(N)`.
void validateElement(std::string_view element, std::string_view target, bool first) {
  if (element.empty()) {
    throw CpuTargetError("invalid CPU target \"" + std::string(target) + "\": empty " +
                         (first ? "CPU name" : "feature between ','"));
  }
  if (!first && element.substr(0, 5) == "base(" && element.back() == ')') {
    const auto digits = element.substr(5, element.size() - 6);
    bool ok = !digits.empty();
    for (char c : digits) ok = ok && std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (ok) return;
    throw CpuTargetError("invalid CPU target \"" + std::string(target) + "\": `" + std::string(element) +
                         "` must be base(<number>)");
  }
  for (char c : element) {
    if (!isNameChar(c)) {
      throw CpuTargetError("invalid CPU target \"" + std::string(target) + "\": invalid " + describeChar(c) +
                           " (expected names like \"haswell\" or features like \"-xsaveopt\")");
    }
  }
}

}  // namespace

std::string_view portableCpuTarget(std::string_view arch) {
  if (arch == "x86_64" || arch == "amd64") return kPortableCpuTargetX86_64;
  if (arch == "aarch64" || arch == "arm64") return kPortableCpuTargetAarch64;
  throw CpuTargetError("no portable CPU target is known for the architecture \"" + std::string(arch) +
                       "\"; set cpuTarget to \"generic\" or to a Julia --cpu-target string");
}

void validateCpuTarget(std::string_view target) {
  if (target.empty()) throw CpuTargetError("the CPU target is empty (use \"native\", \"portable\" or a --cpu-target string)");
  bool blank = true;
  for (char c : target) blank = blank && std::isspace(static_cast<unsigned char>(c)) != 0;
  if (blank) throw CpuTargetError("the CPU target is blank (use \"native\", \"portable\" or a --cpu-target string)");
  std::size_t start = 0;
  while (true) {
    const auto semi = target.find(';', start);
    const auto one = target.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
    if (one.empty()) {
      throw CpuTargetError("invalid CPU target \"" + std::string(target) + "\": empty target between ';'");
    }
    std::size_t pos = 0;
    bool first = true;
    while (true) {
      const auto comma = one.find(',', pos);
      validateElement(one.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos), target,
                      first);
      first = false;
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
}

std::string resolveCpuTarget(std::string_view setting, std::string_view arch) {
  if (setting == "native") return "native";
  if (setting == "portable") return std::string(portableCpuTarget(arch));
  validateCpuTarget(setting);
  return std::string(setting);
}

bool supportsSysimageCpuTarget(const core::VersionNumber& julia) {
  return julia.atLeast(1, 13);
}

std::string resolveCpuTarget(std::string_view setting, std::string_view arch, const core::VersionNumber& julia) {
  if (setting == "sysimage" && !supportsSysimageCpuTarget(julia)) {
    throw CpuTargetError("the CPU target \"sysimage\" needs Julia 1.13 or newer; this is Julia " + julia.str());
  }
  return resolveCpuTarget(setting, arch);
}

}  // namespace sysimage::julia
