// FakeProcessLauncher: a ProcessLauncher for tests of other layers; children run and exit when the test says so.
#pragma once

#include <signal.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "server/platform/process.h"

namespace sysimage::platform {

/// Records every launch as a FakeChild and starts nothing. The test plays the program: it reads
/// the child's options, writes the files the program would write, feeds output and ends it with
/// exit(). Signals are recorded; by default a child "dies" of the first SIGTERM or SIGKILL it gets
/// (dieOnSignal = false keeps it running, like a program that ignores them).
///
/// Callbacks (output, exit) run through the Post given to the launcher, as the real launcher's do.
/// Destroying a FakeProcess whose child runs kills it (SIGKILL recorded) and drops its callbacks.
/// Not thread-safe: use it on the test's thread.
class FakeProcessLauncher final : public ProcessLauncher {
 public:
  /// One launched program.
  class FakeChild : public std::enable_shared_from_this<FakeChild> {
   public:
    ProcessOptions options;
    int pid = 0;
    std::vector<int> signals;  ///< every signal sent, in order (terminate() sends SIGTERM)
    bool dieOnSignal = true;

    bool running() const { return running_; }
    /// Whether the Process handle was destroyed (the owner let go of the child).
    bool released() const { return released_; }
    /// The program's file name ("julia", "cc").
    std::string program() const { return options.program.filename().string(); }
    /// The value of option `flag`, given as `flag VALUE` (e.g. "-o" "x.so") or as one argument
    /// `flag=VALUE` (e.g. "--output-o=x.o"), or empty.
    std::string argAfter(std::string_view flag) const {
      for (std::size_t i = 0; i < options.args.size(); ++i) {
        const std::string& a = options.args[i];
        if (a == flag && i + 1 < options.args.size()) return options.args[i + 1];
        if (a.size() > flag.size() && a.compare(0, flag.size(), flag) == 0 && a[flag.size()] == '=') {
          return a.substr(flag.size() + 1);
        }
      }
      return {};
    }
    /// Output on stdout (`err`: stderr), delivered through Post.
    void output(std::string text, bool err = false) {
      auto cb = err ? options.onStderr : options.onStdout;
      if (!cb || !running_ || released_) return;
      post_([self = shared_from_this(), cb, text = std::move(text)] {
        if (!self->released_) cb(text);
      });
    }
    /// Ends the child: onExit gets `status` through Post (nothing when already ended).
    void exit(int code) { end(ExitStatus{code, 0}); }
    void killedBy(int signal) { end(ExitStatus{-1, signal}); }

   private:
    friend class FakeProcessLauncher;
    void end(ExitStatus status) {
      if (!running_) return;
      running_ = false;
      auto onExit = std::move(onExit_);
      onExit_ = nullptr;
      post_([self = shared_from_this(), onExit = std::move(onExit), status] {
        if (!self->released_ && onExit) onExit(status);
      });
    }
    void signal(int sig) {
      signals.push_back(sig);
      if (dieOnSignal && (sig == SIGTERM || sig == SIGKILL)) killedBy(sig);
    }

    Post post_;
    std::function<void(ExitStatus)> onExit_;
    bool running_ = true;
    bool released_ = false;
  };

  /// `post` delivers output and exits (a test's queue, or immediatePost()).
  explicit FakeProcessLauncher(Post post) : post_(std::move(post)) {}

  /// Called (through Post, after launch() returned) for every new child: the test's stand-in for
  /// the program. Unset: children run until the test ends them.
  std::function<void(FakeChild&)> onLaunch;
  /// When set and returning an error, launch() throws it (a program that cannot be started).
  std::function<std::error_code(const ProcessOptions&)> failLaunch;

  std::unique_ptr<Process> launch(const ProcessOptions& options, std::function<void(ExitStatus)> onExit) override {
    if (failLaunch) {
      if (const auto error = failLaunch(options)) {
        throw std::system_error(error, "cannot start '" + options.program.string() + "'");
      }
    }
    auto child = std::make_shared<FakeChild>();
    child->options = options;
    child->pid = nextPid_++;
    child->post_ = post_;
    child->onExit_ = std::move(onExit);
    children_.push_back(child);
    if (onLaunch) {
      post_([hook = onLaunch, weak = std::weak_ptr<FakeChild>(child)] {
        if (auto c = weak.lock()) hook(*c);
      });
    }
    return std::make_unique<Handle>(child);
  }

  /// Every child launched so far, oldest first.
  const std::vector<std::shared_ptr<FakeChild>>& children() const { return children_; }
  /// Children launched of `program` (file name, e.g. "julia").
  std::vector<std::shared_ptr<FakeChild>> childrenOf(std::string_view program) const {
    std::vector<std::shared_ptr<FakeChild>> out;
    for (const auto& c : children_) {
      if (c->program() == program) out.push_back(c);
    }
    return out;
  }
  /// Children still running.
  std::size_t running() const {
    std::size_t n = 0;
    for (const auto& c : children_) n += c->running() ? 1 : 0;
    return n;
  }

 private:
  class Handle final : public Process {
   public:
    explicit Handle(std::shared_ptr<FakeChild> child) : child_(std::move(child)) {}
    ~Handle() override {
      if (child_->running()) {
        child_->signals.push_back(SIGKILL);
        child_->running_ = false;
        child_->onExit_ = nullptr;
      }
      child_->released_ = true;
    }
    int pid() const override { return child_->pid; }
    void kill(int signal) override { child_->signal(signal); }
    void terminate(std::chrono::milliseconds) override { child_->signal(SIGTERM); }
    bool running() const override { return child_->running(); }

   private:
    std::shared_ptr<FakeChild> child_;
  };

  Post post_;
  std::vector<std::shared_ptr<FakeChild>> children_;
  int nextPid_ = 1000;
};

}  // namespace sysimage::platform
