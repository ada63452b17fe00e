// Benchmark of statement ingestion: a generated 1 M-line trace (≈120-byte statements, 20 % repeats,
// half with a timing prefix) followed, parsed, deduplicated and appended to a StatementStore.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "server/core/ingest.h"
#include "server/core/statement.h"
#include "server/core/statement_store.h"
#include "server/core/trace_follower.h"

namespace {

namespace fs = std::filesystem;
using namespace sysimage::core;

constexpr std::size_t kLines = 1'000'000;

const char* const kModules[] = {"Base", "Core", "LinearAlgebra", "DataFrames", "CSV", "Plots", "Makie", "JSON3"};
const char* const kTypes[] = {"Int64",
                              "Float64",
                              "String",
                              "Symbol",
                              "Array{Float64, 2}",
                              "Base.Dict{Symbol, Any}",
                              "Vector{String}",
                              "Base.UnitRange{Int64}",
                              "NamedTuple{(:a, :b), Tuple{Int64, String}}"};

std::string makeStatement(std::mt19937& rng, std::size_t id) {
  std::string s = "precompile(Tuple{typeof(";
  s += kModules[rng() % std::size(kModules)];
  s += ".f" + std::to_string(id) + ")";
  const int args = 2 + static_cast<int>(rng() % 4);
  for (int i = 0; i < args; ++i) {
    s += ", ";
    s += kTypes[rng() % std::size(kTypes)];
  }
  if (rng() % 10 == 0) s += ", ArgParse.var\"#24#26\"";
  s += "})";
  return s;
}

struct Trace {
  fs::path dir;
  fs::path file;
  std::size_t uniqueStatements = 0;
  std::size_t uniqueBytes = 0;
  std::size_t fileBytes = 0;
};

// The trace is generated once per process.
const Trace& trace() {
  static const Trace t = [] {
    Trace t;
    std::string pattern = (fs::temp_directory_path() / "statement-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    t.dir = pattern;
    t.file = t.dir / "trace.jl";
    std::mt19937 rng(42);
    std::vector<std::string> seen;
    std::string text;
    for (std::size_t line = 0; line < kLines; ++line) {
      const bool repeat = !seen.empty() && rng() % 5 == 0;
      const std::string statement = repeat ? seen[rng() % seen.size()] : makeStatement(rng, seen.size());
      if (!repeat) {
        seen.push_back(statement);
        t.uniqueBytes += statement.size();
      }
      if (rng() % 2 == 0) {
        char prefix[32];
        std::snprintf(prefix, sizeof prefix, "#= %6.1f ms =# ", static_cast<double>(rng() % 20000) / 10.0);
        text += prefix;
      }
      text += statement;
      text += '\n';
    }
    t.uniqueStatements = seen.size();
    t.fileBytes = text.size();
    std::ofstream(t.file, std::ios::binary) << text;
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(trace().dir, ec);
    });
    return t;
  }();
  return t;
}

// Follow + parse + dedupe + append, flushing (fsync) after every poll of at most 8 MiB.
void BM_IngestTrace(benchmark::State& state) {
  const Trace& t = trace();
  std::size_t run = 0;
  double memoryRatio = 0, heapRatio = 0;
  for (auto _ : state) {
    const fs::path storeDir = t.dir / ("store-" + std::to_string(run++));
    const std::size_t heapBefore = mallinfo2().uordblks;
    {
      StatementStore store(storeDir);
      TraceFollower follower(t.file);
      Ingestor ingestor(follower, store);
      do {
        ingestor.poll();
        if (!store.flush()) state.SkipWithError("flush failed");
      } while (ingestor.lastPoll().more);
      if (ingestor.totals().lines != kLines || store.counts().total != t.uniqueStatements)
        state.SkipWithError("wrong counts");
      memoryRatio = static_cast<double>(store.memoryBytes()) / static_cast<double>(store.uniqueStatementBytes());
      heapRatio = static_cast<double>(mallinfo2().uordblks - heapBefore) / static_cast<double>(t.uniqueBytes);
    }
    state.PauseTiming();
    std::error_code ec;
    fs::remove_all(storeDir, ec);
    state.ResumeTiming();
  }
  state.counters["lines/s"] =
      benchmark::Counter(static_cast<double>(kLines), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB/s"] =
      benchmark::Counter(static_cast<double>(t.fileBytes) / 1e6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["unique"] = static_cast<double>(t.uniqueStatements);
  state.counters["unique_MB"] = static_cast<double>(t.uniqueBytes) / 1e6;
  state.counters["mem/unique"] = memoryRatio;  // StatementStore::memoryBytes() estimate
  state.counters["heap/unique"] = heapRatio;   // malloc'd bytes still held (store + follower), measured
}
BENCHMARK(BM_IngestTrace)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();  // fsync waits count

// Parsing alone, for comparison.
void BM_ParseTraceLine(benchmark::State& state) {
  std::mt19937 rng(7);
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) lines.push_back("#=   12.3 ms =# " + makeStatement(rng, static_cast<std::size_t>(i)));
  std::size_t i = 0;
  for (auto _ : state) {
    ParsedLine parsed = parseTraceLine(lines[i++ % lines.size()]);
    benchmark::DoNotOptimize(parsed);
  }
  state.counters["lines/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseTraceLine);

}  // namespace
