// Tests of the cpuTarget setting -> `--cpu-target` value (server/julia/cpu_target.h).
#include "server/julia/cpu_target.h"

#include <gtest/gtest.h>

namespace sysimage::julia {
namespace {

TEST(CpuTarget, NativeIsPassedAsNative) {
  EXPECT_EQ(resolveCpuTarget("native", "x86_64"), "native");
  EXPECT_EQ(resolveCpuTarget("native", "riscv64"), "native");
}

TEST(CpuTarget, PortableIsTheOfficialBinariesTargetOfSeed002) {
  EXPECT_EQ(resolveCpuTarget("portable", "x86_64"), "generic;sandybridge,-xsaveopt,clone_all;haswell,-rdrnd,base(1)");
  EXPECT_EQ(resolveCpuTarget("portable", "aarch64"), "generic;cortex-a57;thunderx2t99;carmel");
  EXPECT_EQ(resolveCpuTarget("portable", "amd64"), kPortableCpuTargetX86_64);
  EXPECT_EQ(resolveCpuTarget("portable", "arm64"), kPortableCpuTargetAarch64);
}

TEST(CpuTarget, PortableOnAnUnknownArchitectureSaysWhatToDo) {
  try {
    resolveCpuTarget("portable", "powerpc64le");
    FAIL() << "no error";
  } catch (const CpuTargetError& e) {
    EXPECT_STREQ(e.what(),
                 "no portable CPU target is known for the architecture \"powerpc64le\"; set cpuTarget to \"generic\" "
                 "or to a Julia --cpu-target string");
  }
}

TEST(CpuTarget, CustomStringsPassUnchanged) {
  for (const char* t : {"generic", "haswell", "generic;haswell,clone_all", "skylake-avx512,+avx512f,-rdrnd",
                        "armv8.2-a,crypto", "x86-64-v3", "sandybridge,-xsaveopt,clone_all;haswell,-rdrnd,base(1)",
                        "apple-m1", "sysimage"}) {
    EXPECT_EQ(resolveCpuTarget(t, "x86_64"), t) << t;
  }
}

struct BadTarget {
  const char* setting;
  const char* message;
};

TEST(CpuTarget, GarbageIsRejectedWithTheProblemNamed) {
  const BadTarget rows[] = {
      {"", "the CPU target is empty (use \"native\", \"portable\" or a --cpu-target string)"},
      {"  ", "the CPU target is blank (use \"native\", \"portable\" or a --cpu-target string)"},
      {"generic;;haswell", "invalid CPU target \"generic;;haswell\": empty target between ';'"},
      {"generic;", "invalid CPU target \"generic;\": empty target between ';'"},
      {";generic", "invalid CPU target \";generic\": empty target between ';'"},
      {"haswell,", "invalid CPU target \"haswell,\": empty feature between ','"},
      {",haswell", "invalid CPU target \",haswell\": empty CPU name"},
      {"native ", "invalid CPU target \"native \": invalid ' ' (expected names like \"haswell\" or features like \"-xsaveopt\")"},
      {"$(rm -rf)", "invalid CPU target \"$(rm -rf)\": invalid '$' (expected names like \"haswell\" or features like \"-xsaveopt\")"},
      {"gen\"eric", "invalid CPU target \"gen\"eric\": invalid '\"' (expected names like \"haswell\" or features like \"-xsaveopt\")"},
      {"a\nb", "invalid CPU target \"a\nb\": invalid control character 0x0a (expected names like \"haswell\" or features like \"-xsaveopt\")"},
      {"haswell,base(x)", "invalid CPU target \"haswell,base(x)\": `base(x)` must be base(<number>)"},
      {"base(1)", "invalid CPU target \"base(1)\": invalid '(' (expected names like \"haswell\" or features like \"-xsaveopt\")"},
  };
  for (const auto& row : rows) {
    try {
      resolveCpuTarget(row.setting, "x86_64");
      ADD_FAILURE() << "accepted: " << row.setting;
    } catch (const CpuTargetError& e) {
      EXPECT_EQ(std::string(e.what()), row.message) << row.setting;
    }
  }
}

TEST(CpuTarget, SysimageIsJulia113sKeyword) {
  const auto v112 = *core::VersionNumber::parse("1.12.1");
  const auto v113rc = *core::VersionNumber::parse("1.13.0-rc1");
  EXPECT_FALSE(supportsSysimageCpuTarget(v112));
  EXPECT_TRUE(supportsSysimageCpuTarget(v113rc));
  EXPECT_EQ(resolveCpuTarget("sysimage", "x86_64", v113rc), "sysimage");
  EXPECT_EQ(resolveCpuTarget("native", "x86_64", v112), "native");
  try {
    resolveCpuTarget("sysimage", "x86_64", v112);
    FAIL();
  } catch (const CpuTargetError& e) {
    EXPECT_STREQ(e.what(), "the CPU target \"sysimage\" needs Julia 1.13 or newer; this is Julia 1.12.1");
  }
}

}  // namespace
}  // namespace sysimage::julia
