// runProcessSync: runs one child to completion with a timeout, on a private UvLoop.
#include <signal.h>

#include <condition_variable>
#include <deque>
#include <mutex>

#include "server/platform/process.h"
#include "server/platform/uv_loop.h"

namespace sysimage::platform {
namespace {

// A Post whose tasks the calling thread runs while it waits.
struct TaskQueue {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::function<void()>> tasks;

  Post post() {
    return [this](std::function<void()> task) {
      std::lock_guard lock(mutex);
      tasks.push_back(std::move(task));
      ready.notify_one();
    };
  }

  // Runs the tasks queued so far, after waiting for one until `deadline`.
  void runUntil(std::chrono::steady_clock::time_point deadline) {
    std::deque<std::function<void()>> batch;
    {
      std::unique_lock lock(mutex);
      ready.wait_until(lock, deadline, [this] { return !tasks.empty(); });
      batch.swap(tasks);
    }
    for (auto& task : batch) task();
  }
};

}  // namespace

RunResult runProcessSync(const ProcessOptions& options, std::chrono::milliseconds timeout) {
  TaskQueue queue;  // outlives the loop, whose objects hold its Post
  RunResult result;
  bool finished = false;
  UvLoop loop;
  auto launcher = makeUvProcessLauncher(loop, queue.post());
  ProcessOptions opts = options;
  opts.onStdout = [&result](std::string_view chunk) { result.out.append(chunk); };
  opts.onStderr = [&result](std::string_view chunk) { result.err.append(chunk); };
  auto process = launcher->launch(opts, [&](ExitStatus status) {
    result.status = status;
    finished = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!finished) {
    if (!result.timedOut && std::chrono::steady_clock::now() >= deadline) {
      result.timedOut = true;
      process->kill(SIGKILL);
    }
    // After the kill, wait for the exit (reaping) in short steps.
    queue.runUntil(result.timedOut ? std::chrono::steady_clock::now() + std::chrono::milliseconds(100) : deadline);
  }
  return result;
}

}  // namespace sysimage::platform
