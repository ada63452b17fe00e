// Follows one trace file that a Julia process appends to, returning the complete new lines each time
// it is polled. Plain POSIX file I/O: the caller polls when its file watcher reports a change and on
// a slow timer.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "server/core/statement.h"

namespace sysimage::core {

/// Reads a growing trace file (`julia --trace-compile=<path>`) incrementally.
///
/// - A line is returned once its '\n' has been written; a partial last line waits for its end,
///   or for finish() when the Julia process has exited.
/// - Truncation (size below the read offset, or the first bytes or the last bytes read changed: a
///   new Julia process reopened the file with O_TRUNC and wrote again, perhaps past the old offset
///   before this poll) restarts from offset 0. What was read before stays read: the caller's
///   statement store deduplicates what the new process writes again.
/// - Replacement (another inode at the path): the rest of the old file is read, its partial last
///   line returned as a final line, then the new file is read from offset 0.
/// - Deletion: the rest of the old file is read; then polls report `missing` and keep their state
///   until a file appears again (read from 0 then).
/// - Lines longer than maxLineBytes are skipped and counted without being buffered.
/// Bytes are passed through unchanged (binary garbage included); parseTraceLine() judges them.
class TraceFollower {
 public:
  struct Options {
    std::size_t maxLineBytes = kMaxTraceLineBytes;       ///< longer lines are skipped
    std::size_t maxBytesPerPoll = std::size_t{8} << 20;  ///< read at most this much per poll (then `more`)
  };

  struct PollResult {
    std::vector<std::string> lines;  ///< complete lines, without '\n'
    std::size_t skippedLongLines = 0;
    bool truncated = false;  ///< the file shrank or was rewritten: reading restarted at 0
    bool replaced = false;   ///< a different file now has the path: reading restarted at 0
    bool missing = false;    ///< the path does not exist (deleted, or not created yet)
    bool more = false;       ///< maxBytesPerPoll reached; poll again
    std::string error;       ///< an I/O error other than a missing file; state is kept
  };

  explicit TraceFollower(std::filesystem::path path);
  TraceFollower(std::filesystem::path path, Options options);
  ~TraceFollower();
  TraceFollower(const TraceFollower&) = delete;
  TraceFollower& operator=(const TraceFollower&) = delete;

  /// Reads what was appended since the last poll.
  PollResult poll();

  /// Polls, then returns a partial last line as a final line (the writer has exited, perhaps in
  /// the middle of a line; parseTraceLine() rejects an incomplete statement).
  PollResult finish();

  const std::filesystem::path& path() const { return path_; }
  /// Bytes of the current file consumed so far (complete lines, plus a partial line buffered).
  std::uint64_t offset() const { return offset_; }
  /// Bytes of an unfinished line held in memory (at most maxLineBytes).
  std::size_t partialBytes() const { return partial_.size(); }

 private:
  void readAvailable(PollResult& result);
  void endOfFile(PollResult& result);
  void restart();
  void closeFile();

  std::filesystem::path path_;
  Options options_;
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  bool seenFile_ = false;
  std::uint64_t offset_ = 0;
  std::string head_;       // the file's first bytes as read, to notice a rewrite that outgrew offset_
  std::string tail_;       // the last bytes read before offset_, for the same reason
  std::string partial_;    // unfinished line
  bool skipping_ = false;  // inside an overlong line
};

}  // namespace sysimage::core
