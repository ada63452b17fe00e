// build.log writing and its in-memory tail.
#include "server/julia/build_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "server/julia/packagecompiler_log.h"

namespace sysimage::julia {
namespace {
constexpr std::size_t kMaxLineBytes = 1000;
constexpr std::size_t kMaxStepOutput = 4u << 20;
}  // namespace

void LogTail::push(std::string_view raw) {
  // A terminal shows only what was drawn after the last carriage return or erase-line.
  if (const auto cr = raw.rfind('\r'); cr != std::string_view::npos && cr + 1 < raw.size()) raw = raw.substr(cr + 1);
  if (const auto erase = raw.rfind("\x1b[2K"); erase != std::string_view::npos) raw = raw.substr(erase + 4);
  std::string line = stripAnsi(raw);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  if (line.find_first_not_of(" \t") == std::string::npos) return;
  if (line.size() > kMaxLineBytes) line.resize(kMaxLineBytes);
  lines_.push_back(std::move(line));
  while (lines_.size() > maxLines_) lines_.pop_front();
}

void LogTail::add(int stream, std::string_view chunk) {
  std::string& partial = partial_[stream < 0 || stream > 2 ? 2 : stream];
  partial.append(chunk);
  std::size_t start = 0;
  for (std::size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1) {
    push(std::string_view(partial).substr(start, nl - start));
  }
  partial.erase(0, start);
  // A spinner may redraw one line for minutes: keep only its latest drawing.
  if (partial.size() > 64 * kMaxLineBytes) partial.erase(0, partial.size() - kMaxLineBytes);
}

std::vector<std::string> LogTail::lines() const {
  LogTail copy = *this;
  for (auto& p : copy.partial_) {
    if (!p.empty()) copy.push(p);
  }
  return {copy.lines_.begin(), copy.lines_.end()};
}

void BuildLog::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + path.string());
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

BuildLog::~BuildLog() {
  if (fd_ >= 0) ::close(fd_);
}

void BuildLog::append(std::string_view bytes) {
  if (fd_ < 0 || writeError_ != 0 || bytes.empty()) return;
  atLineStart_ = bytes.back() == '\n';
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      writeError_ = errno;
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void BuildLog::write(int stream, std::string_view chunk) {
  append(chunk);
  tail_.add(stream, chunk);
  stepOutput_.append(chunk);
  if (stepOutput_.size() > kMaxStepOutput) stepOutput_.erase(0, stepOutput_.size() - kMaxStepOutput);
}

void BuildLog::note(std::string_view line) {
  std::string text = atLineStart_ ? "# " : "\n# ";
  text.append(line);
  text += '\n';
  append(text);
  tail_.add(2, text);
}

}  // namespace sysimage::julia
