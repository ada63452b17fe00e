// Golden tests of the native backend, one per Julia version: from a probe result of that version and
// platform (tests/juliaunit/fixtures/probe/*.json; only 1.5.3 is a real run, the others are written by
// hand from the documented layout and say so), the exact command lines, environment, request file
// and link line of a build. Each expectation names the PackageCompiler source it follows:
//   "v1.4.0"   = tag v1.4.0 (the last for Julia 1.5; ../shared/third_party/PackageCompiler.jl-1.4.0),
//   "v2.1.24"  = tag v2.1.24 (80b17858, the last for Julia 1.6-1.9),
//   "@7fa17bd3" = master of 2026-08-01 (Julia 1.10-1.13);
// always src/PackageCompiler.jl unless another file is named. Deliberate differences, the same for
// every version: `--history-file=no` and no `--color` (output goes to build.log); the preparation
// step is our prepare.jl (PackageCompiler: Pkg.instantiate in its own process, then
// `Pkg.precompile()` in a child, v2.1.24 L297-306, @7fa17bd3 L430-439); the state script is a file
// and a request file rather than generated code; `--threads=1` on every version (@7fa17bd3 L605-612;
// v1.4.0 and v2.1.24 do not pass it, the option exists since Julia 1.5); LOAD_PATH of the build is
// `[env, "@stdlib"]` on every version (@7fa17bd3 L478; v2.1.24 L342 has `[env]`, v1.4.0 L321 the
// default); the C compiler is the one the server found ($CC, cc), PackageCompiler 2.x prefers g++.
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/julia/build_link.h"
#include "server/julia/build_plan.h"

namespace sysimage::julia {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using Args = std::vector<std::string>;

JuliaInstallation probed(const std::string& fixture) {
  std::ifstream in(fs::path(SYSIMAGE_SOURCE_DIR) / "tests" / "juliaunit" / "fixtures" / "probe" / fixture);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << fixture;
  auto j = JuliaInstallation::fromProbeJson(text.str(), "/probe/bin/julia");
  j.executable = j.bindir / "julia";
  return j;
}

// The same build on every version: a project with two packages, the server's statements, an extra
// statement file and one execution file.
BuildRequest request(const std::string& fixture, std::string cpuTarget = "native") {
  BuildRequest r;
  r.julia = probed(fixture);
  r.project = "/home/u/FLInsurance";
  r.packages = {"DelimitedFiles", "Statistics"};
  r.statementFiles = {"/state/b/statements.jl", "/home/u/FLInsurance/extra.jl"};
  r.executionFiles = {"/home/u/FLInsurance/workload.jl"};
  r.cpuTarget = std::move(cpuTarget);
  r.workDir = "/state/b";
  return r;
}

const CCompiler kCc{"/usr/bin/cc", {}, "PATH"};

// The link line on Linux from Julia 1.6 (an official tarball at `prefix`): v2.1.24 L724 and
// @7fa17bd3 L833, `$(bitflag()) $(march()) -shared -L$(julia_libdir()) -L$(julia_private_libdir()) -o
// $sysimage_path $o_file_flags $(ldlibs()) $extra`; o_file_flags v2.1.24 L722 / @7fa17bd3 L831;
// ldlibs (juliaconfig.jl v2.1.24 L43-53, @7fa17bd3 L54-64: `-Wl,-rpath-link,…` twice on Linux, then
// `-ljulia -ljulia-internal`); extra v2.1.24 L739-745 / @7fa17bd3 L848-853 with soname =
// basename(sysimage_path) (v2.1.24 L717-719, @7fa17bd3 L826-828) and rpath_sysimage (juliaconfig.jl
// v2.1.24 L73-77, @7fa17bd3 L87-91). `arch`: bitflag()/march() (@7fa17bd3 L49-62).
Args linuxLinkLine(const std::string& prefix, Args arch) {
  Args line = std::move(arch);
  line.insert(line.end(), {"-shared", "-L" + prefix + "/lib", "-L" + prefix + "/lib/julia", "-o", "/state/b/sysimage.so",
                           "-Wl,--whole-archive", "/state/b/sys-o.a", "-Wl,--no-whole-archive",
                           "-Wl,-rpath-link," + prefix + "/lib", "-Wl,-rpath-link," + prefix + "/lib/julia", "-ljulia",
                           "-ljulia-internal", "-fPIC", "-Wl,-soname,sysimage.so", "-Wl,-rpath,$ORIGIN:$ORIGIN/julia"});
  return line;
}

const Args kX86_64{"-m64", "-march=x86-64"};


// Request file: the same keys on every version; the statements are the execution file's trace first,
// then the statement files (@7fa17bd3 L492-496, v2.1.24 L355-360, v1.4.0 L283-287).
std::string requestText(const JuliaInstallation& j, const std::string& importIntoMain = "yes") {
  return "# sysimage build request (prepare.jl, build_sysimage.jl), written by sysimage-server\n"
         "stdlib=" + j.stdlib.string() + "\n"
         "project=/home/u/FLInsurance\n"
         "progress=/state/b/progress.jsonl\n"
         "packages_file=/state/b/packages.txt\n"
         "import_into_main=" + importIntoMain + "\n"
         "package=DelimitedFiles\n"
         "package=Statistics\n"
         "statements=/state/b/execution-1.trace.jl\n"
         "statements=/state/b/statements.jl\n"
         "statements=/home/u/FLInsurance/extra.jl\n";
}

TEST(GoldenBuildPlan, Julia153DebianLinuxFollowsPackageCompiler140) {
  const auto r = request("julia-1.5.3-debian-linux-x86_64.json");
  const auto p = BuildPaths::forRequest(r);
  const std::string julia = "/work/main/.julia-runtime/usr/bin/julia";
  const std::string image = "/work/main/.julia-runtime/usr/lib/x86_64-linux-gnu/julia/sys.so";
  // v1.4.0 L530: `tempname() * ".o"`.
  EXPECT_EQ(p.objectFile, "/state/b/sys.o");
  EXPECT_EQ(nativeRequestFileText(r, p), requestText(r.julia));

  // v1.4.0 L257-268 (do_ensurecompiled, Julia < 1.6): `julia --color=yes --startup-file=no
  // --sysimage=$sysimage --project=$project -e 'import A; import B'` (get_julia_cmd L126-129: no
  // --pkgimages before 1.9).
  auto prepare = nativePrepareCommand(r, p, "/srv/scripts");
  EXPECT_EQ(prepare.program, julia);
  EXPECT_THAT(prepare.args, ElementsAre("--startup-file=no", "--history-file=no", "--project=/home/u/FLInsurance",
                                        "--sysimage=" + image, "/srv/scripts/prepare.jl", "/state/b/request.txt"));
  EXPECT_TRUE(prepare.env.empty());
  EXPECT_THAT(prepare.unsetEnv, ElementsAre("JULIA_PROJECT"));

  // v1.4.0 L248-249: `--sysimage=$(sysimg) --project=$project --compile=all --trace-compile=$tracefile $file`.
  auto trace = executionTraceCommand(r, p, 0);
  EXPECT_THAT(trace.args, ElementsAre("--startup-file=no", "--history-file=no", "--sysimage=" + image,
                                      "--project=/home/u/FLInsurance", "--compile=all",
                                      "--trace-compile=/state/b/execution-1.trace.jl", "/home/u/FLInsurance/workload.jl"));
  EXPECT_TRUE(trace.env.empty());
  EXPECT_EQ(trace.cwd, "/home/u/FLInsurance");

  // v1.4.0 L373-374: `--cpu-target=$cpu_target --sysimage=$base_sysimage --project=$project
  // --output-o=$(object_file)`, NATIVE_CPU_TARGET = "native" (L12).
  auto object = nativeObjectCommand(r, p, "/srv/scripts");
  EXPECT_THAT(object.args, ElementsAre("--startup-file=no", "--history-file=no", "--cpu-target=native",
                                       "--sysimage=" + image, "--project=/home/u/FLInsurance",
                                       "--output-o=/state/b/sys.o", "--threads=1", "/srv/scripts/build_sysimage.jl",
                                       "/state/b/request.txt"));
  EXPECT_TRUE(object.env.empty());

  // v1.4.0 L635: `$compiler $(bitflag()) $m -shared -L$(julia_libdir) -o $sysimage_path $o_file_flags
  // -ljulia $extra`; bitflag/march L64-89; o_file_flags L611-615; extra = `-fPIC $soname_arg
  // $rpath_args` (L590, no soname: create_sysimage passes soname=nothing); juliaconfig.jl L86-90:
  // rpath `$ORIGIN:$ORIGIN/../lib` before 1.6. Debian has no libjulia.so: `-l:libjulia.so.1`.
  auto link = linkCommand(r, p, kCc);
  EXPECT_EQ(link.program, "/usr/bin/cc");
  EXPECT_THAT(link.args, ElementsAreArray(Args{
                             "-m64", "-march=x86-64", "-shared", "-L/work/main/.julia-runtime/usr/lib/x86_64-linux-gnu",
                             "-o", "/state/b/sysimage.so", "-Wl,--whole-archive", "/state/b/sys.o",
                             "-Wl,--no-whole-archive", "-l:libjulia.so.1", "-fPIC", "-Wl,-rpath,$ORIGIN:$ORIGIN/../lib"}));
}

TEST(GoldenBuildPlan, Julia167LinuxFollowsPackageCompiler2124) {
  const auto r = request("julia-1.6.7-linux-x86_64.json", "portable");
  const auto p = BuildPaths::forRequest(r);
  const std::string image = "/opt/julia-1.6.7/lib/julia/sys.so";
  // v2.1.24 L654: `tempname() * "-o.a"`.
  EXPECT_EQ(p.objectFile, "/state/b/sys-o.a");
  EXPECT_EQ(nativeRequestFileText(r, p), requestText(r.julia));
  EXPECT_EQ(nativePrepareCommand(r, p, "/s").program, "/opt/julia-1.6.7/bin/julia");
  // v2.1.24 get_julia_cmd L203-210: no --pkgimages (no Base.Linking before 1.9).
  EXPECT_THAT(nativePrepareCommand(r, p, "/s").args,
              ElementsAre("--startup-file=no", "--history-file=no", "--project=/home/u/FLInsurance",
                          "--sysimage=" + image, "/s/prepare.jl", "/state/b/request.txt"));
  // v2.1.24 L312-316: `--sysimage=$(sysimg) --compile=all --trace-compile=$tracefile $file` with
  // JULIA_LOAD_PATH = "$project:@stdlib" instead of --project.
  auto trace = executionTraceCommand(r, p, 0);
  EXPECT_THAT(trace.args, ElementsAre("--startup-file=no", "--history-file=no", "--sysimage=" + image,
                                      "--compile=all", "--trace-compile=/state/b/execution-1.trace.jl",
                                      "/home/u/FLInsurance/workload.jl"));
  EXPECT_EQ(trace.env, (std::map<std::string, std::string>{{"JULIA_LOAD_PATH", "/home/u/FLInsurance:@stdlib"}}));
  // v2.1.24 L486-488; the portable target is default_app_cpu_target() for x86_64 (L36-44).
  EXPECT_THAT(nativeObjectCommand(r, p, "/s").args,
              ElementsAre("--startup-file=no", "--history-file=no",
                          "--cpu-target=generic;sandybridge,-xsaveopt,clone_all;haswell,-rdrnd,base(1)",
                          "--sysimage=" + image, "--project=/home/u/FLInsurance", "--output-o=/state/b/sys-o.a",
                          "--threads=1", "/s/build_sysimage.jl", "/state/b/request.txt"));
  // v2.1.24's link line (linuxLinkLine above).
  EXPECT_THAT(linkCommand(r, p, kCc).args, ElementsAreArray(linuxLinkLine("/opt/julia-1.6.7", kX86_64)));
}

TEST(GoldenBuildPlan, Julia194LinuxAddsPkgimagesNo) {
  const auto r = request("julia-1.9.4-linux-x86_64.json");
  const auto p = BuildPaths::forRequest(r);
  const std::string image = "/opt/julia-1.9.4/lib/julia/sys.so";
  EXPECT_EQ(p.objectFile, "/state/b/sys-o.a");
  EXPECT_EQ(nativeRequestFileText(r, p), requestText(r.julia));
  // v2.1.24 L206-207: `--pkgimages=no` when `isdefined(Base, :Linking)` (Julia 1.9+), for every
  // Julia process it starts: the precompile step (L297-303), the execution files (L312), the object.
  EXPECT_THAT(nativePrepareCommand(r, p, "/s").args,
              ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--project=/home/u/FLInsurance",
                          "--sysimage=" + image, "/s/prepare.jl", "/state/b/request.txt"));
  auto trace = executionTraceCommand(r, p, 0);
  EXPECT_THAT(trace.args, ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--sysimage=" + image,
                                      "--compile=all", "--trace-compile=/state/b/execution-1.trace.jl",
                                      "/home/u/FLInsurance/workload.jl"));
  EXPECT_EQ(trace.env.at("JULIA_LOAD_PATH"), "/home/u/FLInsurance:@stdlib");
  EXPECT_THAT(nativeObjectCommand(r, p, "/s").args,
              ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--cpu-target=native",
                          "--sysimage=" + image, "--project=/home/u/FLInsurance", "--output-o=/state/b/sys-o.a",
                          "--threads=1", "/s/build_sysimage.jl", "/state/b/request.txt"));
  EXPECT_THAT(linkCommand(r, p, kCc).args, ElementsAreArray(linuxLinkLine("/opt/julia-1.9.4", kX86_64)));
}

TEST(GoldenBuildPlan, Julia1104LinuxFollowsPackageCompilerHead) {
  auto r = request("julia-1.10.4-linux-x86_64.json");
  r.importIntoMain = false;  // create_sysimage(...; import_into_main=false), @7fa17bd3 L696, L554
  const auto p = BuildPaths::forRequest(r);
  const std::string image = "/opt/julia-1.10.4/lib/julia/sys.so";
  // @7fa17bd3 L758: `tempname() * "-o.a"`.
  EXPECT_EQ(p.objectFile, "/state/b/sys-o.a");
  EXPECT_EQ(nativeRequestFileText(r, p), requestText(r.julia, "no"));
  // get_julia_cmd @7fa17bd3 L311-319.
  EXPECT_THAT(nativePrepareCommand(r, p, "/s").args,
              ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--project=/home/u/FLInsurance",
                          "--sysimage=" + image, "/s/prepare.jl", "/state/b/request.txt"));
  // @7fa17bd3 L445-449.
  auto trace = executionTraceCommand(r, p, 0);
  EXPECT_THAT(trace.args, ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--sysimage=" + image,
                                      "--compile=all", "--trace-compile=/state/b/execution-1.trace.jl",
                                      "/home/u/FLInsurance/workload.jl"));
  EXPECT_EQ(trace.env, (std::map<std::string, std::string>{{"JULIA_LOAD_PATH", "/home/u/FLInsurance:@stdlib"}}));
  EXPECT_THAT(trace.unsetEnv, ElementsAre("JULIA_PROJECT"));
  // @7fa17bd3 L610-612: `--cpu-target=$cpu_target $sysimage_build_args --sysimage=$base_sysimage
  // --project=$project --output-o=$(object_file) --threads=1 $outputo_file`.
  EXPECT_THAT(nativeObjectCommand(r, p, "/s").args,
              ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--cpu-target=native",
                          "--sysimage=" + image, "--project=/home/u/FLInsurance", "--output-o=/state/b/sys-o.a",
                          "--threads=1", "/s/build_sysimage.jl", "/state/b/request.txt"));
  // @7fa17bd3's link line (linuxLinkLine above; rpath-link on Unix but not Apple).
  EXPECT_THAT(linkCommand(r, p, kCc).args, ElementsAreArray(linuxLinkLine("/opt/julia-1.10.4", kX86_64)));
}

TEST(GoldenBuildPlan, Julia1112MacOsArm) {
  const auto r = request("julia-1.11.2-macos-aarch64.json");
  const auto p = BuildPaths::forRequest(r);
  const std::string root = "/Applications/Julia-1.11.app/Contents/Resources/julia";
  // @7fa17bd3 L758-762: `-o.a`, "necessary to make the sysimage work on macOS" (issue #738, PR #930).
  EXPECT_EQ(p.objectFile, "/state/b/sys-o.a");
  EXPECT_EQ(p.image, "/state/b/sysimage.dylib");
  EXPECT_EQ(nativeRequestFileText(r, p), requestText(r.julia));
  // @7fa17bd3 L610-612 (get_julia_cmd L311-319), as on Linux.
  EXPECT_THAT(nativeObjectCommand(r, p, "/s").args,
              ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--cpu-target=native",
                          "--sysimage=" + root + "/lib/julia/sys.dylib", "--project=/home/u/FLInsurance",
                          "--output-o=/state/b/sys-o.a", "--threads=1", "/s/build_sysimage.jl", "/state/b/request.txt"));
  // @7fa17bd3 L445-449: JULIA_LOAD_PATH with ':' on macOS (L447).
  EXPECT_EQ(executionTraceCommand(r, p, 0).env.at("JULIA_LOAD_PATH"), "/home/u/FLInsurance:@stdlib");
  // @7fa17bd3 L833: no bitflag on aarch64, march `-march=armv8-a+crypto+simd` (L49-62);
  // `-Wl,-all_load $object_files` (L831); ldlibs on Apple: the names only (juliaconfig.jl L61-62);
  // extra `-fPIC $rpath_args` (L852) with rpath_sysimage `@executable_path` and
  // `@executable_path/julia` (juliaconfig.jl L89); then `install_name_tool -id @rpath/<name>`
  // (L806-813), given to the linker here as -install_name.
  EXPECT_THAT(linkCommand(r, p, kCc).args,
              ElementsAreArray(Args{"-march=armv8-a+crypto+simd", "-shared", "-L" + root + "/lib",
                                    "-L" + root + "/lib/julia", "-o", "/state/b/sysimage.dylib", "-Wl,-all_load",
                                    "/state/b/sys-o.a", "-ljulia", "-ljulia-internal", "-fPIC",
                                    "-Wl,-rpath,@executable_path", "-Wl,-rpath,@executable_path/julia",
                                    "-Wl,-install_name,@rpath/sysimage.dylib"}));
}

TEST(GoldenBuildPlan, Julia1112WindowsIsRefusedByTheNativeBackend) {
  const auto r = request("julia-1.11.2-windows-x86_64.json");
  const auto p = BuildPaths::forRequest(r);
  // JULIA_LOAD_PATH with Windows' separator (@7fa17bd3 L447: `Sys.iswindows() ? ';' : ':'`).
  EXPECT_EQ(executionTraceCommand(r, p, 0).env.at("JULIA_LOAD_PATH"), "/home/u/FLInsurance;@stdlib");
  // PackageCompiler links with MinGW and `-Wl,--export-all-symbols` from 1.11 (@7fa17bd3 L851,
  // juliaconfig.jl L34-47); the native backend does not support Windows and says so.
  try {
    linkCommand(r, p, kCc);
    FAIL() << "Windows must be refused";
  } catch (const BuildPlanError& e) {
    EXPECT_STREQ(e.what(), "the native backend cannot link sysimages on Windows; use the PackageCompiler backend");
  }
}

TEST(GoldenBuildPlan, Julia1121LinuxArm) {
  const auto r = request("julia-1.12.1-linux-aarch64.json");
  const auto p = BuildPaths::forRequest(r);
  const std::string image = "/opt/julia-1.12.1/lib/julia/sys.so";
  EXPECT_EQ(nativeRequestFileText(r, p), requestText(r.julia));
  // get_julia_cmd @7fa17bd3 L311-319, as for 1.10.
  EXPECT_THAT(nativePrepareCommand(r, p, "/s").args,
              ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--project=/home/u/FLInsurance",
                          "--sysimage=" + image, "/s/prepare.jl", "/state/b/request.txt"));
  // @7fa17bd3 L610-612, as for 1.10.
  EXPECT_THAT(nativeObjectCommand(r, p, "/s").args,
              ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--cpu-target=native",
                          "--sysimage=" + image, "--project=/home/u/FLInsurance", "--output-o=/state/b/sys-o.a",
                          "--threads=1", "/s/build_sysimage.jl", "/state/b/request.txt"));
  // march for aarch64 (@7fa17bd3 L59), no bitflag (L49-53).
  EXPECT_THAT(linkCommand(r, p, kCc).args,
              ElementsAreArray(linuxLinkLine("/opt/julia-1.12.1", Args{"-march=armv8-a+crypto+simd"})));
}

TEST(GoldenBuildPlan, Julia1130rcTakesTheSysimageCpuTarget) {
  // PackageCompiler's default CPU target on Julia 1.13 is "sysimage", the target of the base image
  // (DEFAULT_SYSIMAGE_CPU_TARGET, @7fa17bd3 L26-30; the keyword is JuliaLang/julia PR #58970).
  const auto r = request("julia-1.13.0-rc1-linux-x86_64.json", "sysimage");
  const auto p = BuildPaths::forRequest(r);
  const std::string image = "/opt/julia-1.13.0-rc1/lib/julia/sys.so";
  EXPECT_EQ(r.julia.versionText, "1.13.0-rc1");
  EXPECT_EQ(nativeRequestFileText(r, p), requestText(r.julia));
  // get_julia_cmd @7fa17bd3 L311-319, as for 1.10.
  EXPECT_THAT(nativePrepareCommand(r, p, "/s").args,
              ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--project=/home/u/FLInsurance",
                          "--sysimage=" + image, "/s/prepare.jl", "/state/b/request.txt"));
  // @7fa17bd3 L445-449, as for 1.10.
  auto trace = executionTraceCommand(r, p, 0);
  EXPECT_THAT(trace.args, ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--sysimage=" + image,
                                      "--compile=all", "--trace-compile=/state/b/execution-1.trace.jl",
                                      "/home/u/FLInsurance/workload.jl"));
  EXPECT_EQ(trace.env.at("JULIA_LOAD_PATH"), "/home/u/FLInsurance:@stdlib");
  // @7fa17bd3 L610-612 with cpu_target "sysimage"; the rest as for 1.10.
  EXPECT_THAT(nativeObjectCommand(r, p, "/s").args,
              ElementsAre("--startup-file=no", "--history-file=no", "--pkgimages=no", "--cpu-target=sysimage",
                          "--sysimage=" + image, "--project=/home/u/FLInsurance", "--output-o=/state/b/sys-o.a",
                          "--threads=1", "/s/build_sysimage.jl", "/state/b/request.txt"));
  EXPECT_THAT(linkCommand(r, p, kCc).args, ElementsAreArray(linuxLinkLine("/opt/julia-1.13.0-rc1", kX86_64)));
}

TEST(GoldenBuildPlan, SysimageCpuTargetNeedsJulia113) {
  const auto r = request("julia-1.12.1-linux-aarch64.json", "sysimage");
  try {
    nativeObjectCommand(r, BuildPaths::forRequest(r), "/s");
    FAIL() << "1.12 has no \"sysimage\" target";
  } catch (const BuildPlanError& e) {
    EXPECT_STREQ(e.what(), "the CPU target \"sysimage\" needs Julia 1.13 or newer; this is Julia 1.12.1");
  }
}

TEST(GoldenBuildPlan, TheDefaultEnvironmentIsNamedLikeAProject) {
  auto r = request("julia-1.10.4-linux-x86_64.json");
  r.defaultEnvironment = true;
  const auto p = BuildPaths::forRequest(r);
  // create_sysimage's `project` defaults to dirname(active_project()) (@7fa17bd3 L678): for the
  // default environment the directory `<first depot>/environments/v1.10`.
  EXPECT_THAT(nativeObjectCommand(r, p, "/s").args,
              ::testing::Contains("--project=/home/u/.julia/environments/v1.10"));
  EXPECT_EQ(executionTraceCommand(r, p, 0).env.at("JULIA_LOAD_PATH"), "/home/u/.julia/environments/v1.10:@stdlib");
  EXPECT_THAT(nativeRequestFileText(r, p), ::testing::HasSubstr("\nproject=/home/u/.julia/environments/v1.10\n"));
}

}  // namespace
}  // namespace sysimage::julia
