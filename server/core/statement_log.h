// On-disk formats of the statement store (statements.log records, build-mark) and the POSIX file
// helpers it needs for appends and set-aside files (atomic replacement and locks: server/platform).
// Internal to server/core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sysimage::core::statement_log {

/// First line of every statements.log: `# sysimage-server statement log v1 <generation>`. The
/// generation (16 random hex digits) is new whenever the file is created or rewritten: inode numbers
/// are reused, so a reader compares it to notice that the file it had read was replaced.
/// Lines starting with '#' elsewhere are ignored.
inline constexpr std::string_view kHeaderPrefix = "# sysimage-server statement log v";
inline constexpr std::string_view kVersion = "1";

/// A header line with a fresh generation, without '\n'.
std::string makeHeader();

/// A parsed header line.
struct Header {
  bool supported = false;  ///< version kVersion; another version means the file is not ours to write
  std::string generation;
};
/// nullopt if `line` is not a header line.
std::optional<Header> parseHeader(std::string_view line);

/// The generation in the first line of `fd`, or nullopt if it has no header (or cannot be read).
std::optional<std::string> readGeneration(int fd);

/// Longest record line accepted: a longest statement, escaped, plus the two leading fields.
inline constexpr std::size_t kMaxRecordBytes = (std::size_t{2} << 20) + 64;

/// Flag letters of the first field.
inline constexpr std::uint8_t kExcluded = 1;
inline constexpr std::uint8_t kNonPortable = 2;

/// One record: `<flags>\t<compile ms>\t<statement>\n`, flags "-", "x" (excluded), "n" (non-portable)
/// or "xn"; compile ms "-" or a decimal number; the statement with '\\', '\t', '\n' and '\r' escaped
/// as `\\`, `\t`, `\n`, `\r`. Appends the encoded line to `out`. The flags column records
/// classifyStatement() at write time for readers of the file; loading classifies again, so newer
/// rules apply to old logs.
void encodeRecord(std::string& out, std::string_view statement, std::uint8_t flags, std::optional<float> compileMs);

/// A decoded record; `statement` is unescaped and passed statementSyntaxError().
struct Record {
  std::string statement;
  std::uint8_t flags = 0;
  std::optional<float> compileMs;
};

/// Decodes one line without its '\n'; nullopt if it is not a well-formed record.
std::optional<Record> decodeRecord(std::string_view line);

/// Contents of the `build-mark` file: how many statements the store held when the last successful
/// build exported them, and an order-independent hash of that statement set.
struct BuildMark {
  std::size_t statements = 0;
  std::uint64_t setHash = 0;
};
std::string encodeBuildMark(const BuildMark& mark);
std::optional<BuildMark> decodeBuildMark(std::string_view text);

/// strerror-style text for errno `err`, prefixed with `what`.
std::string errnoMessage(std::string_view what, int err);

/// Reads `fd` from `offset` to its end with pread, calling `onLine` for every complete line
/// (without '\n'). A line longer than kMaxRecordBytes is passed cut to that length with
/// `overlong` set. Returns the offset just past the last '\n' read, or nullopt on a read error
/// (errno set).
std::optional<std::uint64_t> readLines(int fd, std::uint64_t offset,
                                       const std::function<void(std::string_view line, bool overlong)>& onLine);

/// Writes all of `data` to `fd` (retrying short writes and EINTR). Returns 0 or an errno value.
int writeAll(int fd, std::string_view data);

/// fsync of a directory, so a rename or a new file in it survives a crash. Returns 0 or errno.
int syncDirectory(const std::filesystem::path& dir);

/// Writes `lines` (each then '\n') durably to a new file `<log>.corrupt-<UTC time>` (or with `-2`,
/// `-3`… if taken) next to `log`. Returns its path, or the error and an empty path.
struct SetAside {
  std::filesystem::path path;
  std::string error;
};
SetAside setAside(const std::filesystem::path& log, const std::vector<std::string>& lines);

}  // namespace sysimage::core::statement_log
