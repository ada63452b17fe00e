// Julia installations for the build tests: the Debian Julia 1.5.3 probed on these machines and
// official-layout variants of newer versions (from their documented directory layout).
#pragma once

#include "server/julia/julia_installation.h"

namespace sysimage::julia::testing {

/// What probe.jl printed for the Debian bullseye Julia 1.5.3 (server/julia/scripts/README.md).
inline JuliaInstallation debianJulia153() {
  JuliaInstallation j;
  j.executable = "/work/main/.julia-runtime/bin/julia";
  j.version = *core::VersionNumber::parse("1.5.3");
  j.versionText = "1.5.3";
  j.bindir = "/work/main/.julia-runtime/usr/bin";
  j.libdir = "/work/main/.julia-runtime/usr/lib/x86_64-linux-gnu";
  j.privateLibdir = "/work/main/.julia-runtime/usr/lib/x86_64-linux-gnu/julia";
  j.imageFile = "/work/main/.julia-runtime/usr/lib/x86_64-linux-gnu/julia/sys.so";
  j.stdlib = "/work/main/.julia-runtime/usr/share/julia/stdlib/v1.5";
  j.depotPath = {"/root/.julia", "/work/main/.julia-runtime/usr/local/share/julia"};
  j.cpuName = "generic";
  j.arch = "x86_64";
  j.os = "Linux";
  j.libjuliaFiles = {"libjulia.so.1", "libjulia.so.1.5"};
  j.libjuliaLoaded = {"/work/main/.julia-runtime/usr/lib/x86_64-linux-gnu/libjulia.so.1"};
  return j;
}

/// An official Linux tarball layout (julia-1.10.4/lib, lib/julia).
inline JuliaInstallation officialLinuxJulia(const char* version, std::vector<std::string> libjuliaFiles) {
  JuliaInstallation j;
  j.executable = "/opt/julia-" + std::string(version) + "/bin/julia";
  j.version = *core::VersionNumber::parse(version);
  j.versionText = version;
  j.bindir = "/opt/julia-" + std::string(version) + "/bin";
  j.libdir = "/opt/julia-" + std::string(version) + "/lib";
  j.privateLibdir = "/opt/julia-" + std::string(version) + "/lib/julia";
  j.imageFile = j.privateLibdir / "sys.so";
  j.stdlib = "/opt/julia-" + std::string(version) + "/share/julia/stdlib/v" + std::to_string(j.version.major) + "." +
             std::to_string(j.version.minor);
  j.depotPath = {"/home/u/.julia"};
  j.arch = "x86_64";
  j.os = "Linux";
  j.libjuliaFiles = std::move(libjuliaFiles);
  return j;
}

}  // namespace sysimage::julia::testing
