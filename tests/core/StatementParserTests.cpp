// Tests of parseTraceLine(), statementSyntaxError() and classifyStatement(): a table of line shapes,
// then the real trace files in SYSIMAGE_FIXTURES_DIR/traces (see fixtures/SOURCES.md, section B).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "server/core/statement.h"
#include "tests/support/shared_fixtures.h"

namespace sysimage::core {
namespace {

using Kind = ParsedLine::Kind;

struct Row {
  std::string name;
  std::string line;
  Kind kind;
  std::string statement;      // Statement rows
  std::optional<double> ms;   // Statement rows
  bool recompile;             // Statement rows
  std::string errorContains;  // Invalid rows
};

Row ok(std::string name, std::string line, std::string statement, std::optional<double> ms = std::nullopt,
       bool recompile = false) {
  return Row{std::move(name), std::move(line), Kind::Statement, std::move(statement), ms, recompile, ""};
}
Row skip(std::string name, std::string line, Kind kind) {
  return Row{std::move(name), std::move(line), kind, "", std::nullopt, false, ""};
}
Row bad(std::string name, std::string line, std::string errorContains) {
  return Row{std::move(name), std::move(line), Kind::Invalid, "", std::nullopt, false, std::move(errorContains)};
}

const std::vector<Row>& rows() {
  static const std::vector<Row> table = {
      ok("plain", "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})",
         "precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})"),
      ok("surrounding space and CR", "  precompile(Tuple{typeof(Base.sum)})\t\r",
         "precompile(Tuple{typeof(Base.sum)})"),
      ok("timing prefix (1.12)", "#=   34.2 ms =# precompile(Tuple{typeof(Base.rand), Int64})",
         "precompile(Tuple{typeof(Base.rand), Int64})", 34.2),
      ok("timing prefix, tight", "#=2103.2 ms=#precompile(Tuple{typeof(Base.rand)})",
         "precompile(Tuple{typeof(Base.rand)})", 2103.2),
      ok("timing prefix, wide", "#=      0.0   ms   =#    precompile(Tuple{typeof(Base.rand)})",
         "precompile(Tuple{typeof(Base.rand)})", 0.0),
      ok("recompile suffix", "#=   20.8 ms =# precompile(Tuple{typeof(Test.finish), Test.DefaultTestSet}) # recompile",
         "precompile(Tuple{typeof(Test.finish), Test.DefaultTestSet})", 20.8, true),
      ok("recompile suffix, no timing", "precompile(Tuple{typeof(Base.f)})   #recompile",
         "precompile(Tuple{typeof(Base.f)})", std::nullopt, true),
      ok("recompile in yellow", "precompile(Tuple{typeof(Base.f)})\x1b[33m # recompile\x1b[0m",
         "precompile(Tuple{typeof(Base.f)})", std::nullopt, true),
      ok("colour everywhere", "\x1b[90m#=  1.5 ms =#\x1b[0m \x1b[1mprecompile\x1b[22m(Tuple{typeof(Base.f)})",
         "precompile(Tuple{typeof(Base.f)})", 1.5),
      ok("OSC escape", "\x1b]0;title\x07precompile(Tuple{typeof(Base.f)})", "precompile(Tuple{typeof(Base.f)})"),
      ok("other trailing comment dropped", "precompile(Tuple{typeof(Base.f)})   # time: 0.0998",
         "precompile(Tuple{typeof(Base.f)})"),
      ok("inline comment kept", "precompile(Tuple{typeof(Base.sprint),typeof(Base.show),#=Test.=#Fail})",
         "precompile(Tuple{typeof(Base.sprint),typeof(Base.show),#=Test.=#Fail})"),
      ok("nested inline comment", "precompile(Tuple{#= a #= b =# ) =#Int})", "precompile(Tuple{#= a #= b =# ) =#Int})"),
      ok("var string with brackets", "precompile(Tuple{M.var\"#f)(#1\", Int})",
         "precompile(Tuple{M.var\"#f)(#1\", Int})"),
      ok("escaped quote", "precompile(Tuple{Val{Symbol(\"a\\\"}b\")}})", "precompile(Tuple{Val{Symbol(\"a\\\"}b\")}})"),
      ok("char literals", "precompile(Tuple{Val{'s'}, Val{'}'}, Val{'\\''}, Val{'∀'}})",
         "precompile(Tuple{Val{'s'}, Val{'}'}, Val{'\\''}, Val{'∀'}})"),
      ok("non-ASCII operator", "precompile(Tuple{typeof(Base.:(∉)), Symbol, Array{Symbol, 1}})",
         "precompile(Tuple{typeof(Base.:(∉)), Symbol, Array{Symbol, 1}})"),
      ok("tab inside", "precompile(Tuple{typeof(Base.f),\tInt})", "precompile(Tuple{typeof(Base.f),\tInt})"),

      skip("empty", "", Kind::Blank),
      skip("spaces", " \t \r", Kind::Blank),
      skip("comment", "# Jive.runtests", Kind::Comment),
      skip("block comment only", "#= a note =#", Kind::Comment),
      skip("unterminated block comment", "#= start of a long note", Kind::Comment),
      skip("timing then comment", "#= 1.0 ms =# # nothing", Kind::Comment),
      skip("if", "if VERSION >= v\"1.9.0-DEV.1598\" # Core.kwcall", Kind::Other),
      skip("end", "end # if", Kind::Other),
      skip("using", "using Test", Kind::Other),
      skip("SnoopCompile style", "Base.precompile(Tuple{typeof(f)})", Kind::Other),

      bad("unclosed paren", "precompile(Tuple{typeof(Base.f)}", "unclosed '('"),
      bad("unclosed brace", "precompile(Tuple{typeof(Base.f)", "unclosed '{'"),
      bad("mismatched", "precompile(Tuple{typeof(Base.f)))", "expected '}' but found ')'"),
      bad("unterminated string", "precompile(Tuple{M.var\"#f#1, Int})", "unterminated string"),
      bad("unterminated comment", "precompile(Tuple{#= x, Int})", "unterminated #= comment"),
      bad("unterminated char", "precompile(Tuple{Val{'ab}})", "unterminated character literal"),
      bad("comment inside", "precompile(Tuple{Int # oops})", "unclosed '{'"),
      bad("text after", "precompile(Tuple{Int}) junk", "unexpected text"),
      bad("two statements", "precompile(Tuple{Int})precompile(Tuple{Int})", "unexpected text"),
      bad("NUL byte", std::string("precompile(Tuple{\0Int})", 23), "binary data (control byte 0x00"),
      bad("binary garbage",
          "\x7f"
          "ELF\x02\x01\x01",
          "binary data"),
      bad("invalid UTF-8", "precompile(Tuple{typeof(Base.:(\xe2\x88))})", "invalid UTF-8"),
      bad("overlong UTF-8", "precompile(Tuple{\xc0\xafInt})", "invalid UTF-8"),
      bad("timing without statement", "#= 12.0 ms =# println(1)", "timing prefix without"),
      bad("cut by a dying Julia", "#=   34.2 ms =# precompile(Tuple{typeof(Core.kwcall), NamedTuple{(:targets,",
          "unclosed '('"),
      bad("over 1 MiB", "precompile(Tuple{" + std::string(kMaxTraceLineBytes, 'A') + "})", "longer than 1 MiB"),
  };
  return table;
}

TEST(StatementParserTests, TableOfLineShapes) {
  for (const Row& row : rows()) {
    SCOPED_TRACE(row.name);
    const ParsedLine parsed = parseTraceLine(row.line);
    EXPECT_EQ(parsed.kind, row.kind) << parsed.error;
    if (row.kind == Kind::Statement) {
      EXPECT_EQ(parsed.statement, row.statement);
      EXPECT_EQ(parsed.compileMs.has_value(), row.ms.has_value());
      if (parsed.compileMs && row.ms) {
        EXPECT_DOUBLE_EQ(*parsed.compileMs, *row.ms);
      }
      EXPECT_EQ(parsed.recompile, row.recompile);
      EXPECT_EQ(statementSyntaxError(parsed.statement), "");
    } else {
      EXPECT_TRUE(parsed.statement.empty());
    }
    if (row.kind == Kind::Invalid) {
      EXPECT_NE(parsed.error.find(row.errorContains), std::string::npos) << parsed.error;
    }
  }
}

TEST(StatementParserTests, LineOfExactlyTheLimitIsAccepted) {
  const std::string prefix = "precompile(Tuple{", suffix = "})";
  const std::string line = prefix + std::string(kMaxTraceLineBytes - prefix.size() - suffix.size(), 'A') + suffix;
  ASSERT_EQ(line.size(), kMaxTraceLineBytes);
  EXPECT_EQ(parseTraceLine(line).kind, Kind::Statement);
}

TEST(StatementParserTests, SyntaxErrorOfStoredStatements) {
  EXPECT_EQ(statementSyntaxError("precompile(Tuple{Int})"), "");
  EXPECT_NE(statementSyntaxError("precompile(Tuple{Int}) # recompile"), "");  // keys carry no suffix
  EXPECT_NE(statementSyntaxError("precompile(Tuple{Int}"), "");
  EXPECT_NE(statementSyntaxError("println(1)"), "");
  EXPECT_NE(statementSyntaxError("precompile(Tuple{Int})\n"), "");
  // Deep nesting (past the lexer's inline bracket stack).
  std::string deep = "precompile(Tuple{";
  for (int i = 0; i < 40; ++i) deep += "Array{";
  deep += "Int";
  for (int i = 0; i < 40; ++i) deep += ", 1}";
  EXPECT_EQ(statementSyntaxError(deep + "})"), "");
  EXPECT_EQ(statementSyntaxError(deep + "}"), "unclosed '(' at column 11");
  EXPECT_EQ(statementSyntaxError(deep.substr(0, deep.size() - 4) + "})"),
            "expected '}' but found ')' at column " + std::to_string(deep.size() - 2));
  // Every proper prefix of a statement is invalid: that is how the store spots a cut record.
  const std::string statement = "precompile(Tuple{typeof(Base.:(∉)), M.var\"#f#1\"{'}'}, Symbol})";
  for (std::size_t n = 0; n < statement.size(); ++n)
    EXPECT_NE(statementSyntaxError(statement.substr(0, n)), "") << statement.substr(0, n);
}

struct FlagRow {
  const char* statement;
  bool excluded;
  bool nonPortable;
};

TEST(StatementParserTests, ClassifiesReplayPolicy) {
  const FlagRow table[] = {
      {"precompile(Tuple{typeof(Base.sum), Array{Int64, 1}})", false, false},
      {"precompile(Tuple{typeof(Main.main)})", true, false},
      {"precompile(Tuple{typeof(Main.var\"#f#1\"), Int})", true, true},
      {"precompile(Tuple{getfield(Main, Symbol(\"#3#4\")), Int})", true, true},  // Julia < 1.5
      {"precompile(Tuple{typeof(Base.:(var\"#f#1\"))})", false, true},
      {"precompile(Tuple{ArgParse.var\"#24#26\", Any})", false, true},
      {"precompile(Tuple{ArgParse.var\"#show_help##kw\", Any})", false, true},
      {"precompile(Tuple{ArgParse.var\"##parse_args#60\", Bool})", false, true},
      {"precompile(Tuple{Val{Symbol(\"#x\")}})", false, true},
      // A where-bound type variable is renamed freely; a macro's function type is stable.
      {"precompile(Tuple{Type{Union{Array{var\"#s4\", 1} where var\"#s4\"<:AbstractString}}, String})", false, false},
      {"precompile(Tuple{Array{var\"#s4\", 1} where {var\"#s4\"<:Real}})", false, false},
      {"precompile(Tuple{ArgParse.var\"#@add_arg_table!\", LineNumberNode, Module})", false, false},
      // `Main` inside strings, comments or longer names does not count.
      {"precompile(Tuple{Val{Symbol(\"Main.x\")}, MainModule.T, My.Main_})", false, false},
      {"precompile(Tuple{#=Main.=#Int})", false, false},
      {"precompile(Tuple{M.var\"f#1\"})", false, false},
  };
  for (const FlagRow& row : table) {
    SCOPED_TRACE(row.statement);
    ASSERT_EQ(statementSyntaxError(row.statement), "");
    const StatementFlags flags = classifyStatement(row.statement);
    EXPECT_EQ(flags.excluded, row.excluded);
    EXPECT_EQ(flags.nonPortable, row.nonPortable);
    EXPECT_EQ(flags.reason, row.excluded ? "refers to Main" : row.nonPortable ? "generated name" : "");
  }
}

// Parses a whole fixture file the way an ingestion does.
struct FixtureSummary {
  TraceLineCounts counts;
  std::vector<std::string> unique;  // first-seen order
  std::size_t timed = 0, recompile = 0, excluded = 0, nonPortable = 0;
  std::vector<std::string> errors;
};

FixtureSummary parseFixture(const std::string& name) {
  std::ifstream in(std::string(SYSIMAGE_FIXTURES_DIR) + "/traces/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  FixtureSummary summary;
  std::set<std::string> seen;
  for (std::string line; std::getline(in, line);) {
    const ParsedLine parsed = parseTraceLine(line);
    summary.counts.add(parsed.kind);
    if (parsed.kind == Kind::Invalid) summary.errors.push_back(parsed.error);
    if (parsed.kind != Kind::Statement) continue;
    summary.timed += parsed.compileMs.has_value();
    summary.recompile += parsed.recompile;
    if (!seen.insert(parsed.statement).second) continue;
    summary.unique.push_back(parsed.statement);
    const StatementFlags flags = classifyStatement(parsed.statement);
    summary.excluded += flags.excluded;
    summary.nonPortable += flags.nonPortable;
  }
  return summary;
}

// Expected numbers were counted with grep/awk on the files (e.g. `grep -c '^#= *[0-9.]* ms =#'`,
// `grep -c 'var"#'` minus the lines whose only such name is a where-bound `var"#s4"` or the macro
// type `var"#@add_arg_table!"`).

TEST(StatementParserTests, FixtureReplaceArgParse) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  // 217 lines, all statements; `var"#…"` closures and keyword sorters, `where var"#s4"`, `∉`.
  const FixtureSummary s = parseFixture("trace_replace_precompile_statements.jl");
  EXPECT_EQ(s.counts.statements, 217u);
  EXPECT_EQ(s.counts.total(), 217u);
  EXPECT_EQ(s.counts.invalid, 0u) << (s.errors.empty() ? "" : s.errors.front());
  EXPECT_EQ(s.unique.size(), 217u);
  EXPECT_EQ(s.excluded, 1u);      // precompile(Tuple{typeof(Main.main)})
  EXPECT_EQ(s.nonPortable, 41u);  // 43 lines name var"#…", 2 of them only stable names
  EXPECT_EQ(s.timed, 0u);
}

TEST(StatementParserTests, FixtureJiveTimingHandEdited) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  // Hand-curated `--trace-compile-timing` output: comments, blank lines, `if VERSION …`/`end`.
  const FixtureSummary s = parseFixture("trace_jive_src_precompile.timing.jl");
  EXPECT_EQ(s.counts.total(), 44u);
  EXPECT_EQ(s.counts.statements, 18u);
  EXPECT_EQ(s.counts.comments, 12u);
  EXPECT_EQ(s.counts.blank, 10u);
  EXPECT_EQ(s.counts.other, 4u);  // 2 × if, 2 × end
  EXPECT_EQ(s.counts.invalid, 0u);
  EXPECT_EQ(s.unique.size(), 18u);
  EXPECT_EQ(s.timed, 18u);
  EXPECT_EQ(s.recompile, 2u);
  EXPECT_EQ(s.excluded, 0u);
  EXPECT_EQ(s.nonPortable, 0u);
  EXPECT_EQ(s.unique.front(), "precompile(Tuple{typeof(Jive.runtests), String})");
}

TEST(StatementParserTests, FixtureCompileTracesMissingFunctions) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  // Statements naming functions and modules that do not exist are still well-formed statements;
  // only replaying them can tell.
  const FixtureSummary s = parseFixture("trace_compiletraces_test_error.jl");
  EXPECT_EQ(s.counts.total(), 3u);
  EXPECT_EQ(s.counts.statements, 3u);
  EXPECT_EQ(s.unique.size(), 3u);
  EXPECT_EQ(s.unique[1], "precompile(Tuple{typeof(Base.doesnotexist), Int64})");
  EXPECT_EQ(s.unique[2], "precompile(Tuple{typeof(Unknown.f), Int64})");
}

TEST(StatementParserTests, FixtureCompileTracesInlineComment) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const FixtureSummary s = parseFixture("trace_compiletraces_test_inline.jl");
  EXPECT_EQ(s.counts.total(), 1u);
  ASSERT_EQ(s.unique.size(), 1u);
  EXPECT_EQ(s.unique[0], "precompile(Tuple{typeof(Base.sprint),typeof(Base.show),#=Test.=#Fail})");
}

TEST(StatementParserTests, FixturePackageCompilerOneLine) {
  SKIP_WITHOUT_SHARED_FIXTURES();
  const FixtureSummary s = parseFixture("trace_packagecompiler_test_precompile_statements.jl");
  EXPECT_EQ(s.counts.total(), 1u);
  ASSERT_EQ(s.unique.size(), 1u);
  EXPECT_EQ(s.unique[0], "precompile(Tuple{typeof(Base.peek), Base.IOStream})");
}

}  // namespace
}  // namespace sysimage::core
