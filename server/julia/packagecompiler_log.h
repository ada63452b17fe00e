// Reading PackageCompiler's console output (create_sysimage) as build steps and failure causes.
//
// Forms understood (PackageCompiler.jl src/PackageCompiler.jl and ext/TerminalSpinners.jl @7fa17bd3…,
// and the captured logs in /work/shared/fixtures/build-logs/, see SOURCES.md section D):
//  - piped / CI form (stream not a TTY, or $CI set): `- PackageCompiler: <msg>` once per step;
//  - terminal spinner: frames `⠋⠙⠸⢰⣠⣄⡆⠇`, ` [%02dm:%02ds]` (or `[%02dh:%02dm:%02ds]`), ` <msg>`, each
//    redraw preceded by ESC[2K (erase line), ESC[1A, ESC[1G; cursor hidden/shown with ESC[?25l/h;
//    the last frame is `✔` (success) or `✖` (failure); other output (e.g. `LLVM ERROR: …`) may
//    land on the same line as a frame;
//  - logging macros: `[ Info: PackageCompiler: <msg>` (also PackageCompiler 1.x: "creating system
//    image object file, this might take a while..."), 1.x's `[ Info: ===== Start precompile
//    execution =====` / `===== End precompile execution =====`, `┌ Warning: Free system memory
//    dropped to …`;
//  - statements the replay skipped, logged at Debug level from an anonymous module (shown when
//    JULIA_DEBUG names `anonymous`, as packagecompiler_build.jl arranges): `┌ Debug: failed to
//    execute <statement>` (1.x; the statement after 1.x's `Vararg{T, N} where N` → `Vararg{T, 100}`
//    rewrite), `┌ Debug: failed to execute <statement>: <exception>` and `┌ Debug: zero or
//    multiple modules loaded with name <name>` (2.x); seen for real with 1.4.0 on Julia 1.5.3:
//    `┌ Debug: failed to execute precompile(Tuple{typeof(FLInsurance.main)})` then
//    `└ @ Main.anonymous none:33`;
//  - failures: `ERROR: failed process: Process(`…`, ProcessSignaled(9))`, `ProcessExited(1)`,
//    `LLVM ERROR: …`, `signal (22): SIGABRT` / `[84403] signal 6: Abort trap: 6`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sysimage::julia {

/// One thing PackageCompiler's output said.
struct PackageCompilerEvent {
  enum class Kind {
    Step,           ///< a step began; text: the message without "PackageCompiler: ", e.g.
                    ///< "compiling incremental system image", "Executing /a.jl => /tmp/x", "Done",
                    ///< "Precompiling project..."
    StepSucceeded,  ///< the spinner of step `text` ended with ✔
    StepFailed,     ///< the spinner of step `text` ended with ✖
    Warning,        ///< first line of a `Warning:` log message, e.g. "Free system memory dropped to 57.281 MiB …"
    Error,          ///< an error line: "LLVM ERROR: …", or an `ERROR: …` line without "ERROR: "
    Signal,         ///< Julia's crash report, e.g. "signal (22): SIGABRT", "signal 6: Abort trap: 6"
    StatementFailed,  ///< a statement the replay skipped; text: the statement (2.x: ": <exception>"
                      ///< follows) or "zero or multiple modules loaded with name X"
  };
  Kind kind = Kind::Step;
  std::string text;
  std::optional<int> elapsedSeconds;  ///< the spinner's clock, when the line had one
  bool operator==(const PackageCompilerEvent&) const = default;
};

/// Removes ANSI escape sequences (CSI `ESC[…<final>` and two-byte `ESC<char>`).
std::string stripAnsi(std::string_view text);

/// Incremental parser: feed() output chunks as they arrive (stdout and stderr of one process may
/// be fed to one parser), finish() at the end. A line is a run of text ended by '\n', '\r' or a
/// spinner redraw (ESC[2K); a spinner frame is reported when the next redraw starts, so about
/// 0.1 s late. Repeated frames of the same step give one Step event.
class PackageCompilerLogParser {
 public:
  std::vector<PackageCompilerEvent> feed(std::string_view chunk);
  /// Parses what is left after the last line break (a log cut off mid-line).
  std::vector<PackageCompilerEvent> finish();

  /// Number of StatementFailed events so far.
  std::size_t statementsFailed() const { return statementsFailed_; }
  /// Distinct step texts in the order they first appeared.
  const std::vector<std::string>& steps() const { return steps_; }
  /// Every event so far.
  const std::vector<PackageCompilerEvent>& events() const { return events_; }
  /// The user-facing cause of a failed build, from the events so far; nullopt when nothing in the
  /// output says why. In order: LLVM out of memory; a compiler process killed by signal 9 ("…
  /// probably out of memory"); "Unable to find compatible target in system image" (with the
  /// --cpu-target of the failed command); another `LLVM ERROR`; a process killed by another signal;
  /// a process exit status (with the first ERROR line); Julia's crash report; the first `ERROR:`
  /// line; a step that ended with ✖. A "Free system memory dropped to X" warning is appended
  /// ("; free system memory dropped to X during the build") unless the cause already says memory.
  std::optional<std::string> failureReason() const;

 private:
  void line(std::string_view raw, std::vector<PackageCompilerEvent>& out);
  void stepLine(std::string_view body, std::optional<int> elapsed, int mark, std::vector<PackageCompilerEvent>& out);
  void emit(PackageCompilerEvent e, std::vector<PackageCompilerEvent>& out);

  std::string buffer_;
  std::string current_;  ///< step of the spinner being drawn
  std::vector<std::string> steps_;
  std::vector<PackageCompilerEvent> events_;
  std::size_t statementsFailed_ = 0;
};

/// The events, steps and failure reason of a whole log.
struct PackageCompilerLog {
  std::vector<PackageCompilerEvent> events;
  std::vector<std::string> steps;
  std::optional<std::string> failureReason;
};
PackageCompilerLog parsePackageCompilerLog(std::string_view text);

}  // namespace sysimage::julia
