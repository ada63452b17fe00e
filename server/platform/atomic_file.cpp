// atomicWriteFile: temporary file + fsync + rename + directory fsync.
#include "server/platform/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <string>
#include <system_error>

namespace sysimage::platform {
namespace {

[[noreturn]] void fail(int error, const std::filesystem::path& path, const char* step) {
  throw std::system_error(error, std::generic_category(),
                          "atomic write of '" + path.string() + "' failed: " + step);
}

// Retries write(2) until everything is written.
int writeAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace

void atomicWriteFile(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  mode_t mode = 0644;
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0) mode = existing.st_mode & 07777;

  // A dot name, so that watchers filtering by the target's name (and globbing users) ignore it.
  std::random_device random;
  const std::filesystem::path temp =
      dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(random()));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) fail(errno, path, "create temporary file");
  auto abandon = [&](int error, const char* step) {
    ::close(fd);
    ::unlink(temp.c_str());
    fail(error, path, step);
  };
  if (existing.st_mode != 0 && ::fchmod(fd, mode) != 0) abandon(errno, "chmod");  // umask must not narrow it
  if (int error = writeAll(fd, bytes); error != 0) abandon(error, "write");
  if (::fsync(fd) != 0) abandon(errno, "fsync");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail(error, path, "close");
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail(error, path, "rename");
  }
  const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd < 0) fail(errno, path, "open directory");
  const int syncError = ::fsync(dirFd) != 0 ? errno : 0;
  ::close(dirFd);
  if (syncError != 0) fail(syncError, path, "fsync directory");
}

}  // namespace sysimage::platform
