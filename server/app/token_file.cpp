// Token files: a 0600 file in a 0700 directory, written with the one atomic writer (server/platform).
#include "server/app/token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

#include "server/core/statement_log.h"
#include "server/platform/atomic_file.h"

namespace sysimage::app {
namespace fs = std::filesystem;

namespace {

using core::statement_log::errnoMessage;

const char* envOrNull(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

/// Makes `dir` (and missing parents) exist; `dir` itself is the user's and mode 0700.
void ensurePrivateDir(const fs::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw TokenFileError(errnoMessage("cannot create " + dir.string() + " for the token file", errno));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw TokenFileError(dir.string() + " is not a directory: cannot keep the token file there (use --token-file)");
  }
  if (st.st_uid != ::geteuid()) {
    throw TokenFileError(dir.string() + " belongs to another user: refusing to keep the token file there (use --token-file)");
  }
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0) {
    throw TokenFileError(errnoMessage("cannot make " + dir.string() + " private (chmod 700)", errno));
  }
}

}  // namespace

fs::path defaultTokenFile(const transport::ListenAddress& address) {
  fs::path base;
  if (const char* runtime = envOrNull("XDG_RUNTIME_DIR")) {
    base = runtime;
  } else if (const char* state = envOrNull("XDG_STATE_HOME")) {
    base = state;
  } else {
    const char* home = envOrNull("HOME");
    base = fs::path(home ? home : "/tmp") / ".local" / "state";
  }
  return base / "sysimage-server" / ("tcp-" + address.host + "-" + std::to_string(address.port) + ".token");
}

transport::AccessToken readTokenFile(const fs::path& path) {
  const std::string cannotRead = "cannot read the token file " + path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) throw TokenFileError(errnoMessage(cannotRead, errno));
  struct stat st {};
  const int statError = ::fstat(fd, &st) == 0 ? 0 : errno;
  std::string text;
  int readError = 0;
  if (statError == 0 && S_ISREG(st.st_mode) && st.st_size <= 4096) {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n > 0) {
        text.append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0) {
        break;
      } else if (errno != EINTR) {
        readError = errno;  // not "too short" later: the token was not read
        break;
      }
    }
  }
  ::close(fd);
  if (statError != 0) throw TokenFileError(errnoMessage(cannotRead, statError));
  if (readError != 0) throw TokenFileError(errnoMessage(cannotRead, readError));
  if (!S_ISREG(st.st_mode) || st.st_size > 4096) {
    throw TokenFileError("the token file " + path.string() + " is not a small regular file");
  }
  if (st.st_uid != ::geteuid()) throw TokenFileError("the token file " + path.string() + " belongs to another user");
  if ((st.st_mode & 077) != 0) {
    throw TokenFileError("the token file " + path.string() + " can be read by other users: chmod 600 it, or remove it and "
                         "let the server write a new one");
  }
  try {
    return transport::AccessToken::fromText(text);
  } catch (const transport::AccessTokenError& e) {
    throw TokenFileError("the token file " + path.string() + " holds no usable token: " + e.what());
  }
}

void writeTokenFile(const fs::path& path, const transport::AccessToken& token, bool makeDir) {
  if (makeDir) ensurePrivateDir(path.has_parent_path() ? path.parent_path() : fs::path("."));
  // Create (or narrow) the file as 0600 first: the atomic writer's temporary file takes the mode of
  // the file it replaces, so the token is never readable by others, not even for a moment.
  const std::string cannotWrite = "cannot write the token file " + path.string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw TokenFileError(errnoMessage(cannotWrite, errno));
  struct stat st {};
  std::string problem;
  int error = 0;
  if (::fstat(fd, &st) != 0) {
    error = errno;
  } else if (!S_ISREG(st.st_mode)) {
    problem = "not a regular file";
  } else if (st.st_uid != ::geteuid()) {
    problem = "it belongs to another user";
  } else if (::fchmod(fd, 0600) != 0) {
    error = errno;
    problem = "chmod 600";
  }
  ::close(fd);
  if (error != 0) throw TokenFileError(errnoMessage(problem.empty() ? cannotWrite : cannotWrite + ": " + problem, error));
  if (!problem.empty()) throw TokenFileError(cannotWrite + ": " + problem);
  try {
    platform::atomicWriteFile(path, token.text() + "\n");
  } catch (const std::system_error& e) {
    throw TokenFileError(e.what());
  }
}

}  // namespace sysimage::app
