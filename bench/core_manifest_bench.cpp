// Benchmarks for the manifest model: parsing and diffing manifests the size of real environments
// (PackageCompiler's bin/Manifest.toml, 240 packages, and a generated 400-package one). Target: parse +
// diff of 400 packages under 5 ms. Figures are printed, not asserted.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "server/core/hash.h"
#include "server/core/image_metadata.h"
#include "server/core/manifest.h"
#include "server/core/manifest_diff.h"
#include "server/core/staleness.h"

namespace {

using namespace sysimage::core;

std::string readFixture(const char* name) {
  std::ifstream in(std::string(SYSIMAGE_FIXTURES_DIR) + "/manifests/" + name, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A format 2.0 manifest with `n` packages shaped like real ones: registry packages with tree hashes and up
// to 6 deps each, every 20th dev'd, every 10th with weakdeps and an extension, every 7th a stdlib.
// `bumped` packages (every 40th, offset by `shift`) get a higher patch version.
std::string generateManifest(int n, int shift) {
  std::string out = "# generated\njulia_version = \"1.11.2\"\nmanifest_format = \"2.0\"\n"
                    "project_hash = \"0123456789abcdef0123456789abcdef01234567\"\n";
  char buf[64];
  const auto name = [](int i) { return "Package" + std::to_string(i); };
  const auto uuid = [&buf](int i) {
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", static_cast<unsigned>(i * 2654435761u), static_cast<unsigned>(i));
    return std::string(buf);
  };
  for (int i = 0; i < n; ++i) {
    out += "\n[[deps." + name(i) + "]]\n";
    if (i > 0) {
      out += "deps = [";
      for (int d = 1; d <= 6 && i - d * 7 >= 0; ++d) out += std::string(d > 1 ? ", " : "") + "\"" + name(i - d * 7) + "\"";
      out += "]\n";
    }
    const bool bumped = (i + shift) % 40 == 0 && shift != 0;
    if (i % 20 == 19) {
      out += "path = \"../dev/" + name(i) + "\"\n";
    } else if (i % 7 != 3) {
      std::snprintf(buf, sizeof buf, "%040x", static_cast<unsigned>(i * 40503u + (bumped ? 1 : 0)));
      out += "git-tree-sha1 = \"" + std::string(buf) + "\"\n";
    }
    out += "uuid = \"" + uuid(i) + "\"\n";
    out += "version = \"1." + std::to_string(i % 13) + "." + std::to_string(bumped ? 4 : 3) + "\"\n";
    if (i % 10 == 5 && i + 1 < n) {
      out += "weakdeps = [\"" + name(i + 1) + "\"]\n\n    [deps." + name(i) + ".extensions]\n    " + name(i) + "Ext = \"" +
             name(i + 1) + "\"\n";
    }
  }
  return out;
}

// Stand-in source hashes for the dev'd packages (unchanged between the image and the current manifest).
DevSourceHashes devHashes(const Manifest& m) {
  DevSourceHashes hashes;
  for (const PackageEntry& p : m.packages) {
    if (p.path) hashes[p.uuid] = hashBytes(p.name);
  }
  return hashes;
}

ImageMetadata imageOf(const Manifest& m) {
  ImageMetadata image;
  image.juliaVersion = "1.11.2";
  image.cpuTarget = "native";
  const DevSourceHashes hashes = devHashes(m);
  for (const PackageEntry& p : m.packages) image.packages.push_back(imagePackageFrom(p, hashes));
  return image;
}

void BM_ParsePackageCompilerBin240(benchmark::State& state) {
  const std::string text = readFixture("packagecompiler_bin_Manifest.toml");
  if (text.empty()) {
    state.SkipWithError("needs the shared fixture collection " SYSIMAGE_FIXTURES_DIR " (not part of the project)");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(parseManifest(text, "Manifest.toml"));
  state.counters["packages"] = static_cast<double>(parseManifest(text, "Manifest.toml").packages.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParsePackageCompilerBin240)->Unit(benchmark::kMillisecond);

void BM_ParseGenerated400(benchmark::State& state) {
  const std::string text = generateManifest(400, 0);
  for (auto _ : state) benchmark::DoNotOptimize(parseManifest(text, "Manifest.toml"));
  state.counters["packages"] = static_cast<double>(parseManifest(text, "Manifest.toml").packages.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseGenerated400)->Unit(benchmark::kMillisecond);

void BM_DiffOnly400(benchmark::State& state) {
  const Manifest before = parseManifest(generateManifest(400, 0), "Manifest.toml");
  const Manifest after = parseManifest(generateManifest(400, 7), "Manifest.toml");
  const ImageMetadata image = imageOf(before);
  const DevSourceHashes hashes = devHashes(after);
  for (auto _ : state) benchmark::DoNotOptimize(diffManifest(after, hashes, image, "1.11.2"));
  state.counters["changes"] = static_cast<double>(diffManifest(after, hashes, image, "1.11.2").changes.size());
}
BENCHMARK(BM_DiffOnly400)->Unit(benchmark::kMicrosecond);

// The target figure: what a Manifest.toml change costs before the editor hears about it.
void BM_ParseAndDiff400(benchmark::State& state) {
  const ImageMetadata image = imageOf(parseManifest(generateManifest(400, 0), "Manifest.toml"));
  const std::string text = generateManifest(400, 7);
  const DevSourceHashes hashes = devHashes(parseManifest(text, "Manifest.toml"));
  for (auto _ : state) {
    const Manifest current = parseManifest(text, "Manifest.toml");
    benchmark::DoNotOptimize(diffManifest(current, hashes, image, "1.11.2"));
  }
}
BENCHMARK(BM_ParseAndDiff400)->Unit(benchmark::kMillisecond);

void BM_ParseAndStaleness400(benchmark::State& state) {
  const ImageMetadata image = imageOf(parseManifest(generateManifest(400, 0), "Manifest.toml"));
  const std::string text = generateManifest(400, 7);
  const DevSourceHashes hashes = devHashes(parseManifest(text, "Manifest.toml"));
  for (auto _ : state) {
    const Manifest current = parseManifest(text, "Manifest.toml");
    StalenessInput in;
    in.devSourceHashes = hashes;
    in.image = &image;
    in.imageFileReadable = true;
    in.juliaVersion = "1.11.2";
    in.cpuTarget = "native";
    in.manifest = &current;
    in.directDeps = {"Package1", "Package2", "Package399"};
    benchmark::DoNotOptimize(assessStaleness(in));
  }
}
BENCHMARK(BM_ParseAndStaleness400)->Unit(benchmark::kMillisecond);

}  // namespace
