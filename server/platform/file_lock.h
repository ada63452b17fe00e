// FileLock: an advisory lock on a lock file, so two server processes take turns on shared files.
#pragma once

#include <chrono>
#include <filesystem>

namespace sysimage::platform {

/// An flock(2) on `lockFile`, exclusive (writers) or shared (readers), released by unlock() or the
/// destructor (and by the kernel when the process dies, so a crash never leaves a stale lock).
/// flock locks belong to the open file description, so two FileLocks on the same file exclude each
/// other even within one process. Never delete a lock file while it may be in use; a process
/// holding the old inode would not exclude one locking the new file. Not thread-safe; movable.
class FileLock {
 public:
  enum class Mode { Exclusive, Shared };

  /// Opens `lockFile`, creating it (mode 0644 before umask) if needed, read-only when it exists
  /// but cannot be written (flock works on either); does not lock.
  /// Errors: throws std::system_error with the path when it can be neither opened nor created.
  explicit FileLock(std::filesystem::path lockFile);
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  /// Takes the lock in `mode` if no other holder conflicts (a held lock of the other mode is
  /// converted). Returns true when this object holds it. Errors: throws std::system_error with the
  /// path for errors other than "held elsewhere".
  bool tryLock(Mode mode = Mode::Exclusive);

  /// Waits up to `timeout` (polling, 1 to 50 ms apart) for the lock. Returns true when held,
  /// false on timeout. A zero timeout tries once. Errors: as tryLock().
  bool lock(std::chrono::milliseconds timeout, Mode mode = Mode::Exclusive);

  /// Releases the lock if held; the file stays.
  void unlock();

  bool locked() const { return locked_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool locked_ = false;
  Mode mode_ = Mode::Exclusive;
};

}  // namespace sysimage::platform
