// AtomicFileWriter: temporary file + fsync + rename + directory fsync.
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

std::filesystem::path directoryOf(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

}  // namespace

std::string AtomicFileWriter::temporaryPrefix(const std::filesystem::path& path) {
  return "." + path.filename().string() + ".tmp.";
}

AtomicFileWriter::AtomicFileWriter(std::filesystem::path path) : path_(std::move(path)) {
  mode_t mode = 0644;
  struct stat existing {};
  const bool replacing = ::stat(path_.c_str(), &existing) == 0;
  if (replacing) mode = existing.st_mode & 07777;
  std::random_device random;
  temp_ = directoryOf(path_) / (temporaryPrefix(path_) + std::to_string(::getpid()) + "." + std::to_string(random()));
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd_ < 0) fail(errno, path_, "create temporary file");
  if (replacing && ::fchmod(fd_, mode) != 0) {  // umask must not narrow the mode of the file replaced
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_.c_str());
    fail(error, path_, "chmod");
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

void AtomicFileWriter::write(std::string_view bytes) {
  if (fd_ < 0) fail(EBADF, path_, "write after commit");
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno, path_, "write");
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void AtomicFileWriter::commit() {
  if (fd_ < 0) fail(EBADF, path_, "commit twice");
  if (::fsync(fd_) != 0) fail(errno, path_, "fsync");
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(errno, path_, "close");
  if (::rename(temp_.c_str(), path_.c_str()) != 0) fail(errno, path_, "rename");
  committed_ = true;
  const int dirFd = ::open(directoryOf(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd < 0) fail(errno, path_, "open directory");
  const int syncError = ::fsync(dirFd) != 0 ? errno : 0;
  ::close(dirFd);
  if (syncError != 0) fail(syncError, path_, "fsync directory");
}

void atomicWriteFile(const std::filesystem::path& path, std::string_view bytes) {
  AtomicFileWriter writer(path);
  writer.write(bytes);
  writer.commit();
}

}  // namespace sysimage::platform
