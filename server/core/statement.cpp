// Parsing, validation and classification of the precompile statements in `--trace-compile` trace files.
#include "server/core/statement.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_set>
#include <vector>

namespace sysimage::core {
namespace {

constexpr std::string_view kPrecompileCall = "precompile(";

constexpr bool isSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && isSpace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Identifier bytes as far as this scanner cares: Julia identifiers may hold any non-ASCII letter,
// and numbers are lexed like identifiers, which is harmless here.
constexpr bool identByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '!' ||
         c >= 0x80;
}

// Byte classes looked up per byte by the lexer: 1 white space, 2 identifier.
constexpr std::array<std::uint8_t, 256> kByteClass = [] {
  std::array<std::uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    if (isSpace(static_cast<unsigned char>(c))) table[c] = 1;
    if (identByte(static_cast<unsigned char>(c))) table[c] = 2;
  }
  return table;
}();
bool isIdentByte(unsigned char c) { return kByteClass[c] == 2; }

std::string column(std::size_t index) { return std::to_string(index + 1); }

// Removes ANSI escape sequences (ECMA-48): CSI `ESC [ … final`, OSC `ESC ] … BEL|ESC \`, and
// two-byte `ESC x`. Julia colours the ` # recompile` suffix when tracing to a terminal.
std::string stripAnsi(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '\x1b') {
      out.push_back(s[i++]);
      continue;
    }
    if (i + 1 >= s.size()) break;
    const char kind = s[i + 1];
    std::size_t j = i + 2;
    if (kind == '[') {
      while (j < s.size() && !(s[j] >= 0x40 && s[j] <= 0x7e)) ++j;
      i = j < s.size() ? j + 1 : j;
    } else if (kind == ']') {
      while (j < s.size() && s[j] != '\a' && !(s[j] == '\x1b' && j + 1 < s.size() && s[j + 1] == '\\')) ++j;
      i = j >= s.size() ? j : (s[j] == '\a' ? j + 1 : j + 2);
    } else {
      i += 2;
    }
  }
  return out;
}

// Empty when `s` is printable UTF-8 (tabs allowed), else why not.
std::string textError(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", c);
        return std::string("binary data (control byte ") + hex + " at column " + column(i) + ")";
      }
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte (no overlongs/surrogates)
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    }
    bool ok = len != 0 && i + len <= s.size() && p[i + 1] >= lo && p[i + 1] <= hi;
    for (std::size_t k = 2; ok && k < len; ++k) ok = p[i + k] >= 0x80 && p[i + k] <= 0xbf;
    if (!ok) return "invalid UTF-8 at column " + column(i);
    i += len;
  }
  return {};
}

// A tokenizer for the small part of Julia's surface syntax that `jl_static_show` prints in a
// precompile statement: identifiers, string and character literals, comments and punctuation.
struct Token {
  enum class Kind { End, Space, Ident, String, Char, BlockComment, LineComment, Punct, Error };
  Kind kind = Kind::End;
  std::size_t begin = 0;
  std::size_t end = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Token next() {
    Token t;
    t.begin = i_;
    if (i_ >= s_.size()) return t;
    const auto c = static_cast<unsigned char>(s_[i_]);
    if (kByteClass[c] == 1) {
      while (i_ < s_.size() && kByteClass[static_cast<unsigned char>(s_[i_])] == 1) ++i_;
      return finish(t, Token::Kind::Space);
    }
    if (isIdentByte(c)) {
      while (i_ < s_.size() && isIdentByte(static_cast<unsigned char>(s_[i_]))) ++i_;
      return finish(t, Token::Kind::Ident);
    }
    if (c == '"') return string(t);
    if (c == '#') return comment(t);
    if (c == '\'' && !adjointPosition()) return character(t);
    ++i_;
    return finish(t, Token::Kind::Punct);
  }

  // After an Error token: why.
  const std::string& error() const { return error_; }

 private:
  Token finish(Token& t, Token::Kind kind) {
    t.kind = kind;
    t.end = i_;
    if (kind != Token::Kind::Space && kind != Token::Kind::BlockComment) {
      prevKind_ = kind;
      prevByte_ = static_cast<unsigned char>(s_[i_ - 1]);
    }
    return t;
  }

  Token fail(Token& t, std::string message) {
    t.kind = Token::Kind::Error;
    error_ = std::move(message);
    t.end = i_ = s_.size();
    return t;
  }

  // `'` right after a value is the adjoint operator (`A'`), otherwise it opens a character literal.
  bool adjointPosition() const {
    if (prevKind_ == Token::Kind::Ident || prevKind_ == Token::Kind::String || prevKind_ == Token::Kind::Char)
      return true;
    return prevKind_ == Token::Kind::Punct &&
           (prevByte_ == ')' || prevByte_ == ']' || prevByte_ == '}' || prevByte_ == '\'');
  }

  Token string(Token& t) {
    const bool triple = s_.substr(i_, 3) == "\"\"\"";
    std::size_t j = i_ + (triple ? 3 : 1);
    while (j < s_.size()) {
      if (s_[j] == '\\') {
        j += 2;
        continue;
      }
      if (s_[j] == '"' && (!triple || s_.substr(j, 3) == "\"\"\"")) {
        i_ = j + (triple ? 3 : 1);
        return finish(t, Token::Kind::String);
      }
      ++j;
    }
    return fail(t, "unterminated string literal at column " + column(t.begin));
  }

  Token character(Token& t) {
    std::size_t j = i_ + 1;
    if (j < s_.size() && s_[j] == '\\') {
      // Escapes are short: '\n', '\'', '\x7f', '\u2200', '\U1f600'.
      j += 2;
      while (j < s_.size() && j < i_ + 14 && s_[j] != '\'') ++j;
    } else if (j < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[j]);
      j += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    }
    if (j >= s_.size() || s_[j] != '\'') return fail(t, "unterminated character literal at column " + column(t.begin));
    i_ = j + 1;
    return finish(t, Token::Kind::Char);
  }

  // `#= … =#` comments nest; `#` anything else runs to the end of the line.
  Token comment(Token& t) {
    if (i_ + 1 >= s_.size() || s_[i_ + 1] != '=') {
      i_ = s_.size();
      return finish(t, Token::Kind::LineComment);
    }
    int depth = 0;
    std::size_t j = i_;
    while (j + 1 < s_.size()) {
      if (s_[j] == '#' && s_[j + 1] == '=') {
        ++depth;
        j += 2;
      } else if (s_[j] == '=' && s_[j + 1] == '#') {
        j += 2;
        if (--depth == 0) {
          i_ = j;
          return finish(t, Token::Kind::BlockComment);
        }
      } else {
        ++j;
      }
    }
    return fail(t, "unterminated #= comment at column " + column(t.begin));
  }

  std::string_view s_;
  std::string error_;
  std::size_t i_ = 0;
  Token::Kind prevKind_ = Token::Kind::End;
  unsigned char prevByte_ = 0;
};

char closerOf(char opener) { return opener == '(' ? ')' : opener == '[' ? ']' : '}'; }

// Scans `precompile(` … `)` at the start of `s`. Returns the index just past the closing ')' or
// npos with `error` set.
std::size_t scanCall(std::string_view s, std::string& error) {
  // Open brackets and where they opened; nesting is shallow in practice, so the first levels need
  // no allocation.
  struct Open {
    char bracket;
    std::size_t at;
  };
  std::array<Open, 32> shallow;
  std::vector<Open> deep;
  std::size_t depth = 0;
  const auto top = [&]() -> Open& { return depth <= shallow.size() ? shallow[depth - 1] : deep.back(); };
  Lexer lexer(s);
  for (Token t = lexer.next(); t.kind != Token::Kind::End; t = lexer.next()) {
    if (t.kind == Token::Kind::Error) {
      error = lexer.error();
      return std::string_view::npos;
    }
    if (t.kind == Token::Kind::LineComment) {
      error = std::string("unclosed '") + top().bracket + "' at column " + column(top().at) +
              " (a # comment starts at column " + column(t.begin) + ")";
      return std::string_view::npos;
    }
    if (t.kind != Token::Kind::Punct) continue;
    const char c = s[t.begin];
    if (c == '(' || c == '[' || c == '{') {
      if (depth < shallow.size()) {
        shallow[depth] = Open{c, t.begin};
      } else {
        deep.push_back(Open{c, t.begin});
      }
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      if (depth == 0) {
        error = std::string("unmatched '") + c + "' at column " + column(t.begin);
        return std::string_view::npos;
      }
      if (closerOf(top().bracket) != c) {
        error = std::string("expected '") + closerOf(top().bracket) + "' but found '" + c + "' at column " +
                column(t.begin);
        return std::string_view::npos;
      }
      if (depth > shallow.size()) deep.pop_back();
      if (--depth == 0) return t.end;
    }
  }
  if (depth == 0) {
    error = "empty statement";
  } else {
    error = std::string("unclosed '") + top().bracket + "' at column " + column(top().at);
  }
  return std::string_view::npos;
}

// "  12.3 ms " (the inside of a `#= … =#` timing prefix) to 12.3.
std::optional<double> parseTiming(std::string_view body) {
  body = trim(body);
  if (!body.ends_with("ms")) return std::nullopt;
  body = trim(body.substr(0, body.size() - 2));
  double value = 0;
  const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec != std::errc() || ptr != body.data() + body.size() || !std::isfinite(value) || value < 0) return std::nullopt;
  return value;
}

ParsedLine invalid(std::string error) {
  ParsedLine out;
  out.kind = ParsedLine::Kind::Invalid;
  out.error = std::move(error);
  return out;
}

// What may follow the statement: white space, `#= … =#` comments and one `# …` comment, of which
// `# recompile` is the only one with a meaning. Returns false if anything else follows.
bool parseTail(std::string_view tail, std::size_t offset, ParsedLine& out) {
  Lexer lexer(tail);
  for (Token t = lexer.next(); t.kind != Token::Kind::End; t = lexer.next()) {
    if (t.kind == Token::Kind::Space || t.kind == Token::Kind::BlockComment) continue;
    if (t.kind == Token::Kind::LineComment) {
      if (trim(tail.substr(t.begin + 1)) == "recompile") out.recompile = true;
      return true;
    }
    out.error = t.kind == Token::Kind::Error
                    ? lexer.error()
                    : "unexpected text after the statement at column " + column(offset + t.begin);
    return false;
  }
  return true;
}

}  // namespace

ParsedLine parseTraceLine(std::string_view raw) {
  if (raw.size() > kMaxTraceLineBytes) return invalid("line longer than 1 MiB");
  std::string cleaned;
  std::string_view line = raw;
  if (std::memchr(raw.data(), '\x1b', raw.size()) != nullptr) {
    cleaned = stripAnsi(raw);
    line = cleaned;
  }
  line = trim(line);
  ParsedLine out;
  if (line.empty()) return out;  // Blank
  if (std::string error = textError(line); !error.empty()) return invalid(std::move(error));

  // Leading `#= … =#` comments: the `--trace-compile-timing` prefix, or a plain comment.
  while (line.starts_with("#=")) {
    Lexer lexer(line);
    const Token t = lexer.next();
    if (t.kind != Token::Kind::BlockComment) break;  // unterminated: the first line of a long comment
    if (auto ms = parseTiming(line.substr(2, t.end - 4))) out.compileMs = ms;
    line = trim(line.substr(t.end));
  }
  if (line.empty() || line.front() == '#') {
    out.kind = ParsedLine::Kind::Comment;
    out.compileMs.reset();
    return out;
  }
  if (!line.starts_with(kPrecompileCall)) {
    if (out.compileMs) return invalid("timing prefix without a precompile statement");
    out.kind = ParsedLine::Kind::Other;
    out.error = "not a precompile statement";
    return out;
  }
  std::string error;
  const std::size_t end = scanCall(line, error);
  if (end == std::string_view::npos) return invalid(std::move(error));
  if (!parseTail(line.substr(end), end, out)) return invalid(std::move(out.error));
  out.kind = ParsedLine::Kind::Statement;
  out.statement.assign(line.substr(0, end));
  return out;
}

std::string statementSyntaxError(std::string_view statement) {
  if (statement.size() > kMaxTraceLineBytes) return "statement longer than 1 MiB";
  if (!statement.starts_with(kPrecompileCall)) return "does not start with precompile(";
  if (std::string error = textError(statement); !error.empty()) return error;
  std::string error;
  const std::size_t end = scanCall(statement, error);
  if (end == std::string_view::npos) return error;
  if (end != statement.size()) return "unexpected text after the statement at column " + column(end);
  return {};
}

StatementFlags classifyStatement(std::string_view s) {
  // Generated names are `var"#…"` and `Symbol("#…")` literals. A `where`-bound type variable
  // (`where var"#s4"<:AbstractString`) is renamed freely by Julia, and a macro's function type
  // (`var"#@m"`) is named after the macro, so neither makes the statement non-portable.
  bool refersToMain = false;
  std::vector<std::string_view> generated;
  std::unordered_set<std::string_view> bound;
  Token prev[3];  // the last three tokens other than white space and comments, newest first
  Lexer lexer(s);
  for (Token t = lexer.next(); t.kind != Token::Kind::End; t = lexer.next()) {
    if (t.kind == Token::Kind::Space || t.kind == Token::Kind::BlockComment) continue;
    if (t.kind == Token::Kind::Error || t.kind == Token::Kind::LineComment) break;
    const std::string_view text = s.substr(t.begin, t.end - t.begin);
    if (t.kind == Token::Kind::Ident && text == "Main") refersToMain = true;
    if (t.kind == Token::Kind::String && text.size() >= 3 && text[1] == '#') {
      const std::string_view name = text.substr(1, text.size() - 2);
      const auto isText = [&](const Token& p, std::string_view want) {
        return p.kind != Token::Kind::End && s.substr(p.begin, p.end - p.begin) == want;
      };
      const bool isVar = isText(prev[0], "var") && prev[0].end == t.begin;
      const bool isSymbol = isText(prev[0], "(") && isText(prev[1], "Symbol");
      if (isVar) {
        if (isText(prev[1], "where") || (isText(prev[1], "{") && isText(prev[2], "where"))) bound.insert(name);
        if (!(name.size() > 1 && name[1] == '@' && name.find('#', 1) == std::string_view::npos))
          generated.push_back(name);
      } else if (isSymbol) {
        generated.push_back(name);
      }
    }
    prev[2] = prev[1];
    prev[1] = prev[0];
    prev[0] = t;
  }
  StatementFlags flags;
  flags.excluded = refersToMain;
  for (const std::string_view name : generated) flags.nonPortable |= !bound.contains(name);
  if (flags.excluded) {
    flags.reason = "refers to Main";
  } else if (flags.nonPortable) {
    flags.reason = "generated name";
  }
  return flags;
}

std::vector<std::string_view> rootModules(std::string_view s) {
  std::vector<std::string_view> roots;
  Token prev[2];  // the last two tokens other than white space and comments, newest first
  const auto isPunct = [&](const Token& t, char c) {
    return t.kind == Token::Kind::Punct && t.end == t.begin + 1 && s[t.begin] == c;
  };
  Lexer lexer(s);
  for (Token t = lexer.next(); t.kind != Token::Kind::End; t = lexer.next()) {
    if (t.kind == Token::Kind::Space || t.kind == Token::Kind::BlockComment) continue;
    if (t.kind == Token::Kind::Error || t.kind == Token::Kind::LineComment) break;
    // `Name.` with nothing qualifying Name (no `.Name`, no `:Name`); numbers (`1.5`) lex as identifiers too.
    if (isPunct(t, '.') && prev[0].kind == Token::Kind::Ident && prev[0].end == t.begin &&
        !(s[prev[0].begin] >= '0' && s[prev[0].begin] <= '9') &&
        !((isPunct(prev[1], '.') || isPunct(prev[1], ':')) && prev[1].end == prev[0].begin)) {
      roots.push_back(s.substr(prev[0].begin, prev[0].end - prev[0].begin));
    }
    prev[1] = prev[0];
    prev[0] = t;
  }
  std::sort(roots.begin(), roots.end());
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  return roots;
}

void TraceLineCounts::add(ParsedLine::Kind kind) {
  switch (kind) {
    case ParsedLine::Kind::Statement:
      ++statements;
      break;
    case ParsedLine::Kind::Comment:
      ++comments;
      break;
    case ParsedLine::Kind::Blank:
      ++blank;
      break;
    case ParsedLine::Kind::Other:
      ++other;
      break;
    case ParsedLine::Kind::Invalid:
      ++invalid;
      break;
  }
}

}  // namespace sysimage::core
