// The build log: every step's stdout and stderr written to <workDir>/build.log as they arrive, and
// the last lines kept in memory for the build's outcome.
#pragma once

#include <cstddef>
#include <deque>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sysimage::julia {

/// The last lines of a process's output, as a person would read them on a terminal: ANSI escape
/// sequences removed, a spinner line redrawn with '\r' or ESC[2K kept as its last drawing, blank
/// lines skipped, each line cut at 1000 bytes.
class LogTail {
 public:
  explicit LogTail(std::size_t maxLines = 50) : maxLines_(maxLines) {}
  /// Adds output of `stream` (0 stdout, 1 stderr, 2 notes of the server); partial lines are kept
  /// per stream until their '\n' arrives.
  void add(int stream, std::string_view chunk);
  /// The complete lines, oldest first, then the unfinished lines of each stream; at most maxLines.
  std::vector<std::string> lines() const;

 private:
  void push(std::string_view raw);
  std::size_t maxLines_;
  std::deque<std::string> lines_;
  std::string partial_[3];
};

/// Writes build.log and keeps its tail.
class BuildLog {
 public:
  BuildLog() = default;
  /// Creates or truncates `path`. Errors: std::system_error (errno of open(2)).
  void open(const std::filesystem::path& path);
  /// Appends process output (stream 0 stdout, 1 stderr).
  void write(int stream, std::string_view chunk);
  /// Appends a line of the server's own (e.g. "$ julia …", "exit status 1"), prefixed with "# ".
  void note(std::string_view line);
  /// errno of the first failed write (e.g. ENOSPC), 0 when all writes succeeded.
  int writeError() const { return writeError_; }
  std::vector<std::string> tail() const { return tail_.lines(); }
  /// All output of the current step (stdout and stderr as they interleaved), for failure analysis.
  const std::string& stepOutput() const { return stepOutput_; }
  void beginStep() { stepOutput_.clear(); }

  ~BuildLog();
  BuildLog(const BuildLog&) = delete;
  BuildLog& operator=(const BuildLog&) = delete;

 private:
  void append(std::string_view bytes);
  int fd_ = -1;
  int writeError_ = 0;
  bool atLineStart_ = true;
  LogTail tail_;
  std::string stepOutput_;  ///< capped at 4 MiB (the first bytes are dropped)
};

}  // namespace sysimage::julia
