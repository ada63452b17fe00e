// FileLock: flock(2) on a lock file (exclusive or shared), with a polling wait for lock(timeout).
#include "server/platform/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <thread>
#include <utility>

namespace sysimage::platform {

FileLock::FileLock(std::filesystem::path lockFile) : path_(std::move(lockFile)) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    throw std::system_error(errno, std::generic_category(), "cannot open lock file '" + path_.string() + "'");
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // also releases the lock
}

FileLock::FileLock(FileLock&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      locked_(std::exchange(other.locked_, false)),
      mode_(other.mode_) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    locked_ = std::exchange(other.locked_, false);
    mode_ = other.mode_;
  }
  return *this;
}

bool FileLock::tryLock(Mode mode) {
  if (locked_ && mode_ == mode) return true;
  if (fd_ < 0) throw std::system_error(EBADF, std::generic_category(), "lock file moved from");
  int rc;
  do {
    rc = ::flock(fd_, (mode == Mode::Exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) {
    locked_ = true;
    mode_ = mode;
    return true;
  }
  if (errno == EWOULDBLOCK) return false;
  throw std::system_error(errno, std::generic_category(), "cannot lock '" + path_.string() + "'");
}

bool FileLock::lock(std::chrono::milliseconds timeout, Mode mode) {
  // flock has no timeout; polling with a growing pause keeps this simple and signal-free.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (tryLock(mode)) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

void FileLock::unlock() {
  if (!locked_) return;
  ::flock(fd_, LOCK_UN);
  locked_ = false;
}

}  // namespace sysimage::platform
