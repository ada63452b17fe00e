// UvProcessLauncher: ProcessLauncher on libuv (uv_spawn, pipes for output, SIGCHLD reaping by libuv).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <set>
#include <system_error>
#include <utility>

#include "server/platform/process.h"
#include "server/platform/uv_loop_internal.h"

extern char** environ;

namespace sysimage::platform {
namespace {

using detail::closeHandle;
using detail::newHandle;

// After the child exited, how long to keep reading pipes that a background grandchild holds open.
constexpr std::uint64_t kDrainAfterExitMs = 1000;

// Owner-side callbacks. The Process destructor deactivates them, on the owner's thread, so a
// posted callback that runs later finds nothing to call.
struct Sink {
  std::mutex mutex;
  bool active = true;
  std::function<void(std::string_view)> onStdout, onStderr;
  std::function<void(ExitStatus)> onExit;

  void deliverOutput(bool isStdout, const std::string& chunk) {
    std::function<void(std::string_view)> cb;
    {
      std::lock_guard lock(mutex);
      if (!active) return;
      cb = isStdout ? onStdout : onStderr;
    }
    if (cb) cb(chunk);
  }
  void deliverExit(ExitStatus status) {
    std::function<void(ExitStatus)> cb;
    {
      std::lock_guard lock(mutex);
      if (!active) return;
      cb = std::move(onExit);
      onExit = nullptr;
      onStdout = nullptr;
      onStderr = nullptr;
    }
    if (cb) cb(status);
  }
  void deactivate() {
    std::lock_guard lock(mutex);
    active = false;
    onStdout = nullptr;
    onStderr = nullptr;
    onExit = nullptr;
  }
};

// Loop-side state of one child; touched on the loop thread only, except `exited`. It lives while
// any of its handles is open (they keep it alive) or its Process exists.
struct Child : std::enable_shared_from_this<Child> {
  Post post;
  std::shared_ptr<Sink> sink;
  bool group = true;
  bool wantStdout = false;  // whether chunks are posted at all
  bool wantStderr = false;
  int pid = 0;
  uv_loop_t* loop = nullptr;
  std::atomic<bool> exited{false};
  uv_process_t* process = nullptr;
  uv_pipe_t* out = nullptr;  // null when redirected or finished
  uv_pipe_t* err = nullptr;
  uv_timer_t* drainTimer = nullptr;
  uv_timer_t* killTimer = nullptr;
  ExitStatus status;
  bool exitPosted = false;
  std::array<char, 64 * 1024> buffer{};  // reads are sequential on the loop thread

  void startReading(uv_pipe_t* pipe) {
    pipe->data = this;
    auto alloc = [](uv_handle_t* h, size_t, uv_buf_t* buf) {
      auto* self = static_cast<Child*>(h->data);
      *buf = uv_buf_init(self->buffer.data(), static_cast<unsigned>(self->buffer.size()));
    };
    auto read = [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
      static_cast<Child*>(s->data)->onRead(reinterpret_cast<uv_pipe_t*>(s), n, buf);
    };
    uv_read_start(reinterpret_cast<uv_stream_t*>(pipe), alloc, read);
  }

  void onRead(uv_pipe_t* pipe, ssize_t n, const uv_buf_t* buf) {
    const bool isStdout = pipe == out;
    if (n > 0) {
      if (isStdout ? wantStdout : wantStderr) {
        post([sink = sink, isStdout, chunk = std::string(buf->base, static_cast<size_t>(n))] {
          sink->deliverOutput(isStdout, chunk);
        });
      }
      return;
    }
    if (n == 0) return;  // EAGAIN
    finishPipe(isStdout ? out : err);  // UV_EOF or a read error
  }

  void finishPipe(uv_pipe_t*& pipe) {
    closeHandle(pipe);
    pipe = nullptr;
    maybeFinish();
  }

  void onExit(int64_t exitStatus, int termSignal) {
    exited = true;
    status = termSignal != 0 ? ExitStatus{-1, termSignal} : ExitStatus{static_cast<int>(exitStatus), 0};
    closeHandle(process);
    if (out != nullptr || err != nullptr) {
      drainTimer = newHandle<uv_timer_t>(shared_from_this());
      uv_timer_init(loop, drainTimer);
      drainTimer->data = this;
      uv_timer_start(
          drainTimer,
          [](uv_timer_t* t) {
            auto* self = static_cast<Child*>(t->data);
            closeHandle(self->out);
            closeHandle(self->err);
            self->out = self->err = nullptr;
            self->maybeFinish();
          },
          kDrainAfterExitMs, 0);
    }
    maybeFinish();
  }

  void maybeFinish() {
    if (!exited || out != nullptr || err != nullptr || exitPosted) return;
    exitPosted = true;
    closeHandle(drainTimer);
    drainTimer = nullptr;
    // The Sink moves into the last task, so the owner's callbacks are released on its thread.
    post([sink = std::move(sink), status = status] { sink->deliverExit(status); });
  }

  void signal(int sig) {
    if (group) {
      ::kill(-pid, sig);  // ESRCH when the whole group is gone
    } else if (!exited) {
      uv_process_kill(process, sig);
    }
  }

  void terminate(std::chrono::milliseconds grace) {
    signal(SIGTERM);
    if (exited && !group) return;
    if (killTimer == nullptr) {
      killTimer = newHandle<uv_timer_t>(shared_from_this());
      uv_timer_init(loop, killTimer);
      killTimer->data = this;
    }
    uv_timer_start(
        killTimer,
        [](uv_timer_t* t) {
          auto* self = static_cast<Child*>(t->data);
          if (self->group || !self->exited) self->signal(SIGKILL);
          closeHandle(self->killTimer);
          self->killTimer = nullptr;
        },
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, grace.count())), 0);
  }
};

// Environment for the child: the server's, minus `unsetEnv`, with `env` added or overriding.
std::vector<std::string> childEnvironment(const ProcessOptions& options) {
  std::set<std::string> drop(options.unsetEnv.begin(), options.unsetEnv.end());
  for (const auto& [name, value] : options.env) drop.insert(name);
  std::vector<std::string> result;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (drop.count(std::string(entry.substr(0, eq))) == 0) result.emplace_back(entry);
  }
  for (const auto& [name, value] : options.env) result.push_back(name + "=" + value);
  return result;
}

// A file descriptor that is closed when it goes out of scope.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd, o.fd);
    return *this;
  }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Fd openRedirect(const std::filesystem::path& path, int flags, const std::string& program) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(),
                            "cannot start '" + program + "': cannot open '" + path.string() + "'");
  }
  return Fd(fd);
}

class UvProcess final : public Process {
 public:
  UvProcess(UvLoop& loop, std::shared_ptr<Child> child, std::shared_ptr<Sink> sink)
      : loop_(loop), child_(std::move(child)), sink_(std::move(sink)), pid_(child_->pid) {}

  // Kills a child that still runs: a server-owned build or recording must not outlive its owner.
  ~UvProcess() override {
    sink_->deactivate();
    detail::LoopAccess::run(loop_, [child = child_](uv_loop_t*) {
      if (!child->exited) child->signal(SIGKILL);
    });
  }

  int pid() const override { return pid_; }

  void kill(int signal) override {
    detail::LoopAccess::run(loop_, [child = child_, signal](uv_loop_t*) { child->signal(signal); });
  }

  void terminate(std::chrono::milliseconds grace) override {
    detail::LoopAccess::run(loop_, [child = child_, grace](uv_loop_t*) { child->terminate(grace); });
  }

  bool running() const override { return !child_->exited; }

 private:
  UvLoop& loop_;
  std::shared_ptr<Child> child_;
  std::shared_ptr<Sink> sink_;
  int pid_;
};

class UvProcessLauncher final : public ProcessLauncher {
 public:
  UvProcessLauncher(UvLoop& loop, Post post) : loop_(loop), post_(std::move(post)) {}

  std::unique_ptr<Process> launch(const ProcessOptions& options, std::function<void(ExitStatus)> onExit) override {
    const std::string program = options.program.string();
    if (program.empty()) {
      throw std::system_error(std::make_error_code(std::errc::invalid_argument), "cannot start '': empty program");
    }
    Fd in;
    if (options.stdinFile || !options.inheritStdio) {
      in = openRedirect(options.stdinFile.value_or("/dev/null"), O_RDONLY, program);
    }
    Fd outFile, errFile;
    if (options.stdoutFile) outFile = openRedirect(*options.stdoutFile, O_WRONLY | O_CREAT | O_TRUNC, program);
    if (options.stderrFile) errFile = openRedirect(*options.stderrFile, O_WRONLY | O_CREAT | O_TRUNC, program);

    std::vector<std::string> argStrings{program};
    argStrings.insert(argStrings.end(), options.args.begin(), options.args.end());
    std::vector<char*> argv;
    for (auto& a : argStrings) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> envStrings = childEnvironment(options);
    std::vector<char*> envp;
    for (auto& e : envStrings) envp.push_back(e.data());
    envp.push_back(nullptr);
    const std::string cwd = options.cwd ? options.cwd->string() : std::string();

    auto sink = std::make_shared<Sink>();
    sink->onStdout = options.onStdout;
    sink->onStderr = options.onStderr;
    sink->onExit = std::move(onExit);
    auto child = std::make_shared<Child>();
    child->post = post_;
    child->sink = sink;
    child->group = options.newProcessGroup;
    child->wantStdout = static_cast<bool>(options.onStdout);
    child->wantStderr = static_cast<bool>(options.onStderr);

    int spawnError = 0;
    detail::LoopAccess::runAndWait(loop_, [&](uv_loop_t* loop) {
      child->loop = loop;
      uv_stdio_container_t stdio[3];
      stdio[0].flags = UV_INHERIT_FD;
      stdio[0].data.fd = in.fd >= 0 ? in.fd : STDIN_FILENO;
      auto setOutput = [&](uv_stdio_container_t& slot, const Fd& file, uv_pipe_t*& pipe, int inheritFd, bool piped) {
        if (file.fd >= 0 || (options.inheritStdio && !piped)) {
          slot.flags = UV_INHERIT_FD;
          slot.data.fd = file.fd >= 0 ? file.fd : inheritFd;
          return;
        }
        pipe = newHandle<uv_pipe_t>(child);
        uv_pipe_init(loop, pipe, 0);
        slot.flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
        slot.data.stream = reinterpret_cast<uv_stream_t*>(pipe);
      };
      setOutput(stdio[1], outFile, child->out, STDOUT_FILENO, static_cast<bool>(options.onStdout));
      setOutput(stdio[2], errFile, child->err, STDERR_FILENO, static_cast<bool>(options.onStderr));

      uv_process_options_t spawn{};
      spawn.file = argv[0];
      spawn.args = argv.data();
      spawn.env = envp.data();
      spawn.cwd = cwd.empty() ? nullptr : cwd.c_str();
      spawn.flags = options.newProcessGroup ? UV_PROCESS_DETACHED : 0;
      spawn.stdio_count = 3;
      spawn.stdio = stdio;
      spawn.exit_cb = [](uv_process_t* p, int64_t exitStatus, int termSignal) {
        static_cast<Child*>(p->data)->onExit(exitStatus, termSignal);
      };
      child->process = newHandle<uv_process_t>(child);
      spawnError = uv_spawn(loop, child->process, &spawn);
      if (spawnError != 0) {
        closeHandle(child->process);  // uv_spawn initialised it even on failure
        closeHandle(child->out);
        closeHandle(child->err);
        return;
      }
      child->process->data = child.get();
      child->pid = child->process->pid;
      if (child->out != nullptr) child->startReading(child->out);
      if (child->err != nullptr) child->startReading(child->err);
    });
    if (spawnError != 0) {
      std::string what = "cannot start '" + program + "'";
      if (options.cwd) what += " in '" + cwd + "'";
      throw std::system_error(-spawnError, std::generic_category(), what);
    }
    return std::make_unique<UvProcess>(loop_, std::move(child), std::move(sink));
  }

 private:
  UvLoop& loop_;
  Post post_;
};

}  // namespace

std::unique_ptr<ProcessLauncher> makeUvProcessLauncher(UvLoop& loop, Post post) {
  return std::make_unique<UvProcessLauncher>(loop, std::move(post));
}

}  // namespace sysimage::platform
