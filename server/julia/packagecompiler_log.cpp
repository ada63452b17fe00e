// Parsing PackageCompiler's console output into steps and a failure reason (see packagecompiler_log.h).
#include "server/julia/packagecompiler_log.h"

#include <array>
#include <cctype>

namespace sysimage::julia {
namespace {

using Kind = PackageCompilerEvent::Kind;

// TerminalSpinners.jl frames, then the final marks.
constexpr std::array<std::string_view, 8> kFrames{"⠋", "⠙", "⠸", "⢰", "⣠", "⣄", "⡆", "⠇"};
constexpr std::string_view kSucceeded = "✔";
constexpr std::string_view kFailed = "✖";
constexpr std::string_view kPrefix = "PackageCompiler: ";

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "[01m:07s]" or "[01h:02m:03s]" at the start of `s`: seconds and the length of the bracket.
std::optional<std::pair<int, std::size_t>> spinnerClock(std::string_view s) {
  if (s.empty() || s.front() != '[') return std::nullopt;
  const auto close = s.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  int total = 0, value = 0;
  bool digits = false, any = false;
  for (char c : s.substr(1, close - 1)) {
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      value = value * 10 + (c - '0');
      digits = true;
    } else if ((c == 'h' || c == 'm' || c == 's') && digits) {
      total += value * (c == 'h' ? 3600 : c == 'm' ? 60 : 1);
      value = 0;
      digits = false;
      any = true;
    } else if (c != ':') {
      return std::nullopt;
    }
  }
  if (!any || digits) return std::nullopt;
  return std::make_pair(total, close + 1);
}

// The number in "ProcessSignaled(9)" / "ProcessExited(1)".
std::optional<int> processNumber(std::string_view text, std::string_view what) {
  const auto p = text.find(what);
  if (p == std::string_view::npos) return std::nullopt;
  int n = 0;
  bool digits = false;
  for (char c : text.substr(p + what.size())) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) break;
    n = n * 10 + (c - '0');
    digits = true;
  }
  return digits ? std::optional<int>(n) : std::nullopt;
}

std::optional<std::string> cpuTargetOf(std::string_view command) {
  for (std::string_view flag : {"--cpu-target=", "-C"}) {
    const auto p = command.find(flag);
    if (p == std::string_view::npos || (flag == "-C" && (p == 0 || command[p - 1] != ' '))) continue;
    const auto start = p + flag.size();
    const auto end = command.find_first_of(" `", start);
    return std::string(command.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
  }
  return std::nullopt;
}

}  // namespace

std::string stripAnsi(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\x1b') {
      out += text[i];
      continue;
    }
    if (i + 1 >= text.size()) break;
    if (text[i + 1] == '[') {
      std::size_t j = i + 2;
      while (j < text.size() && text[j] >= 0x30 && text[j] <= 0x3f) ++j;  // parameters
      while (j < text.size() && text[j] >= 0x20 && text[j] <= 0x2f) ++j;  // intermediates
      i = j;  // the final byte (or the end)
    } else {
      ++i;  // two-byte sequence
    }
  }
  return out;
}

std::vector<PackageCompilerEvent> PackageCompilerLogParser::feed(std::string_view chunk) {
  std::vector<PackageCompilerEvent> out;
  buffer_.append(chunk);
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < buffer_.size()) {
    const char c = buffer_[i];
    if (c == '\n' || c == '\r') {
      line(std::string_view(buffer_).substr(start, i - start), out);
      start = ++i;
    } else if (c == '\x1b' && buffer_.compare(i, 4, "\x1b[2K") == 0) {
      line(std::string_view(buffer_).substr(start, i - start), out);
      i += 4;
      start = i;
    } else {
      ++i;
    }
  }
  buffer_.erase(0, start);
  return out;
}

std::vector<PackageCompilerEvent> PackageCompilerLogParser::finish() {
  std::vector<PackageCompilerEvent> out;
  std::string rest;
  rest.swap(buffer_);
  line(rest, out);
  return out;
}

void PackageCompilerLogParser::emit(PackageCompilerEvent e, std::vector<PackageCompilerEvent>& out) {
  if (e.kind == Kind::Step) {
    bool seen = false;
    for (const auto& s : steps_) seen = seen || s == e.text;
    if (!seen) steps_.push_back(e.text);
  }
  if (e.kind == Kind::StatementFailed) ++statementsFailed_;
  events_.push_back(e);
  out.push_back(std::move(e));
}

void PackageCompilerLogParser::line(std::string_view raw, std::vector<PackageCompilerEvent>& out) {
  const std::string clean = stripAnsi(raw);
  std::string_view s = trim(clean);
  if (s.empty()) return;

  // Spinner frame, ✔ or ✖, then an optional clock.
  int mark = -1;
  for (auto f : kFrames) {
    if (startsWith(s, f)) {
      mark = 0;
      s.remove_prefix(f.size());
      break;
    }
  }
  if (mark < 0 && startsWith(s, kSucceeded)) {
    mark = 1;
    s.remove_prefix(kSucceeded.size());
  } else if (mark < 0 && startsWith(s, kFailed)) {
    mark = 2;
    s.remove_prefix(kFailed.size());
  }
  if (mark >= 0) {
    s = trim(s);
    std::optional<int> elapsed;
    if (auto clock = spinnerClock(s)) {
      elapsed = clock->first;
      s = trim(s.substr(clock->second));
    }
    stepLine(s, elapsed, mark, out);
    return;
  }

  if (startsWith(s, "- ") && startsWith(s.substr(2), kPrefix)) return stepLine(s.substr(2), std::nullopt, 0, out);
  if (startsWith(s, kPrefix)) return stepLine(s, std::nullopt, 0, out);
  for (std::string_view info : {"[ Info: ", "┌ Info: "}) {
    if (startsWith(s, info)) {
      auto body = trim(s.substr(info.size()));
      if (startsWith(body, kPrefix)) return stepLine(body, std::nullopt, 0, out);
      if (startsWith(body, "=====")) {  // 1.x: "===== Start precompile execution ====="
        while (!body.empty() && (body.front() == '=' || body.front() == ' ')) body.remove_prefix(1);
        while (!body.empty() && (body.back() == '=' || body.back() == ' ')) body.remove_suffix(1);
        if (!body.empty()) stepLine(body, std::nullopt, 0, out);
      }
      return;
    }
  }
  for (std::string_view debug : {"[ Debug: ", "┌ Debug: "}) {
    if (!startsWith(s, debug)) continue;
    const auto body = trim(s.substr(debug.size()));
    constexpr std::string_view kNotExecuted = "failed to execute ";
    if (startsWith(body, kNotExecuted)) {
      return emit({Kind::StatementFailed, std::string(body.substr(kNotExecuted.size())), {}}, out);
    }
    if (startsWith(body, "zero or multiple modules loaded with name ")) {
      return emit({Kind::StatementFailed, std::string(body), {}}, out);
    }
    return;
  }
  if (startsWith(s, "Precompiling project") || startsWith(s, "Precompiling packages")) {
    return stepLine(s, std::nullopt, 0, out);
  }
  for (std::string_view warning : {"[ Warning: ", "┌ Warning: "}) {
    if (startsWith(s, warning)) return emit({Kind::Warning, std::string(trim(s.substr(warning.size()))), {}}, out);
  }
  for (std::string_view error : {"[ Error: ", "┌ Error: "}) {
    if (startsWith(s, error)) return emit({Kind::Error, std::string(trim(s.substr(error.size()))), {}}, out);
  }
  // Julia's crash report: "signal (22): SIGABRT" or "[84403] signal 6: Abort trap: 6".
  std::string_view sig = s;
  if (startsWith(sig, "[")) {
    const auto close = sig.find("] ");
    if (close != std::string_view::npos) sig = sig.substr(close + 2);
  }
  if (startsWith(sig, "signal (") || (startsWith(sig, "signal ") && sig.size() > 7 &&
                                      std::isdigit(static_cast<unsigned char>(sig[7])) != 0)) {
    return emit({Kind::Signal, std::string(sig), {}}, out);
  }
  if (const auto p = s.find("LLVM ERROR:"); p != std::string_view::npos) {
    return emit({Kind::Error, std::string(s.substr(p)), {}}, out);
  }
  if (startsWith(s, "ERROR: ")) return emit({Kind::Error, std::string(trim(s.substr(7))), {}}, out);
}

void PackageCompilerLogParser::stepLine(std::string_view body, std::optional<int> elapsed, int mark,
                                        std::vector<PackageCompilerEvent>& out) {
  // Output of another process can land on the spinner's line: "…system imageLLVM ERROR: …".
  std::string_view tail;
  if (auto p = body.find("ERROR:"); p != std::string_view::npos && p > 0) {
    if (p >= 5 && body.substr(p - 5, 5) == "LLVM ") p -= 5;
    tail = body.substr(p);
    body = body.substr(0, p);
  }
  body = trim(body);
  if (startsWith(body, kPrefix)) body = trim(body.substr(kPrefix.size()));
  if (!body.empty()) {
    const std::string text(body);
    if (text != current_) emit({Kind::Step, text, elapsed}, out);
    current_ = text;
    if (mark == 1 || mark == 2) {
      emit({mark == 1 ? Kind::StepSucceeded : Kind::StepFailed, text, elapsed}, out);
      current_.clear();
    }
  }
  if (!tail.empty()) line(tail, out);
}

std::optional<std::string> PackageCompilerLogParser::failureReason() const {
  std::optional<std::string> memory;
  std::vector<std::string_view> errors;
  std::optional<std::string_view> signal, failedStep;
  for (const auto& e : events_) {
    if (e.kind == Kind::Warning && startsWith(e.text, "Free system memory dropped to ")) {
      std::string_view v = std::string_view(e.text).substr(30);
      v = v.substr(0, v.find(" during"));
      if (!v.empty() && v.back() == '.') v.remove_suffix(1);
      memory = std::string(v);
    } else if (e.kind == Kind::Error) {
      errors.push_back(e.text);
    } else if (e.kind == Kind::Signal && !signal) {
      signal = e.text;
    } else if (e.kind == Kind::StepFailed && !failedStep) {
      failedStep = e.text;
    }
  }
  auto withMemory = [&](std::string reason) {
    if (memory) reason += "; free system memory dropped to " + *memory + " during the build";
    return reason;
  };
  auto findError = [&](auto pred) -> std::optional<std::string_view> {
    for (auto e : errors) {
      if (pred(e)) return e;
    }
    return std::nullopt;
  };

  if (findError([](std::string_view e) { return contains(e, "LLVM ERROR: out of memory"); })) {
    return "LLVM ran out of memory while compiling the system image (LLVM ERROR: out of memory)";
  }
  if (findError([](std::string_view e) { return contains(e, "ProcessSignaled(9)"); })) {
    std::string r = "the Julia process compiling the system image was killed (signal 9), probably out of memory";
    if (memory) r += ": free system memory dropped to " + *memory + " during the build";
    return r;
  }
  if (auto e = findError([](std::string_view e) { return contains(e, "Unable to find compatible target"); })) {
    std::string r = "Unable to find compatible target in system image: the base sysimage has no code for ";
    std::optional<std::string> target;
    for (auto f : errors) {
      if (!target && contains(f, "failed process")) target = cpuTargetOf(f);
    }
    r += target ? "--cpu-target=" + *target : std::string("the requested CPU target");
    return withMemory(r);
  }
  if (auto e = findError([](std::string_view e) { return startsWith(e, "LLVM ERROR:"); })) {
    std::string r(*e);
    if (signal) r += " (Julia crashed: " + std::string(*signal) + ")";
    return withMemory(r);
  }
  for (auto e : errors) {
    if (auto n = processNumber(e, "ProcessSignaled(")) {
      return withMemory("the Julia process compiling the system image was killed by signal " + std::to_string(*n));
    }
  }
  for (auto e : errors) {
    if (auto n = processNumber(e, "ProcessExited(")) {
      auto detail = findError([](std::string_view f) { return !startsWith(f, "failed process"); });
      std::string r = "the Julia process compiling the system image exited with status " + std::to_string(*n);
      if (detail) r += ": " + std::string(*detail);
      return withMemory(r);
    }
  }
  if (signal) return withMemory("Julia crashed (" + std::string(*signal) + ")");
  if (!errors.empty()) return withMemory(std::string(errors.front()));
  if (failedStep) return withMemory("PackageCompiler failed while " + std::string(*failedStep));
  return std::nullopt;
}

PackageCompilerLog parsePackageCompilerLog(std::string_view text) {
  PackageCompilerLogParser parser;
  parser.feed(text);
  parser.finish();
  return {parser.events(), parser.steps(), parser.failureReason()};
}

}  // namespace sysimage::julia
