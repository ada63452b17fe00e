// Parsing, validation and classification of the precompile statements in `--trace-compile` trace files.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sysimage::core {

/// Longest trace line accepted, in bytes (without the newline). Longer lines are skipped and counted.
inline constexpr std::size_t kMaxTraceLineBytes = std::size_t{1} << 20;

/// One line of a trace file, parsed.
///
/// Line formats accepted (`--trace-compile`, Julia 1.5–1.13, see src/gf.c `record_precompile_statement`):
///   precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})
///   #=   12.3 ms =# precompile(Tuple{…})                 (`--trace-compile-timing`, Julia ≥ 1.12)
///   precompile(Tuple{…}) # recompile                     (Julia ≥ 1.12; yellow on a colour terminal)
/// ANSI escape sequences anywhere in the line are removed, so are surrounding white space and a
/// trailing '\r'. Hand-edited statement files (comments, `if VERSION …`/`end` blocks) parse too:
/// those lines come back as Comment or Other.
struct ParsedLine {
  enum class Kind {
    Statement,  ///< a valid `precompile(…)` call; `statement` holds the dedupe key
    Comment,    ///< `# …` or a line made only of `#= … =#` comments
    Blank,      ///< empty or white space only
    Other,      ///< readable text that is not a precompile statement (`if …`, `end`, `using …`)
    Invalid,    ///< a malformed statement, binary data, invalid UTF-8 or a line over kMaxTraceLineBytes
  };
  Kind kind = Kind::Blank;
  /// Statement only: the statement without timing prefix, recompile suffix, trailing comment,
  /// escape codes and surrounding white space. This is the dedupe key.
  std::string statement;
  /// Compile time from the `#= 12.3 ms =#` prefix, in milliseconds.
  std::optional<double> compileMs;
  /// The line carried the ` # recompile` suffix.
  bool recompile = false;
  /// Invalid and Other only: why the line is not a statement, e.g. "unclosed '{' at column 12".
  std::string error;
};

/// Parses one line of a trace file (without its '\n'). Never throws; see ParsedLine.
ParsedLine parseTraceLine(std::string_view line);

/// Checks the syntax of one statement as ParsedLine::statement holds it: `precompile(` … `)` with
/// balanced (), [] and {}, terminated string literals (`"…"`, `var"…"`, escaped quotes, `"""…"""`),
/// character literals and nested `#= … =#` comments; printable UTF-8 only (tabs allowed).
/// Returns an empty string when valid, else the reason.
std::string statementSyntaxError(std::string_view statement);

/// Replay policy for one statement. Flags are recorded next to the statement; nothing is deleted.
struct StatementFlags {
  /// Cannot be replayed in a fresh process: names module `Main` (`Main.f`, `getfield(Main, …)`).
  bool excluded = false;
  /// Names a compiler-generated identifier (`var"#f#1"`, `var"##kw"`, `Symbol("#3#4")`): closures and
  /// keyword sorters get new numbers when their package changes, so the statement may fail to replay
  /// elsewhere. Kept; a build may leave such statements out. Type variables bound by `where` and macro
  /// function types (`var"#@m"`) are stable names and do not count.
  bool nonPortable = false;
  /// Human-readable reason: "refers to Main", "generated name" or empty. Points to static storage.
  std::string_view reason;

  friend bool operator==(const StatementFlags& a, const StatementFlags& b) {
    return a.excluded == b.excluded && a.nonPortable == b.nonPortable;
  }
};

/// Classifies a valid statement (as ParsedLine::statement holds it). Looks only outside string
/// literals and comments for `Main`.
StatementFlags classifyStatement(std::string_view statement);

/// The top-level modules a statement names, sorted and unique: every identifier outside string
/// literals and comments that a '.' follows and no '.' precedes (`Base.Iterators.Pairs` → Base,
/// `VSCodeServer.JSONRPC.send_notification` → VSCodeServer). `--trace-compile` (Julia 1.5–1.12,
/// `jl_static_show`) qualifies every name outside Core with its module, so Core's names (`Int64`,
/// `Tuple`) are the only unqualified ones. The views point into `statement`.
std::vector<std::string_view> rootModules(std::string_view statement);

/// Running counts of parsed lines by kind.
struct TraceLineCounts {
  std::size_t statements = 0;
  std::size_t comments = 0;
  std::size_t blank = 0;
  std::size_t other = 0;
  std::size_t invalid = 0;

  void add(ParsedLine::Kind kind);
  std::size_t total() const { return statements + comments + blank + other + invalid; }
};

}  // namespace sysimage::core
