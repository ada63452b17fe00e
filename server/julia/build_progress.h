// Build progress: the progress file of build_sysimage.jl (JSON lines) and the model that turns it,
// PackageCompiler's output and the clock into a never-decreasing percentage with a message.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/julia/packagecompiler_log.h"

namespace sysimage::julia {

/// What a running build reports.
struct BuildProgress {
  std::string phase;    ///< preparing | loading | replaying | executing | compiling | linking
  std::string message;  ///< e.g. "Loading packages (3/12)", "Replaying statements 412/1020", "Compiling native code", "Linking"
  unsigned percentage = 0;  ///< 0-100, never decreasing during one build
  std::size_t statementsOk = 0, statementsFailed = 0, statementsTotal = 0;
  bool operator==(const BuildProgress&) const = default;
};

/// One line of the progress file (format: server/julia/scripts/README.md, "Progress file"), written
/// by prepare.jl (phase preparing/instantiating, precompile, prepared) and build_sysimage.jl (phase
/// loading/replaying/finishing, package, statement, done); both may write `error`. Execute events
/// are made by BuildJob while the execution files run.
struct ProgressEvent {
  enum class Kind { Phase, Precompile, Prepared, Package, Statement, Execute, Done, Error };
  Kind kind = Kind::Phase;
  std::string phase;  ///< Phase: preparing | instantiating | loading | replaying | finishing
  std::string name;   ///< Precompile, Package: the package; Execute: the file's path
  std::size_t index = 0, total = 0;  ///< Precompile, Package, Statement, Execute; Prepared: total = packages
  std::size_t ok = 0, failed = 0;    ///< Statement, Done: statement counts
  bool success = true;            ///< Precompile, Package, Execute: the line's "ok"
  std::string message;            ///< Error: "message"; failed Precompile/Package/Execute: "error"
  bool operator==(const ProgressEvent&) const = default;
};

/// Parses one line; nullopt for anything that is not a JSON object with a known "event" and the
/// fields it needs (garbage, a cut-off line, an unknown event).
std::optional<ProgressEvent> parseProgressLine(std::string_view line);

/// Splits appended bytes of the progress file into lines. A last line without '\n' is kept until
/// its end arrives (the script flushes whole lines, but a read can still land mid-line).
class ProgressLineReader {
 public:
  /// Events of the complete lines in `bytes` (plus what was kept from before). Bad lines are
  /// skipped and counted.
  std::vector<ProgressEvent> feed(std::string_view bytes);
  std::size_t badLines() const { return badLines_; }
  /// The last bad line (for the log).
  const std::string& lastBadLine() const { return lastBad_; }

 private:
  std::string partial_;
  std::size_t badLines_ = 0;
  std::string lastBad_;
};

/// Reads what was appended to a file since the previous call (the progress file while the script
/// writes it). A file that does not exist yet reads as nothing; a file that shrank is read again
/// from the start.
class AppendedFileReader {
 public:
  explicit AppendedFileReader(std::filesystem::path path) : path_(std::move(path)) {}
  std::string readNew();

 private:
  std::filesystem::path path_;
  std::size_t offset_ = 0;
};

/// Maps events and time to BuildProgress. Percentage bands, in the native backend's order:
/// preparing 0-10 (by packages precompiled), executing 10-15 (by execution files), loading 15-20
/// (by packages), replaying 20-35 (by statements), compiling 35-97 (by time), linking 97-99; the
/// model never lowers the percentage. Compiling has no progress information (Julia writes the object
/// after the script's `done`, ~93% of a native build): its share grows with time along
/// 0.9·t/T up to t = T, then creeps towards (never reaching) the end of the band, where T is the
/// expected compile time: `expectedSeconds` (the caller's learned duration of the whole build)
/// minus the time already spent when compiling began, at least 5 s; 90 s without an estimate
/// (a small image took ~100 s on a 2-core VM).
class BuildProgressModel {
 public:
  explicit BuildProgressModel(std::optional<double> expectedSeconds = std::nullopt);

  /// Moves to `phase` with `message` (no-op for the same phase and message). `elapsed`: seconds
  /// since the build started. Returns whether current() changed.
  bool enter(std::string_view phase, std::string message, double elapsed);
  /// Applies a progress-file event (native backend). Returns whether current() changed.
  bool apply(const ProgressEvent& event, double elapsed);
  /// Applies a PackageCompiler output event. Returns whether current() changed. A StatementFailed
  /// event counts one failed statement: statementsOk becomes statementsTotal minus the failures.
  bool apply(const PackageCompilerEvent& event, double elapsed);
  /// PackageCompiler backend: the number of statements it will replay (it reports failures only),
  /// so that statementsOk = total - failed. Returns whether current() changed.
  bool expectStatements(std::size_t total);
  /// Advances the time-based estimate (call every 100-200 ms). Returns whether current() changed.
  bool tick(double elapsed);

  const BuildProgress& current() const { return progress_; }
  /// The `error` event's message, if the script sent one.
  const std::optional<std::string>& scriptError() const { return scriptError_; }
  /// Whether the script's `done` event arrived.
  bool scriptDone() const { return done_; }
  /// The compile-phase fraction for `t` seconds into a phase expected to take `expected` seconds.
  static double compileFraction(double t, double expected);

 private:
  bool setPercent(double band0, double band1, double fraction);
  bool update(BuildProgress next);

  std::optional<double> expectedSeconds_;
  BuildProgress progress_;
  std::optional<double> compileStart_;
  std::optional<std::string> scriptError_;
  bool done_ = false;
};

}  // namespace sysimage::julia
