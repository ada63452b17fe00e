// On-disk formats of the statement store (statements.log records, build-mark) and the POSIX file
// helpers it needs for appends and set-aside files.
#include "server/core/statement_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "server/core/hash.h"
#include "server/core/statement.h"
#include "server/core/utc_time.h"

namespace sysimage::core::statement_log {

std::string makeHeader() {
  std::random_device random;
  const std::uint64_t generation = (std::uint64_t{random()} << 32) ^ random() ^ static_cast<std::uint64_t>(::getpid());
  return std::string(kHeaderPrefix) + std::string(kVersion) + " " + hex16(generation);
}

std::optional<Header> parseHeader(std::string_view line) {
  if (!line.starts_with(kHeaderPrefix)) return std::nullopt;
  line.remove_prefix(kHeaderPrefix.size());
  const std::size_t space = line.find(' ');
  Header header;
  header.supported = line.substr(0, space) == kVersion;
  if (space != std::string_view::npos) header.generation = line.substr(space + 1);
  return header;
}

std::optional<std::string> readGeneration(int fd) {
  char buffer[128];
  const ssize_t n = ::pread(fd, buffer, sizeof buffer, 0);
  if (n <= 0) return std::nullopt;
  std::string_view text(buffer, static_cast<std::size_t>(n));
  const std::size_t eol = text.find('\n');
  if (eol == std::string_view::npos) return std::nullopt;
  const auto header = parseHeader(text.substr(0, eol));
  if (!header) return std::nullopt;
  return header->generation;
}

void encodeRecord(std::string& out, std::string_view statement, std::uint8_t flags, std::optional<float> compileMs) {
  if (flags == 0) {
    out += '-';
  } else {
    if (flags & kExcluded) out += 'x';
    if (flags & kNonPortable) out += 'n';
  }
  out += '\t';
  if (compileMs) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, *compileMs);
    out.append(buffer, result.ptr);
  } else {
    out += '-';
  }
  out += '\t';
  for (const char c : statement) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  out += '\n';
}

std::optional<Record> decodeRecord(std::string_view line) {
  const std::size_t tab1 = line.find('\t');
  if (tab1 == std::string_view::npos) return std::nullopt;
  const std::size_t tab2 = line.find('\t', tab1 + 1);
  if (tab2 == std::string_view::npos) return std::nullopt;
  Record record;
  const std::string_view flags = line.substr(0, tab1);
  if (flags == "x") {
    record.flags = kExcluded;
  } else if (flags == "n") {
    record.flags = kNonPortable;
  } else if (flags == "xn") {
    record.flags = kExcluded | kNonPortable;
  } else if (flags != "-") {
    return std::nullopt;
  }
  const std::string_view ms = line.substr(tab1 + 1, tab2 - tab1 - 1);
  if (ms != "-") {
    float value = 0;
    const auto [ptr, ec] = std::from_chars(ms.data(), ms.data() + ms.size(), value);
    if (ec != std::errc() || ptr != ms.data() + ms.size() || !std::isfinite(value) || value < 0) return std::nullopt;
    record.compileMs = value;
  }
  const std::string_view escaped = line.substr(tab2 + 1);
  record.statement.reserve(escaped.size());
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    const char c = escaped[i];
    if (c == '\t') return std::nullopt;
    if (c != '\\') {
      record.statement += c;
      continue;
    }
    if (++i == escaped.size()) return std::nullopt;
    switch (escaped[i]) {
      case '\\':
        record.statement += '\\';
        break;
      case 't':
        record.statement += '\t';
        break;
      case 'n':
        record.statement += '\n';
        break;
      case 'r':
        record.statement += '\r';
        break;
      default:
        return std::nullopt;
    }
  }
  // Also the check that catches a record cut short: any proper prefix of a statement is unbalanced.
  if (!statementSyntaxError(record.statement).empty()) return std::nullopt;
  return record;
}

std::string encodeBuildMark(const BuildMark& mark) {
  return "sysimage-server build-mark v1\nstatements " + std::to_string(mark.statements) + "\nset-hash " +
         hex16(mark.setHash) + "\n";
}

std::optional<BuildMark> decodeBuildMark(std::string_view text) {
  constexpr std::string_view kFirst = "sysimage-server build-mark v1\n";
  if (!text.starts_with(kFirst)) return std::nullopt;
  text.remove_prefix(kFirst.size());
  BuildMark mark;
  bool haveCount = false, haveHash = false;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    if (eol == std::string_view::npos) return std::nullopt;
    const std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, space), value = line.substr(space + 1);
    const char* end = value.data() + value.size();
    if (key == "statements") {
      haveCount = std::from_chars(value.data(), end, mark.statements).ptr == end;
    } else if (key == "set-hash") {
      haveHash = std::from_chars(value.data(), end, mark.setHash, 16).ptr == end;
    }
  }
  if (!haveCount || !haveHash) return std::nullopt;
  return mark;
}

std::string errnoMessage(std::string_view what, int err) { return std::string(what) + ": " + std::strerror(err); }

std::optional<std::uint64_t> readLines(int fd, std::uint64_t offset,
                                       const std::function<void(std::string_view, bool)>& onLine) {
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  std::vector<char> buffer(kChunk);
  std::string partial;    // start of a line continued in the next chunk
  bool skipping = false;  // inside an overlong line already reported
  std::uint64_t position = offset;
  std::uint64_t consumed = offset;
  for (;;) {
    const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(position));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (n == 0) break;
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
    position += static_cast<std::uint64_t>(n);
    std::size_t start = 0;
    for (std::size_t eol; (eol = chunk.find('\n', start)) != std::string_view::npos; start = eol + 1) {
      const std::string_view piece = chunk.substr(start, eol - start);
      consumed = position - chunk.size() + eol + 1;
      if (skipping) {
        skipping = false;
      } else if (partial.empty()) {
        onLine(piece, false);
      } else {
        partial.append(piece);
        onLine(partial, false);
      }
      partial.clear();
    }
    if (skipping) continue;
    partial.append(chunk.substr(start));
    if (partial.size() > kMaxRecordBytes) {
      onLine(std::string_view(partial).substr(0, kMaxRecordBytes), true);
      partial.clear();
      skipping = true;
    }
  }
  return consumed;
}

int writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

int syncDirectory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int rc = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return rc;
}

SetAside setAside(const std::filesystem::path& log, const std::vector<std::string>& lines) {
  const std::string base = log.string() + ".corrupt-" + compactUtcStamp();
  std::filesystem::path path = base;
  int fd = -1;
  for (int n = 2; (fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0 && errno == EEXIST;
       ++n)
    path = base + "-" + std::to_string(n);
  if (fd < 0) return {{}, errnoMessage("cannot create " + path.string(), errno)};
  std::string data;
  for (const std::string& line : lines) data.append(line).push_back('\n');
  int err = writeAll(fd, data);
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  if (err != 0) {
    ::unlink(path.c_str());
    return {{}, errnoMessage("cannot write " + path.string(), err)};
  }
  syncDirectory(log.parent_path());
  return {path, {}};
}

}  // namespace sysimage::core::statement_log
