// Tests of build plans: request file text, work dir files and both backends' command lines.
#include "server/julia/build_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "julia_fixture.h"

namespace sysimage::julia {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

BuildRequest projectRequest() {
  BuildRequest r;
  r.julia = testing::debianJulia153();
  r.project = "/home/u/FLInsurance";
  r.packages = {"CSV", "Statistics"};
  r.statementFiles = {"/state/statements.jl", "/home/u/FLInsurance/precompile/extra.jl"};
  r.executionFiles = {"/home/u/FLInsurance/precompile/workload.jl"};
  r.workDir = "/state/builds/b-1";
  return r;
}

TEST(BuildPlan, WorkDirFiles) {
  auto p = BuildPaths::forRequest(projectRequest());
  EXPECT_EQ(p.requestFile, "/state/builds/b-1/request.txt");
  EXPECT_EQ(p.progressFile, "/state/builds/b-1/progress.jsonl");
  EXPECT_EQ(p.packagesFile, "/state/builds/b-1/packages.txt");
  EXPECT_EQ(p.traceFiles, (std::vector<std::filesystem::path>{"/state/builds/b-1/execution-1.trace.jl"}));
  EXPECT_EQ(p.objectFile, "/state/builds/b-1/sys.o");  // Julia 1.5 on Linux
  EXPECT_EQ(p.image, "/state/builds/b-1/sysimage.so");
  EXPECT_EQ(p.log, "/state/builds/b-1/build.log");
  EXPECT_EQ(p.tempDir, "/state/builds/b-1/tmp");
  EXPECT_EQ(p.libjuliaLinkDir, "/state/builds/b-1/libjulia");
}

TEST(BuildPlan, ObjectIsAnArchiveFromJulia16AndOnMacOs) {
  auto r = projectRequest();
  r.julia.os = "Darwin";
  auto p = BuildPaths::forRequest(r);
  EXPECT_EQ(p.objectFile, "/state/builds/b-1/sys-o.a");
  EXPECT_EQ(p.image, "/state/builds/b-1/sysimage.dylib");
  r = projectRequest();
  r.julia.version = *core::VersionNumber::parse("1.6.0");
  EXPECT_EQ(BuildPaths::forRequest(r).objectFile, "/state/builds/b-1/sys-o.a");
}

TEST(BuildPlan, RequestFileInTheScriptsFormat) {
  auto r = projectRequest();
  r.packages.push_back("Parsers 69de0a69-1ddd-5017-9359-2bf0b02dc9f0");
  EXPECT_EQ(nativeRequestFileText(r, BuildPaths::forRequest(r)),
            "# sysimage build request (prepare.jl, build_sysimage.jl), written by sysimage-server\n"
            "stdlib=/work/main/.julia-runtime/usr/share/julia/stdlib/v1.5\n"
            "project=/home/u/FLInsurance\n"
            "progress=/state/builds/b-1/progress.jsonl\n"
            "packages_file=/state/builds/b-1/packages.txt\n"
            "import_into_main=yes\n"
            "package=CSV\n"
            "package=Statistics\n"
            "package=Parsers 69de0a69-1ddd-5017-9359-2bf0b02dc9f0\n"
            "statements=/state/builds/b-1/execution-1.trace.jl\n"
            "statements=/state/statements.jl\n"
            "statements=/home/u/FLInsurance/precompile/extra.jl\n");
}

TEST(BuildPlan, RequestFileRefusesValuesTheFormatCannotCarry) {
  auto r = projectRequest();
  r.statementFiles = {"/tmp/a\nb.jl"};
  EXPECT_THROW(nativeRequestFileText(r, BuildPaths::forRequest(r)), BuildPlanError);
  r.statementFiles = {"/tmp/trailing.jl "};
  try {
    nativeRequestFileText(r, BuildPaths::forRequest(r));
    FAIL();
  } catch (const BuildPlanError& e) {
    EXPECT_STREQ(e.what(), "cannot build: the statement file path \"/tmp/trailing.jl \" starts or ends with a blank");
  }
}

TEST(BuildPlan, NativeStepsForAProject) {
  auto r = projectRequest();
  const auto p = BuildPaths::forRequest(r);
  auto prepare = nativePrepareCommand(r, p, "/srv/scripts");
  EXPECT_EQ(prepare.program, "/work/main/.julia-runtime/bin/julia");
  EXPECT_THAT(prepare.args, ElementsAre("--startup-file=no", "--history-file=no", "--project=/home/u/FLInsurance",
                                        "--sysimage=/work/main/.julia-runtime/usr/lib/x86_64-linux-gnu/julia/sys.so",
                                        "/srv/scripts/prepare.jl", "/state/builds/b-1/request.txt"));
  EXPECT_THAT(prepare.unsetEnv, ElementsAre("JULIA_PROJECT"));
  auto c = nativeObjectCommand(r, p, "/srv/scripts");
  EXPECT_EQ(c.program, "/work/main/.julia-runtime/bin/julia");
  EXPECT_THAT(c.args, ElementsAre("--startup-file=no", "--history-file=no", "--cpu-target=native",
                                  "--sysimage=/work/main/.julia-runtime/usr/lib/x86_64-linux-gnu/julia/sys.so",
                                  "--project=/home/u/FLInsurance", "--output-o=/state/builds/b-1/sys.o", "--threads=1",
                                  "/srv/scripts/build_sysimage.jl", "/state/builds/b-1/request.txt"));
  EXPECT_THAT(c.unsetEnv, ElementsAre("JULIA_PROJECT"));
  EXPECT_TRUE(c.env.empty());
  EXPECT_TRUE(c.cwd.empty());
  EXPECT_THROW(executionTraceCommand(r, p, 1), BuildPlanError);  // there is one execution file
}

TEST(BuildPlan, NativeStepsForTheDefaultEnvironmentNameItsDirectory) {
  auto r = projectRequest();
  r.defaultEnvironment = true;
  r.cpuTarget = "portable";
  auto c = nativeObjectCommand(r, BuildPaths::forRequest(r), "/srv/scripts");
  EXPECT_THAT(c.args, ElementsAre("--startup-file=no", "--history-file=no",
                                  "--cpu-target=generic;sandybridge,-xsaveopt,clone_all;haswell,-rdrnd,base(1)",
                                  "--sysimage=/work/main/.julia-runtime/usr/lib/x86_64-linux-gnu/julia/sys.so",
                                  "--project=/root/.julia/environments/v1.5", "--output-o=/state/builds/b-1/sys.o",
                                  "--threads=1", "/srv/scripts/build_sysimage.jl", "/state/builds/b-1/request.txt"));
  r.julia.depotPath.clear();
  EXPECT_THROW(nativeObjectCommand(r, BuildPaths::forRequest(r), "/srv/scripts"), BuildPlanError);
  EXPECT_THROW(nativeRequestFileText(r, BuildPaths::forRequest(r)), BuildPlanError);
}

TEST(BuildPlan, PackageImagesFromJulia19) {
  EXPECT_FALSE(hasPackageImages(*core::VersionNumber::parse("1.8.5")));
  EXPECT_TRUE(hasPackageImages(*core::VersionNumber::parse("1.9.0-rc1")));
  EXPECT_TRUE(hasPackageImages(*core::VersionNumber::parse("1.13.0")));
  EXPECT_TRUE(hasPackageImages(*core::VersionNumber::parse("2.0.0")));
}

TEST(BuildPlan, BadCpuTargetIsAPlanError) {
  auto r = projectRequest();
  r.cpuTarget = "";
  EXPECT_THROW(nativeObjectCommand(r, BuildPaths::forRequest(r), "/s"), BuildPlanError);
  r.cpuTarget = "haswell;;";
  EXPECT_THROW(packageCompilerCommand(r, BuildPaths::forRequest(r), "/s"), BuildPlanError);
}

TEST(BuildPlan, PackageCompilerCommand) {
  auto r = projectRequest();
  r.backend = Backend::PackageCompiler;
  r.cpuTarget = "generic;haswell,clone_all";
  r.packages.push_back("Parsers 69de0a69-1ddd-5017-9359-2bf0b02dc9f0");
  auto c = packageCompilerCommand(r, BuildPaths::forRequest(r), "/srv/scripts", "/usr/bin/cc");
  EXPECT_EQ(c.program, "/work/main/.julia-runtime/bin/julia");
  EXPECT_THAT(c.args,
              ElementsAreArray(std::vector<std::string>{
                  "--startup-file=no", "--history-file=no", "--project=/home/u/FLInsurance",
                  "/srv/scripts/packagecompiler_build.jl", "--sysimage-path", "/state/builds/b-1/sysimage.so",
                  "--project", "/home/u/FLInsurance", "--cpu-target", "generic;haswell,clone_all", "--package", "CSV",
                  "--package", "Statistics", "--package", "Parsers", "--statements", "/state/statements.jl",
                  "--statements", "/home/u/FLInsurance/precompile/extra.jl", "--execute",
                  "/home/u/FLInsurance/precompile/workload.jl"}));
  // Debian's Julia has no libjulia.so: the private link directory goes first on both search paths.
  EXPECT_EQ(c.env, (std::map<std::string, std::string>{{"JULIA_CC", "/usr/bin/cc"},
                                                       {"TMPDIR", "/state/builds/b-1/tmp"},
                                                       {"LIBRARY_PATH", "/state/builds/b-1/libjulia"},
                                                       {"LD_LIBRARY_PATH", "/state/builds/b-1/libjulia"}}));
  EXPECT_THAT(c.unsetEnv, ElementsAre("JULIA_PROJECT"));
}

TEST(BuildPlan, PackageCompilerKeepsTheInheritedLibraryPaths) {
  auto r = projectRequest();
  r.backend = Backend::PackageCompiler;
  auto c = packageCompilerCommand(r, BuildPaths::forRequest(r), "/srv/scripts", {},
                                  InheritedLibraryPaths{"/opt/lib", "/usr/local/lib:/opt/x"});
  EXPECT_EQ(c.env.at("LIBRARY_PATH"), "/state/builds/b-1/libjulia:/opt/lib");
  EXPECT_EQ(c.env.at("LD_LIBRARY_PATH"), "/state/builds/b-1/libjulia:/usr/local/lib:/opt/x");
  EXPECT_EQ(c.env.count("JULIA_CC"), 0u);

  // An official tarball has libjulia.so (and libjulia-internal.so): nothing to add.
  r.julia = testing::officialLinuxJulia("1.10.4", {"libjulia-internal.so", "libjulia-internal.so.1", "libjulia.so",
                                                   "libjulia.so.1"});
  c = packageCompilerCommand(r, BuildPaths::forRequest(r), "/srv/scripts", {}, InheritedLibraryPaths{"/a", "/b"});
  EXPECT_EQ(c.env, (std::map<std::string, std::string>{{"TMPDIR", "/state/builds/b-1/tmp"}}));
}

TEST(BuildPlan, PackageCompilerForTheDefaultEnvironmentNamesItsDirectory) {
  auto r = projectRequest();
  r.backend = Backend::PackageCompiler;
  r.defaultEnvironment = true;
  r.packages.clear();
  r.statementFiles.clear();
  r.executionFiles.clear();
  auto c = packageCompilerCommand(r, BuildPaths::forRequest(r), "/srv/scripts");
  EXPECT_THAT(c.args, ElementsAre("--startup-file=no", "--history-file=no", "--project=/root/.julia/environments/v1.5",
                                  "/srv/scripts/packagecompiler_build.jl", "--sysimage-path",
                                  "/state/builds/b-1/sysimage.so", "--project", "/root/.julia/environments/v1.5",
                                  "--cpu-target", "native"));
  EXPECT_EQ(c.env.at("TMPDIR"), "/state/builds/b-1/tmp");
  r.julia.depotPath.clear();
  EXPECT_THROW(packageCompilerCommand(r, BuildPaths::forRequest(r), "/srv/scripts"), BuildPlanError);
}

TEST(BuildPlan, DisplayQuotesForTheShell) {
  Command c{"/opt/my julia/bin/julia", {"--project=/a b", "x'y", "plain-arg_1.jl", ""}, {}, {}};
  EXPECT_EQ(c.display(), "'/opt/my julia/bin/julia' '--project=/a b' 'x'\\''y' plain-arg_1.jl ''");
}

TEST(BuildPlan, BackendNames) {
  EXPECT_EQ(toString(Backend::Native), "native");
  EXPECT_EQ(toString(Backend::PackageCompiler), "packagecompiler");
}

}  // namespace
}  // namespace sysimage::julia
