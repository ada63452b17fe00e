// Build progress: progress-file lines, appended-file reading and the percentage model.
#include "server/julia/build_progress.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace sysimage::julia {
namespace {

using json = nlohmann::json;

std::optional<std::size_t> count(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer() || it->get<long long>() < 0) return std::nullopt;
  return static_cast<std::size_t>(it->get<long long>());
}

std::optional<std::string> text(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<bool> flag(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

struct Band {
  double from, to;
};

Band bandOf(std::string_view phase) {
  if (phase == "preparing") return {0, 10};
  if (phase == "executing") return {10, 15};
  if (phase == "loading") return {15, 20};
  if (phase == "replaying") return {20, 35};
  if (phase == "compiling") return {35, 97};
  if (phase == "linking") return {97, 99};
  return {0, 0};
}

std::string ratio(std::size_t i, std::size_t n) { return std::to_string(i) + "/" + std::to_string(n); }

double fractionOf(std::size_t i, std::size_t n) { return n == 0 ? 1.0 : static_cast<double>(i) / static_cast<double>(n); }

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

std::optional<ProgressEvent> parseProgressLine(std::string_view line) {
  const json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const auto event = text(j, "event");
  if (!event) return std::nullopt;
  ProgressEvent e;
  if (*event == "phase") {
    auto phase = text(j, "phase");
    if (!phase) return std::nullopt;
    e.kind = ProgressEvent::Kind::Phase;
    e.phase = *phase;
  } else if (*event == "package" || *event == "precompile" || *event == "execute") {
    const bool execute = *event == "execute";
    auto name = text(j, execute ? "path" : "name");
    auto index = count(j, "index"), total = count(j, "total");
    auto ok = flag(j, "ok");
    if (!name || !index || !total || !ok) return std::nullopt;
    e.kind = execute                  ? ProgressEvent::Kind::Execute
             : *event == "precompile" ? ProgressEvent::Kind::Precompile
                                      : ProgressEvent::Kind::Package;
    e.name = *name;
    e.index = *index;
    e.total = *total;
    e.success = *ok;
    e.message = text(j, "error").value_or("");
  } else if (*event == "statement") {
    auto index = count(j, "index"), total = count(j, "total"), ok = count(j, "ok"), failed = count(j, "failed");
    if (!index || !total || !ok || !failed) return std::nullopt;
    e.kind = ProgressEvent::Kind::Statement;
    e.index = *index;
    e.total = *total;
    e.ok = *ok;
    e.failed = *failed;
  } else if (*event == "prepared") {
    auto packages = count(j, "packages");
    if (!packages) return std::nullopt;
    e.kind = ProgressEvent::Kind::Prepared;
    e.total = *packages;
  } else if (*event == "done") {
    auto ok = count(j, "ok"), failed = count(j, "failed");
    if (!ok || !failed) return std::nullopt;
    e.kind = ProgressEvent::Kind::Done;
    e.ok = *ok;
    e.failed = *failed;
  } else if (*event == "error") {
    auto message = text(j, "message");
    if (!message) return std::nullopt;
    e.kind = ProgressEvent::Kind::Error;
    e.message = *message;
  } else {
    return std::nullopt;
  }
  return e;
}

std::vector<ProgressEvent> ProgressLineReader::feed(std::string_view bytes) {
  std::vector<ProgressEvent> events;
  partial_.append(bytes);
  std::size_t start = 0;
  for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line = std::string_view(partial_).substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (auto e = parseProgressLine(line)) {
      events.push_back(std::move(*e));
    } else {
      ++badLines_;
      lastBad_ = std::string(line.substr(0, 500));
    }
  }
  partial_.erase(0, start);
  return events;
}

std::string AppendedFileReader::readNew() {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto end = in.tellg();
  if (end < 0) return {};
  const auto size = static_cast<std::size_t>(end);
  if (size < offset_) offset_ = 0;  // truncated or replaced
  if (size == offset_) return {};
  std::string data(size - offset_, '\0');
  in.seekg(static_cast<std::streamoff>(offset_));
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  offset_ += data.size();
  return data;
}

BuildProgressModel::BuildProgressModel(std::optional<double> expectedSeconds) : expectedSeconds_(expectedSeconds) {
  progress_.phase = "preparing";
  progress_.message = "Preparing the build";
}

double BuildProgressModel::compileFraction(double t, double expected) {
  if (t <= 0 || expected <= 0) return 0;
  if (t <= expected) return 0.9 * t / expected;
  return 0.9 + 0.1 * (1.0 - std::exp(-(t - expected) / expected));
}

bool BuildProgressModel::update(BuildProgress next) {
  next.percentage = std::max(next.percentage, progress_.percentage);
  if (next == progress_) return false;
  progress_ = std::move(next);
  return true;
}

bool BuildProgressModel::setPercent(double band0, double band1, double fraction) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  BuildProgress next = progress_;
  next.percentage = static_cast<unsigned>(std::floor(band0 + (band1 - band0) * fraction));
  return update(std::move(next));
}

bool BuildProgressModel::enter(std::string_view phase, std::string message, double elapsed) {
  if (phase == "compiling" && !compileStart_) compileStart_ = elapsed;
  BuildProgress next = progress_;
  next.phase = std::string(phase);
  next.message = std::move(message);
  next.percentage = static_cast<unsigned>(bandOf(phase).from);
  return update(std::move(next));
}

bool BuildProgressModel::apply(const ProgressEvent& e, double elapsed) {
  using Kind = ProgressEvent::Kind;
  switch (e.kind) {
    case Kind::Phase:
      if (e.phase == "preparing") return enter("preparing", "Checking the environment", elapsed);
      if (e.phase == "instantiating") return enter("preparing", "Installing packages (Pkg.instantiate)", elapsed);
      if (e.phase == "loading") return enter("loading", "Loading packages", elapsed);
      if (e.phase == "replaying") return enter("replaying", "Replaying statements", elapsed);
      if (e.phase == "executing") return enter("executing", "Running execution files", elapsed);
      if (e.phase == "finishing") return enter("compiling", "Compiling native code", elapsed);
      return false;
    case Kind::Precompile: {
      bool changed = enter("preparing", "Precompiling packages (" + ratio(e.index, e.total) + ")", elapsed);
      return setPercent(0, 10, fractionOf(e.index, e.total)) || changed;
    }
    case Kind::Prepared:
      return false;
    case Kind::Package: {
      bool changed = enter("loading", "Loading packages (" + ratio(e.index, e.total) + ")", elapsed);
      return setPercent(15, 20, fractionOf(e.index, e.total)) || changed;
    }
    case Kind::Statement: {
      bool changed = enter("replaying", "Replaying statements " + ratio(e.index, e.total), elapsed);
      BuildProgress next = progress_;
      next.statementsOk = e.ok;
      next.statementsFailed = e.failed;
      next.statementsTotal = e.total;
      changed = update(std::move(next)) || changed;
      return setPercent(20, 35, fractionOf(e.index, e.total)) || changed;
    }
    case Kind::Execute: {
      // Sent when file `index` starts: the files before it are done.
      bool changed = enter("executing", "Running execution files (" + ratio(e.index, e.total) + ")", elapsed);
      return setPercent(10, 15, fractionOf(e.index - std::min<std::size_t>(e.index, 1), e.total)) || changed;
    }
    case Kind::Done: {
      done_ = true;
      BuildProgress next = progress_;
      next.statementsOk = e.ok;
      next.statementsFailed = e.failed;
      next.statementsTotal = std::max(next.statementsTotal, e.ok + e.failed);
      bool changed = update(std::move(next));
      return enter("compiling", "Compiling native code", elapsed) || changed;
    }
    case Kind::Error:
      scriptError_ = e.message;
      return false;
  }
  return false;
}

bool BuildProgressModel::expectStatements(std::size_t total) {
  BuildProgress next = progress_;
  next.statementsTotal = total;
  next.statementsOk = total > next.statementsFailed ? total - next.statementsFailed : 0;
  return update(std::move(next));
}

bool BuildProgressModel::apply(const PackageCompilerEvent& e, double elapsed) {
  using Kind = PackageCompilerEvent::Kind;
  if (e.kind == Kind::StatementFailed) {
    BuildProgress next = progress_;
    ++next.statementsFailed;
    next.statementsOk = next.statementsTotal > next.statementsFailed ? next.statementsTotal - next.statementsFailed : 0;
    return update(std::move(next));
  }
  if (e.kind == Kind::Step) {
    const std::string& t = e.text;
    if (t == "Done" || t == "End precompile execution") return false;
    // PackageCompiler's ensurecompiled: what prepare.jl does for the native backend.
    if (startsWith(t, "Precompiling")) return enter("preparing", t, elapsed);
    const std::string message = "PackageCompiler: " + t;
    if (startsWith(t, "Executing") || t == "Start precompile execution") return enter("executing", message, elapsed);
    if (t.find("compiling") != std::string::npos || startsWith(t, "creating")) {
      return enter("compiling", message, elapsed);
    }
    return enter(progress_.phase, message, elapsed);
  }
  if (e.kind == Kind::StepSucceeded && startsWith(e.text, "compiling") &&
      e.text.size() >= 12 && e.text.compare(e.text.size() - 12, 12, "system image") == 0) {
    return enter("linking", "Linking", elapsed);
  }
  return false;
}

bool BuildProgressModel::tick(double elapsed) {
  if (progress_.phase != "compiling" || !compileStart_) return false;
  const double t = elapsed - *compileStart_;
  const double expected = expectedSeconds_ ? std::max(5.0, *expectedSeconds_ - *compileStart_) : 90.0;
  const auto band = bandOf("compiling");
  return setPercent(band.from, band.to, compileFraction(t, expected));
}

}  // namespace sysimage::julia
