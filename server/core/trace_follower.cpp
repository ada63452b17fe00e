// Follows one trace file that a Julia process appends to, returning the complete new lines each time
// it is polled.
#include "server/core/trace_follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace sysimage::core {
namespace {

// How many leading (and trailing) bytes read are remembered to notice a rewrite that grew past the old offset.
constexpr std::size_t kHeadBytes = 256;
constexpr std::size_t kReadChunk = std::size_t{64} << 10;

std::string errnoText(std::string_view what, const std::filesystem::path& path, int err) {
  return std::string(what) + " " + path.string() + ": " + std::strerror(err);
}

void append(TraceFollower::PollResult& into, TraceFollower::PollResult&& from) {
  into.lines.insert(into.lines.end(), std::make_move_iterator(from.lines.begin()),
                    std::make_move_iterator(from.lines.end()));
  into.skippedLongLines += from.skippedLongLines;
  into.truncated |= from.truncated;
  into.replaced |= from.replaced;
  into.missing = from.missing;
  into.more = from.more;
  if (!from.error.empty()) into.error = std::move(from.error);
}

}  // namespace

TraceFollower::TraceFollower(std::filesystem::path path) : TraceFollower(std::move(path), Options{}) {}

TraceFollower::TraceFollower(std::filesystem::path path, Options options) : path_(std::move(path)), options_(options) {}

TraceFollower::~TraceFollower() { closeFile(); }

void TraceFollower::closeFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void TraceFollower::restart() {
  offset_ = 0;
  head_.clear();
  tail_.clear();
  partial_.clear();
  skipping_ = false;
}

TraceFollower::PollResult TraceFollower::poll() {
  PollResult result;
  struct stat st {};
  const bool exists = ::stat(path_.c_str(), &st) == 0;
  if (!exists && errno != ENOENT && errno != ENOTDIR) {
    result.error = errnoText("cannot stat", path_, errno);
    return result;
  }
  if (fd_ >= 0 && (!exists || st.st_dev != dev_ || st.st_ino != ino_)) {
    // Deleted or replaced: what was written to the old file before that still counts.
    readAvailable(result);
    if (result.more || !result.error.empty()) return result;
    endOfFile(result);
    closeFile();
    restart();
    result.replaced = exists;
  }
  if (!exists) {
    result.missing = true;
    return result;
  }
  if (fd_ < 0) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      if (errno == ENOENT) {
        result.missing = true;
      } else {
        result.error = errnoText("cannot open", path_, errno);
      }
      return result;
    }
    struct stat opened {};
    ::fstat(fd_, &opened);
    dev_ = opened.st_dev;
    ino_ = opened.st_ino;
    // A file appearing after the one followed was deleted is a new file.
    if (seenFile_) result.replaced = true;
    seenFile_ = true;
    restart();
  }
  struct stat now {};
  if (::fstat(fd_, &now) != 0) {
    result.error = errnoText("cannot stat", path_, errno);
    return result;
  }
  bool rewritten = static_cast<std::uint64_t>(now.st_size) < offset_;
  // Bytes that differ at the start or just before the offset: another writer truncated and refilled
  // the file (a second Julia start with the same --trace-compile path).
  const auto differs = [this](const std::string& seen, std::uint64_t at) {
    std::string now(seen.size(), '\0');
    const ssize_t n = ::pread(fd_, now.data(), now.size(), static_cast<off_t>(at));
    return n >= 0 && (static_cast<std::size_t>(n) < now.size() || now != seen);
  };
  if (!rewritten && !head_.empty()) rewritten = differs(head_, 0);
  if (!rewritten && tail_.size() < offset_ && !tail_.empty()) rewritten = differs(tail_, offset_ - tail_.size());
  if (rewritten) {
    restart();
    result.truncated = true;
  }
  readAvailable(result);
  return result;
}

TraceFollower::PollResult TraceFollower::finish() {
  PollResult result = poll();
  while (result.more && result.error.empty()) append(result, poll());
  if (fd_ >= 0 && result.error.empty()) endOfFile(result);
  return result;
}

void TraceFollower::endOfFile(PollResult& result) {
  if (skipping_) {
    ++result.skippedLongLines;
  } else if (!partial_.empty()) {
    result.lines.push_back(std::move(partial_));
  }
  partial_.clear();
  skipping_ = false;
}

void TraceFollower::readAvailable(PollResult& result) {
  std::string buffer(kReadChunk, '\0');
  std::size_t budget = options_.maxBytesPerPoll;
  while (budget > 0) {
    const ssize_t n = ::pread(fd_, buffer.data(), std::min(buffer.size(), budget), static_cast<off_t>(offset_));
    if (n < 0) {
      if (errno == EINTR) continue;
      result.error = errnoText("cannot read", path_, errno);
      return;
    }
    if (n == 0) return;
    const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
    if (offset_ < kHeadBytes) head_.append(chunk.substr(0, kHeadBytes - offset_));
    if (chunk.size() >= kHeadBytes) {
      tail_.assign(chunk.substr(chunk.size() - kHeadBytes));
    } else {
      tail_.append(chunk);
      if (tail_.size() > kHeadBytes) tail_.erase(0, tail_.size() - kHeadBytes);
    }
    offset_ += chunk.size();
    budget -= chunk.size();
    std::size_t start = 0;
    for (std::size_t eol; (eol = chunk.find('\n', start)) != std::string_view::npos; start = eol + 1) {
      const std::string_view piece = chunk.substr(start, eol - start);
      if (skipping_ || partial_.size() + piece.size() > options_.maxLineBytes) {
        ++result.skippedLongLines;
      } else if (partial_.empty()) {
        result.lines.emplace_back(piece);
      } else {
        partial_.append(piece);
        result.lines.push_back(std::move(partial_));
      }
      partial_.clear();
      skipping_ = false;
    }
    const std::string_view rest = chunk.substr(start);
    if (skipping_) continue;
    if (partial_.size() + rest.size() > options_.maxLineBytes) {
      // Too long already: drop it and ignore the rest of the line, so memory stays bounded.
      partial_.clear();
      partial_.shrink_to_fit();
      skipping_ = true;
    } else {
      partial_.append(rest);
    }
  }
  struct stat st {};
  result.more = ::fstat(fd_, &st) == 0 && static_cast<std::uint64_t>(st.st_size) > offset_;
}

}  // namespace sysimage::core
