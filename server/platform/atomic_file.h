// Atomic file replacement: readers see a file's old or new bytes, never a mix, and a crash leaves one of them.
#pragma once

#include <filesystem>
#include <string_view>

namespace sysimage::platform {

/// A file replaced atomically, written in pieces (for files too large to build in memory first).
/// Bytes go to a temporary file in the same directory (`.<name>.tmp.<pid>.<random>`: a dot name,
/// so watchers filtering by the target's name and users globbing ignore it); commit() fsyncs it,
/// renames it over `path` and fsyncs the directory, so the new contents survive a crash once
/// commit() returns. The file gets the mode of the file it replaces, or 0644 (before umask) when
/// new. Destroyed without a successful commit(), the temporary file is removed and `path` keeps
/// its old contents. Not thread-safe.
class AtomicFileWriter {
 public:
  /// Creates the temporary file. Errors: throws std::system_error naming `path` and the step
  /// ("create temporary file", e.g. when the directory does not exist or is not writable).
  explicit AtomicFileWriter(std::filesystem::path path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  /// Appends `bytes` (unbuffered: callers write large pieces). Errors: std::system_error ("write").
  void write(std::string_view bytes);
  /// Publishes the file. Errors: std::system_error naming the failed step ("fsync", "close",
  /// "rename", "fsync directory"); before the rename `path` is untouched and the temporary removed.
  void commit();

  /// Prefix of the temporary files made for `path` (to clean up after a crash).
  static std::string temporaryPrefix(const std::filesystem::path& path);

 private:
  std::filesystem::path path_;
  std::filesystem::path temp_;
  int fd_ = -1;
  bool committed_ = false;
};

/// Replaces `path` with `bytes` in one call (AtomicFileWriter).
/// Errors: throws std::system_error naming `path` and the failed step; `path` keeps its old contents.
void atomicWriteFile(const std::filesystem::path& path, std::string_view bytes);

}  // namespace sysimage::platform
