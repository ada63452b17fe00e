// The statement store: the deduplicated precompile statements of one (project, Julia version),
// persisted crash-safely in an append-only log that several server processes may share.
#include "server/core/statement_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>
#include <system_error>
#include <utility>

#include "server/core/hash.h"
#include "server/core/stat_time.h"
#include "server/core/outside_statements.h"
#include "server/core/statement_log.h"
#include "server/core/statement_set.h"
#include "server/platform/atomic_file.h"
#include "server/platform/file_lock.h"

namespace sysimage::core {
namespace fs = std::filesystem;
namespace slog = statement_log;

std::filesystem::path storeDirFor(const fs::path& stateDir, const fs::path& projectPath,
                                  std::string_view juliaVersion) {
  std::string key = projectPath.lexically_normal().string();
  while (key.size() > 1 && key.back() == '/') key.pop_back();
  std::string version;
  for (const char c : juliaVersion) {
    const bool allowed = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
                         c == '+' || c == '-' || c == '_';
    version += allowed ? c : '_';
  }
  if (version.find_first_not_of('.') == std::string::npos) version = "unknown";  // also "." and ".."
  return stateDir / version / hex16(fnv1a64(key));
}

namespace {

// Closes a file descriptor at scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// A statement is "likely valid" when add() need not run the full syntax check on a duplicate.
bool plausibleStatement(std::string_view s) {
  return s.starts_with("precompile(") && s.size() <= kMaxTraceLineBytes && s.find('\n') == std::string_view::npos;
}

StatementFlags toFlags(std::uint8_t bits) {
  StatementFlags flags;
  flags.excluded = (bits & slog::kExcluded) != 0;
  flags.nonPortable = (bits & slog::kNonPortable) != 0;
  flags.reason = flags.excluded ? "refers to Main" : flags.nonPortable ? "generated name" : "";
  return flags;
}

/// How long a store operation waits for another process's lock before it reports an error.
constexpr auto kLockTimeout = std::chrono::seconds(5);

// The store's flock on `<dir>/lock`, opened when first needed. A directory where the lock file can
// be neither created nor opened cannot be written by anyone, so readers go ahead without it.
class StoreLock {
 public:
  explicit StoreLock(fs::path path) : path_(std::move(path)) {}

  // Returns an empty string once held, else the error.
  std::string acquire(bool exclusive) {
    try {
      if (!lock_) lock_.emplace(path_);
      if (lock_->lock(kLockTimeout, exclusive ? platform::FileLock::Mode::Exclusive : platform::FileLock::Mode::Shared))
        return {};
      return "timed out waiting for the lock " + path_.string();
    } catch (const std::system_error& e) {
      if (!lock_ && !exclusive) return {};
      return e.what();
    }
  }
  void release() {
    if (lock_) lock_->unlock();
  }

 private:
  fs::path path_;
  std::optional<platform::FileLock> lock_;
};

// Holds the StoreLock for one scope.
class LockGuard {
 public:
  LockGuard(StoreLock& lock, bool exclusive) : lock_(lock), error_(lock.acquire(exclusive)) {}
  ~LockGuard() {
    if (error_.empty()) lock_.release();
  }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;
  const std::string& error() const { return error_; }

 private:
  StoreLock& lock_;
  std::string error_;
};

// A file replaced atomically (platform::AtomicFileWriter), filled through a buffer written out in
// pieces of about 1 MiB; errors become text, the store's way of reporting them.
class BufferedAtomicFile {
 public:
  explicit BufferedAtomicFile(const fs::path& path) {
    try {
      file_.emplace(path);
    } catch (const std::system_error& e) {
      error_ = e.what();
    }
  }
  // Append here, then call drainIfLarge().
  std::string& buffer() { return buffer_; }
  void drainIfLarge() {
    if (buffer_.size() >= (std::size_t{1} << 20)) drain();
  }
  // Returns an empty string or the first error.
  std::string commit() {
    drain();
    if (error_.empty()) {
      try {
        file_->commit();
      } catch (const std::system_error& e) {
        error_ = e.what();
      }
    }
    return error_;
  }

 private:
  void drain() {
    if (error_.empty()) {
      try {
        file_->write(buffer_);
      } catch (const std::system_error& e) {
        error_ = e.what();
      }
    }
    buffer_.clear();
  }
  std::optional<platform::AtomicFileWriter> file_;
  std::string buffer_;
  std::string error_;
};

}  // namespace

struct StatementStore::Impl {
  fs::path dir, logPath, markPath;
  StoreLock lock;

  StatementSet statements;

  // statements.log as last read: its identity and how far it has been read (always a line end).
  bool haveFile = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::uint64_t offset = 0;
  std::string generation;  // from the header line (statement_log.h)
  std::size_t fileRecords = 0;
  bool unsupportedFormat = false;

  std::optional<slog::BuildMark> mark;
  struct stat markStat {};

  std::string degradedReason;
  std::vector<std::string> warnings;
  StoreLoadReport report;

  // What one read of the log found.
  struct ReadStats {
    std::uint64_t consumed = 0;
    std::size_t records = 0, duplicates = 0;
    std::vector<std::string> corrupt;
    bool lastLineCorrupt = false;  // the last complete line read did not parse (and was not overlong)
    std::size_t lastLineBytes = 0;
  };

  explicit Impl(fs::path d)
      : dir(std::move(d)), logPath(dir / "statements.log"), markPath(dir / "build-mark"), lock(dir / "lock") {}

  // Reads complete lines of `fd` from `from`, merging records.
  std::optional<ReadStats> readLog(int fd, std::uint64_t from) {
    ReadStats stats;
    bool first = from == 0;
    const auto consumed = slog::readLines(fd, from, [&](std::string_view line, bool overlong) {
      const bool isFirst = std::exchange(first, false);
      stats.lastLineCorrupt = false;
      if (unsupportedFormat) return;
      if (!overlong && line.starts_with('#')) {
        if (!isFirst) return;
        if (const auto header = slog::parseHeader(line)) {
          unsupportedFormat = !header->supported;
          generation = header->generation;
        }
        return;
      }
      if (!overlong) {
        if (auto record = slog::decodeRecord(line)) {
          ++stats.records;
          ++fileRecords;
          if (statements.merge(record->statement, record->compileMs, true) != StatementSet::Merge::Added)
            ++stats.duplicates;
          return;
        }
      }
      stats.corrupt.emplace_back(line);
      stats.lastLineCorrupt = !overlong;
      stats.lastLineBytes = line.size() + 1;
    });
    if (!consumed) return std::nullopt;
    stats.consumed = *consumed;
    if (unsupportedFormat)
      degradedReason = "statements.log was written by a newer server (unsupported format); not writing to it";
    return stats;
  }

  // Rebuilds memory from the whole log (`fd` < 0: there is none) plus this process's pending
  // statements: the log was compacted, cleared or replaced by another process.
  std::optional<ReadStats> reload(int fd, const struct stat* st) {
    std::vector<std::pair<std::string, std::optional<float>>> keep;
    for (const StoredStatement* r : statements.pending())
      if (r->pending == StatementSet::kPending) keep.emplace_back(std::string(r->text()), r->ms());
    statements.clear();
    fileRecords = 0;
    offset = 0;
    generation.clear();
    haveFile = fd >= 0;
    std::optional<ReadStats> stats = ReadStats{};
    if (fd >= 0) {
      dev = st->st_dev;
      ino = st->st_ino;
      stats = readLog(fd, 0);
      if (stats) offset = stats->consumed;
    }
    for (auto& [text, ms] : keep) statements.merge(text, ms, false);
    return stats;
  }

  void warnCorrupt(const ReadStats& stats) {
    if (!stats.corrupt.empty())
      warnings.push_back("statements.log: skipped " + std::to_string(stats.corrupt.size()) + " unreadable line(s)");
  }

  // Brings memory up to date with the log open on `fd`. With `repair` (exclusive lock held, fd
  // writable) a torn tail, which only a writer that died mid-append leaves, is cut off.
  std::string catchUp(int fd, bool repair) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return slog::errnoMessage("cannot stat " + logPath.string(), errno);
    std::optional<ReadStats> stats;
    // Same inode and no shrinking is not enough: a compaction may have freed the inode and a later
    // one reused it, hence the generation check.
    if (!haveFile || st.st_dev != dev || st.st_ino != ino || static_cast<std::uint64_t>(st.st_size) < offset ||
        (offset > 0 && slog::readGeneration(fd).value_or("") != generation)) {
      stats = reload(fd, &st);
    } else if (static_cast<std::uint64_t>(st.st_size) > offset) {
      stats = readLog(fd, offset);
      if (stats) offset = stats->consumed;
    } else {
      return {};
    }
    if (!stats) return slog::errnoMessage("cannot read " + logPath.string(), errno);
    warnCorrupt(*stats);
    if (repair && offset < static_cast<std::uint64_t>(st.st_size)) {
      if (::ftruncate(fd, static_cast<off_t>(offset)) != 0)
        return slog::errnoMessage("cannot cut the torn tail of " + logPath.string(), errno);
      warnings.push_back("statements.log: dropped an incomplete last record of " +
                         std::to_string(st.st_size - static_cast<off_t>(offset)) + " bytes");
    }
    return {};
  }

  // Replaces the log with a header plus one record per statement (none with `empty`). Exclusive
  // lock held.
  std::string rewrite(bool empty) {
    BufferedAtomicFile file(logPath);
    const std::string header = slog::makeHeader();
    file.buffer() += header + '\n';
    if (!empty) {
      statements.forEach([&](const StoredStatement* r) {
        slog::encodeRecord(file.buffer(), r->text(), r->flags, r->ms());
        file.drainIfLarge();
      });
    }
    if (std::string error = file.commit(); !error.empty()) return error;
    struct stat st {};
    if (::stat(logPath.c_str(), &st) != 0) return slog::errnoMessage("cannot stat " + logPath.string(), errno);
    haveFile = true;
    dev = st.st_dev;
    ino = st.st_ino;
    offset = static_cast<std::uint64_t>(st.st_size);
    generation = header.substr(header.rfind(' ') + 1);
    fileRecords = empty ? 0 : statements.size();
    return {};
  }

  void readMark() {
    struct stat st {};
    if (::stat(markPath.c_str(), &st) != 0) {
      mark.reset();
      markStat = {};
      return;
    }
    if (st.st_ino == markStat.st_ino && st.st_dev == markStat.st_dev && st.st_size == markStat.st_size &&
        modificationTimeNs(st) == modificationTimeNs(markStat))
      return;
    markStat = st;
    Fd fd{::open(markPath.c_str(), O_RDONLY | O_CLOEXEC)};
    std::string text(static_cast<std::size_t>(std::min<off_t>(st.st_size, 4096)), '\0');
    const ssize_t n = fd.fd < 0 ? -1 : ::pread(fd.fd, text.data(), text.size(), 0);
    mark = n < 0 ? std::nullopt : slog::decodeBuildMark(std::string_view(text).substr(0, static_cast<std::size_t>(n)));
    if (!mark) warnings.push_back("build-mark is unreadable; counting every statement as new");
  }

  bool fail(std::string message) {
    degradedReason = message;
    warnings.push_back(std::move(message));
    return false;
  }

  void load();
};

void StatementStore::Impl::load() {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create store directory " + dir.string() + ": " + ec.message());
  LockGuard guard(lock, true);
  bool canRepair = guard.error().empty();
  Fd fd{::open(logPath.c_str(), O_RDWR | O_CLOEXEC)};
  if (fd.fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
    fd.fd = ::open(logPath.c_str(), O_RDONLY | O_CLOEXEC);
    canRepair = false;
  }
  const int openError = fd.fd < 0 ? errno : 0;
  if (canRepair) {
    // Left by a process killed during a compaction; nobody else compacts while we hold the lock.
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().filename().string().starts_with(platform::AtomicFileWriter::temporaryPrefix(logPath)))
        fs::remove(entry.path(), ec);
  }
  if (fd.fd >= 0) {
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0) {
      fail(slog::errnoMessage("cannot stat " + logPath.string(), errno));
    } else if (auto stats = reload(fd.fd, &st); !stats) {
      fail(slog::errnoMessage("cannot read " + logPath.string(), errno));
    } else {
      std::uint64_t keepUpTo = stats->consumed;  // where valid data ends
      report.records = stats->records;
      report.duplicateRecords = stats->duplicates;
      report.tornTailBytes = static_cast<std::size_t>(st.st_size - static_cast<off_t>(stats->consumed));
      if (stats->lastLineCorrupt) {  // an unreadable last line counts as torn, not as corruption
        stats->corrupt.pop_back();
        keepUpTo -= stats->lastLineBytes;
        report.tornTailBytes += stats->lastLineBytes;
      }
      report.corruptLines = stats->corrupt.size();
      if (report.tornTailBytes > 0)
        warnings.push_back("statements.log: dropped an incomplete last record of " +
                           std::to_string(report.tornTailBytes) + " bytes");
      if (!stats->corrupt.empty() && canRepair && !unsupportedFormat) {
        if (auto aside = slog::setAside(logPath, stats->corrupt); aside.error.empty()) {
          report.setAsidePath = aside.path;
          warnings.push_back("statements.log: " + std::to_string(stats->corrupt.size()) +
                             " unreadable line(s) set aside in " + aside.path.string());
          if (std::string error = rewrite(false); !error.empty()) warnings.push_back(error);
        } else {
          warnings.push_back("cannot set aside unreadable lines of statements.log: " + aside.error);
        }
      } else if (!stats->corrupt.empty()) {
        warnings.push_back("statements.log: " + std::to_string(stats->corrupt.size()) +
                           " unreadable line(s) skipped (left in place: the store cannot be repaired now)");
      } else if (report.tornTailBytes > 0 && canRepair && !unsupportedFormat) {
        if (::ftruncate(fd.fd, static_cast<off_t>(keepUpTo)) == 0 && ::fsync(fd.fd) == 0) {
          offset = keepUpTo;
        } else {
          warnings.push_back(slog::errnoMessage("cannot cut the torn tail of " + logPath.string(), errno));
        }
      }
    }
  } else if (openError != ENOENT) {
    fail(slog::errnoMessage("cannot open " + logPath.string(), openError));
  }
  readMark();
}

StatementStore::StatementStore(fs::path dir) : impl_(std::make_unique<Impl>(std::move(dir))) { impl_->load(); }

StatementStore::~StatementStore() = default;

namespace {

std::optional<float> validMs(std::optional<double> ms) {
  if (ms && std::isfinite(*ms) && *ms >= 0) return static_cast<float>(*ms);
  return std::nullopt;
}

StatementStore::AddResult toAddResult(StatementSet::Merge merge) {
  switch (merge) {
    case StatementSet::Merge::Added:
      return StatementStore::AddResult::Added;
    case StatementSet::Merge::Updated:
      return StatementStore::AddResult::Updated;
    case StatementSet::Merge::Duplicate:
      break;
  }
  return StatementStore::AddResult::Duplicate;
}

}  // namespace

StatementStore::AddResult StatementStore::add(std::string_view statement, std::optional<double> compileMs) {
  if (!plausibleStatement(statement)) return AddResult::Rejected;
  StatementSet& statements = impl_->statements;
  if (statements.find(statement) == nullptr && !statementSyntaxError(statement).empty()) return AddResult::Rejected;
  return toAddResult(statements.merge(statement, validMs(compileMs), false));
}

StatementStore::AddResult StatementStore::add(const ParsedLine& line) {
  if (line.kind != ParsedLine::Kind::Statement || !plausibleStatement(line.statement)) return AddResult::Rejected;
  return toAddResult(impl_->statements.merge(line.statement, validMs(line.compileMs), false));
}

bool StatementStore::flush() {
  Impl& s = *impl_;
  if (s.unsupportedFormat) return false;
  if (s.statements.due() == 0) {
    s.statements.clearPending();
    s.degradedReason.clear();
    return true;
  }
  std::error_code ec;
  fs::create_directories(s.dir, ec);
  LockGuard guard(s.lock, true);
  if (!guard.error().empty()) return s.fail(guard.error());
  Fd fd{::open(s.logPath.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644)};
  if (fd.fd < 0) return s.fail(slog::errnoMessage("cannot open " + s.logPath.string(), errno));
  const bool wasKnown = s.haveFile;
  if (std::string error = s.catchUp(fd.fd, true); !error.empty()) return s.fail(error);
  if (s.unsupportedFormat) return false;
  std::string buffer;
  std::string header;
  if (s.offset == 0) {
    header = slog::makeHeader();
    buffer.append(header).push_back('\n');
  }
  std::size_t records = 0;
  for (const StoredStatement* r : s.statements.pending()) {
    if (r->pending != StatementSet::kPending) continue;
    slog::encodeRecord(buffer, r->text(), r->flags, r->ms());
    ++records;
  }
  if (records > 0) {
    int err = slog::writeAll(fd.fd, buffer);
    if (err == 0 && ::fsync(fd.fd) != 0) err = errno;
    if (err != 0) {
      // Leave no torn record behind; if this fails too, the next writer cuts it.
      [[maybe_unused]] const int ignored = ::ftruncate(fd.fd, static_cast<off_t>(s.offset));
      return s.fail(slog::errnoMessage("cannot append to " + s.logPath.string(), err));
    }
    if (!wasKnown) slog::syncDirectory(s.dir);  // the log may be new: make its directory entry durable
    if (!header.empty()) s.generation = header.substr(header.rfind(' ') + 1);
    s.offset += buffer.size();
    s.fileRecords += records;
  }
  s.statements.clearPending();
  s.degradedReason.clear();
  if (s.fileRecords > 2 * s.statements.size() + 1024) {
    if (std::string error = s.rewrite(false); !error.empty()) s.warnings.push_back("compaction failed: " + error);
  }
  return true;
}

std::size_t StatementStore::refresh() {
  Impl& s = *impl_;
  const std::size_t before = s.statements.size();
  LockGuard guard(s.lock, false);
  Fd fd{::open(s.logPath.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd >= 0) {
    if (std::string error = s.catchUp(fd.fd, false); !error.empty()) s.warnings.push_back(error);
  } else if (errno == ENOENT && s.haveFile) {
    s.reload(-1, nullptr);  // the log was removed
  }
  s.readMark();
  return s.statements.size() > before ? s.statements.size() - before : 0;
}

bool StatementStore::compact() {
  Impl& s = *impl_;
  if (s.unsupportedFormat) return false;
  LockGuard guard(s.lock, true);
  if (!guard.error().empty()) {
    s.warnings.push_back("compaction failed: " + guard.error());
    return false;
  }
  Fd fd{::open(s.logPath.c_str(), O_RDWR | O_CLOEXEC)};
  if (fd.fd >= 0) {
    if (std::string error = s.catchUp(fd.fd, true); !error.empty()) {
      s.warnings.push_back("compaction failed: " + error);
      return false;
    }
  }
  if (std::string error = s.rewrite(false); !error.empty()) {
    s.warnings.push_back("compaction failed: " + error);
    return false;
  }
  s.statements.clearPending();
  s.degradedReason.clear();
  return true;
}

ExportResult StatementStore::exportStatements(const fs::path& path, const ExportOptions& options) {
  const Impl& s = *impl_;
  ExportResult result;
  result.storeTotal = s.statements.size();
  result.setHash = s.statements.setHash();
  BufferedAtomicFile file(path);
  s.statements.forEach([&](const StoredStatement* r) {
    if (r->flags & slog::kExcluded) {
      ++result.excluded;
    } else if (options.excludeNonPortable && (r->flags & slog::kNonPortable)) {
      ++result.nonPortableSkipped;
    } else if (options.loadable && !outsideModule(r->text(), *options.loadable).empty()) {
      ++result.outsideSkipped;
    } else {
      file.buffer().append(r->text()).push_back('\n');
      result.writtenHash ^= fnv1a64(r->text());
      ++result.written;
      file.drainIfLarge();
    }
  });
  result.error = file.commit();
  return result;
}

bool StatementStore::markBuilt(const ExportResult& exported) {
  Impl& s = *impl_;
  if (!exported.ok()) return false;
  LockGuard guard(s.lock, true);
  if (!guard.error().empty()) {
    s.warnings.push_back("cannot record the build: " + guard.error());
    return false;
  }
  const slog::BuildMark mark{exported.storeTotal, exported.setHash};
  try {
    platform::atomicWriteFile(s.markPath, slog::encodeBuildMark(mark));
  } catch (const std::system_error& e) {
    s.warnings.push_back(std::string("cannot record the build: ") + e.what());
    return false;
  }
  s.mark = mark;
  ::stat(s.markPath.c_str(), &s.markStat);
  return true;
}

bool StatementStore::clear() {
  Impl& s = *impl_;
  LockGuard guard(s.lock, true);
  if (!guard.error().empty()) {
    s.warnings.push_back("cannot clear the store: " + guard.error());
    return false;
  }
  if (std::string error = s.rewrite(true); !error.empty()) {
    s.warnings.push_back("cannot clear the store: " + error);
    return false;
  }
  if (::unlink(s.markPath.c_str()) == 0) slog::syncDirectory(s.dir);
  s.mark.reset();
  s.markStat = {};
  s.statements.clear();
  s.unsupportedFormat = false;
  s.degradedReason.clear();
  return true;
}

bool StatementStore::contains(std::string_view statement) const { return impl_->statements.find(statement) != nullptr; }

std::optional<StatementFlags> StatementStore::flags(std::string_view statement) const {
  const StoredStatement* r = impl_->statements.find(statement);
  if (r == nullptr) return std::nullopt;
  return toFlags(r->flags);
}

std::optional<double> StatementStore::compileMs(std::string_view statement) const {
  const StoredStatement* r = impl_->statements.find(statement);
  if (r == nullptr || std::isnan(r->compileMs)) return std::nullopt;
  return r->compileMs;
}

void StatementStore::forEach(
    const std::function<void(std::string_view, StatementFlags, std::optional<double>)>& visit) const {
  forEachFrom(0, visit);
}

void StatementStore::forEachFrom(
    std::size_t first, const std::function<void(std::string_view, StatementFlags, std::optional<double>)>& visit) const {
  impl_->statements.forEachFrom(first, [&](const StoredStatement* r) {
    const auto ms = r->ms();
    visit(r->text(), toFlags(r->flags), ms ? std::optional<double>(*ms) : std::nullopt);
  });
}

StatementCounts StatementStore::counts() const {
  const StatementSet& statements = impl_->statements;
  const std::optional<slog::BuildMark>& mark = impl_->mark;
  StatementCounts counts;
  counts.total = statements.size();
  counts.nonPortable = statements.nonPortable();
  counts.excluded = statements.excluded();
  counts.newSinceLastBuild = !mark                             ? counts.total
                             : counts.total > mark->statements ? counts.total - mark->statements
                                                               : 0;
  counts.unflushed = statements.due();
  return counts;
}

std::size_t StatementStore::uniqueStatementBytes() const { return impl_->statements.uniqueBytes(); }
std::size_t StatementStore::memoryBytes() const { return impl_->statements.memoryBytes(); }
bool StatementStore::degraded() const { return !impl_->degradedReason.empty(); }
const std::string& StatementStore::degradedReason() const { return impl_->degradedReason; }
const StoreLoadReport& StatementStore::loadReport() const { return impl_->report; }
std::vector<std::string> StatementStore::takeWarnings() { return std::exchange(impl_->warnings, {}); }
const fs::path& StatementStore::dir() const { return impl_->dir; }
fs::path StatementStore::logPath() const { return impl_->logPath; }

}  // namespace sysimage::core
