// Crash-safety test of StatementStore: writer processes are killed with SIGKILL at random moments;
// afterwards the store must load without duplicates and hold every statement it acknowledged.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "server/core/statement_store.h"

namespace sysimage::core {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string statementFor(std::uint32_t id) {
  return "precompile(Tuple{typeof(Crash.f" + std::to_string(id) +
         "), Base.Dict{Symbol, Any}, Array{Float64, 2}, NamedTuple{(:a, :b), Tuple{Int64, String}}})";
}

// The writer: adds statements in random batches, flushes, then acknowledges the batch on `ackFd`
// (one write of at most PIPE_BUF bytes, so it is atomic). Also re-adds statements of earlier
// writers, and compacts now and then, so kills land in every phase. Never returns.
[[noreturn]] void runWriter(const fs::path& dir, std::uint32_t firstId, std::uint32_t previousFirstId, unsigned seed,
                            int ackFd) {
  ::alarm(20);  // in case the parent is gone
  std::mt19937 rng(seed);
  StatementStore store(dir);
  std::uint32_t next = firstId;
  for (int batch = 0;; ++batch) {
    std::vector<std::uint32_t> ids;
    const int size = std::uniform_int_distribution<int>(1, 60)(rng);
    for (int i = 0; i < size; ++i) {
      if (previousFirstId != 0 && rng() % 4 == 0) store.add(statementFor(previousFirstId + rng() % 500));
      store.add(statementFor(next));
      ids.push_back(next++);
    }
    if (!store.flush()) ::_exit(3);
    if (::write(ackFd, ids.data(), ids.size() * sizeof(std::uint32_t)) < 0) ::_exit(4);
    if (batch % 25 == 24 && !store.compact()) ::_exit(5);
    if (batch % 10 == 0) store.refresh();
  }
}

// Reads whatever acknowledgements are available on `fd` into `acked`; false at end of file.
bool readAcks(int fd, std::string& carry, std::set<std::uint32_t>& acked) {
  char buffer[4096];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n <= 0) return n < 0 && errno == EINTR;
  carry.append(buffer, static_cast<std::size_t>(n));
  const std::size_t whole = carry.size() / sizeof(std::uint32_t) * sizeof(std::uint32_t);
  for (std::size_t at = 0; at < whole; at += sizeof(std::uint32_t)) {
    std::uint32_t id = 0;
    std::memcpy(&id, carry.data() + at, sizeof id);
    acked.insert(id);
  }
  carry.erase(0, whole);
  return true;
}

// Leaves the tail a writer killed inside write(2) would leave: part of a record, no newline. Takes
// the store's lock as a writer does (flock on `<dir>/lock`, see statement_store.h).
void appendTornRecord(const fs::path& dir, std::mt19937& rng) {
  const std::string record = "-\t-\t" + statementFor(4000000000u) + "\n";
  const std::size_t cut = 1 + rng() % (record.size() - 1);
  const int lock = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(::flock(lock, LOCK_EX), 0);
  const int log = ::open((dir / "statements.log").c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (log >= 0) {
    EXPECT_EQ(::write(log, record.data(), cut), static_cast<ssize_t>(cut));
    ::close(log);
  }
  ::close(lock);
}

struct Writer {
  pid_t pid = -1;
  int ackFd = -1;
  Clock::time_point killAt;
  std::string carry;
};

TEST(StatementStoreCrashTests, KilledWritersLoseNoAcknowledgedStatement) {
  std::string pattern = (fs::path(::testing::TempDir()) / "statement-crash-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path root = pattern;
  const fs::path dir = root / "store";
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::set<std::uint32_t> acked;
  const auto start = Clock::now();
  constexpr int kIterations = 30;
  int tornTailsInjected = 0;

  for (int iteration = 1; iteration <= kIterations; ++iteration) {
    // Two writers per round, as two editors' servers would be, killed independently.
    Writer writers[2];
    for (int w = 0; w < 2; ++w) {
      int fds[2];
      ASSERT_EQ(::pipe(fds), 0);
      const std::uint32_t firstId = static_cast<std::uint32_t>(iteration * 100 + w * 50) * 10000;
      const std::uint32_t previous = iteration > 1 ? static_cast<std::uint32_t>((iteration - 1) * 100) * 10000 : 0;
      const unsigned childSeed = static_cast<unsigned>(rng());
      const pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        ::close(fds[0]);
        runWriter(dir, firstId, previous, childSeed, fds[1]);
      }
      ::close(fds[1]);
      writers[w].pid = pid;
      writers[w].ackFd = fds[0];
      writers[w].killAt = Clock::now() + std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 120)(rng));
    }
    // Mid-round, a third writer "dies inside write(2)"; the live writers must cut its torn record.
    const auto tearAt = Clock::now() + std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 100)(rng));
    bool torn = false;
    int open = 2;
    while (open > 0) {
      if (!torn && Clock::now() >= tearAt && fs::exists(dir / "statements.log")) {
        appendTornRecord(dir, rng);
        torn = true;
        ++tornTailsInjected;
      }
      pollfd fds[2];
      int count = 0;
      for (Writer& writer : writers) {
        if (writer.ackFd < 0) continue;
        if (writer.pid > 0 && Clock::now() >= writer.killAt) {
          ::kill(writer.pid, SIGKILL);
          int status = 0;
          ::waitpid(writer.pid, &status, 0);
          ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited early with status " << WEXITSTATUS(status);
          writer.pid = 0;
        }
        fds[count++] = pollfd{writer.ackFd, POLLIN, 0};
      }
      ::poll(fds, static_cast<nfds_t>(count), 2);
      for (int i = 0; i < count; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
        for (Writer& writer : writers) {
          if (writer.ackFd != fds[i].fd) continue;
          if (!readAcks(writer.ackFd, writer.carry, acked)) {
            ASSERT_TRUE(writer.carry.empty());
            ::close(writer.ackFd);
            writer.ackFd = -1;
            --open;
          }
        }
      }
    }

    for (Writer& writer : writers) {  // one that closed its pipe early exited by itself: a failure
      if (writer.pid <= 0) continue;
      ::kill(writer.pid, SIGKILL);
      int status = 0;
      ::waitpid(writer.pid, &status, 0);
      ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited early with status " << WEXITSTATUS(status);
    }

    StatementStore store(dir);
    const StoreLoadReport& report = store.loadReport();
    ASSERT_EQ(report.corruptLines, 0u) << "iteration " << iteration;
    for (const std::uint32_t id : acked) ASSERT_TRUE(store.contains(statementFor(id))) << "lost acknowledged " << id;
    // No duplicates: one record per statement in the log (the load above cut any torn tail).
    std::ifstream in(dir / "statements.log");
    std::size_t records = 0;
    for (std::string line; std::getline(in, line);) records += !line.starts_with('#');
    ASSERT_EQ(records, store.counts().total) << "iteration " << iteration;
    ASSERT_EQ(report.duplicateRecords, 0u);
  }
  const auto elapsed = Clock::now() - start;
  RecordProperty("acknowledged", static_cast<int>(acked.size()));
  RecordProperty("torn_tails_injected", tornTailsInjected);
  EXPECT_GT(acked.size(), 100u);
  EXPECT_GT(tornTailsInjected, kIterations / 2);
  EXPECT_LT(elapsed, std::chrono::seconds(15));
  std::error_code ec;
  fs::remove_all(root, ec);
}

}  // namespace
}  // namespace sysimage::core
