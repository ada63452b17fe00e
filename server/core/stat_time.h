// The modification time of a `struct stat` in nanoseconds, on Linux and macOS alike.
#pragma once

#include <sys/stat.h>

#include <cstdint>

namespace sysimage::core {

/// `st`'s modification time as nanoseconds since the epoch. Linux (and POSIX.1-2008) name the
/// field `st_mtim`; macOS names it `st_mtimespec` (<sys/stat.h> of both systems). Use it wherever a
/// file's identity includes its mtime, so that the server also compiles on macOS.
inline std::int64_t modificationTimeNs(const struct stat& st) {
#if defined(__APPLE__)
  const struct timespec& t = st.st_mtimespec;
#else
  const struct timespec& t = st.st_mtim;
#endif
  return static_cast<std::int64_t>(t.tv_sec) * 1000000000LL + static_cast<std::int64_t>(t.tv_nsec);
}

}  // namespace sysimage::core
