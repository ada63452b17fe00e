// FileLock: an exclusive advisory lock on a lock file, so two server processes take turns on shared files.
#pragma once

#include <chrono>
#include <filesystem>

namespace sysimage::platform {

/// An exclusive flock(2) on `lockFile`, released by unlock() or the destructor (and by the kernel
/// when the process dies, so a crash never leaves a stale lock). The lock belongs to this object:
/// two FileLocks on the same file exclude each other even within one process.
/// Never delete a lock file while it may be in use; a process holding the old inode would not
/// exclude one locking the new file. Not thread-safe; movable.
class FileLock {
 public:
  /// Opens `lockFile`, creating it (mode 0644 before umask) if needed; does not lock.
  /// Errors: throws std::system_error with the path when it cannot be opened or created.
  explicit FileLock(std::filesystem::path lockFile);
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  /// Takes the lock if free. Returns true when this object holds it (also if it already did).
  /// Errors: throws std::system_error with the path for errors other than "held elsewhere".
  bool tryLock();

  /// Waits up to `timeout` (polling, 1 to 50 ms apart) for the lock. Returns true when held,
  /// false on timeout. A zero timeout tries once. Errors: as tryLock().
  bool lock(std::chrono::milliseconds timeout);

  /// Releases the lock if held; the file stays.
  void unlock();

  bool locked() const { return locked_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool locked_ = false;
};

}  // namespace sysimage::platform
