// Child processes: options to start one, the running Process, the launcher, and a synchronous run helper.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/platform/post.h"

namespace sysimage::platform {

class UvLoop;

/// What to start and how.
struct ProcessOptions {
  std::filesystem::path program;           ///< absolute path, or a name looked up in the child's PATH
  std::vector<std::string> args;           ///< argv[1..]; argv[0] is `program`
  std::map<std::string, std::string> env;  ///< added to / overriding the server's environment
  std::vector<std::string> unsetEnv;       ///< names removed from the environment (before `env` applies)
  std::optional<std::filesystem::path> cwd;  ///< working directory; the server's when unset
  /// Start the child in a new session and process group (setsid), so kill() and terminate() reach
  /// its whole tree, and a Ctrl-C at the server's terminal does not.
  bool newProcessGroup = true;
  /// Redirections. stdin defaults to /dev/null; stdout/stderr default to pipes read into the
  /// callbacks below. Output files are created or truncated (mode 0644 before umask).
  std::optional<std::filesystem::path> stdinFile, stdoutFile, stderrFile;
  /// Inherit the server's stdin/stdout/stderr instead of /dev/null and pipes (for a wrapper such as
  /// `sysimage-server record` that runs Julia in the user's terminal). Redirection files and
  /// onStdout/onStderr still win for their stream.
  bool inheritStdio = false;
  /// Raw output chunks (no line splitting), called via Post in the order read. May be empty.
  std::function<void(std::string_view chunk)> onStdout, onStderr;
};

/// How a child ended. Exactly one of the two is meaningful.
struct ExitStatus {
  int exitCode = -1;   ///< exit status 0..255 when it exited; -1 when killed by a signal
  int termSignal = 0;  ///< the signal number (e.g. SIGKILL) when killed by a signal, else 0
};

/// A started child. Destroying a Process whose child still runs sends SIGKILL to its process
/// group (or to the child without a group) and drops its callbacks: no onStdout/onStderr/onExit
/// runs after the destructor returns (under the Post rule below). The child is still reaped.
///
/// The "Post rule": promises about callbacks not running after a call hold when Post runs its
/// tasks on the thread making that call, as the server's main loop does.
class Process {
 public:
  virtual ~Process() = default;
  /// The child's pid (also its process group id when newProcessGroup).
  virtual int pid() const = 0;
  /// Sends `signal` to the process group (or to the process when it has no group of its own).
  /// Safe to call after exit: a lone process is no longer signalled once reaped; a group still is,
  /// to reach children left behind (its id cannot be reused while any member lives).
  virtual void kill(int signal) = 0;
  /// Sends SIGTERM to the group now and SIGKILL after `grace` unless the child exited by then
  /// (with a group, SIGKILL goes to the group even if only the leader exited). onExit fires once.
  virtual void terminate(std::chrono::milliseconds grace) = 0;
  /// True until the child's exit was observed (before onExit is posted).
  virtual bool running() const = 0;
};

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  /// Starts a process. `onExit` is called exactly once via Post, after every stdout/stderr chunk
  /// was delivered: when both pipes reached end of file, or 1 s after the child exited if a
  /// background grandchild still holds them open (later output is dropped).
  /// Errors: throws std::system_error naming the program (and the path, for redirection files)
  /// when it cannot be started: not found, not executable, bad cwd, unopenable redirection file.
  virtual std::unique_ptr<Process> launch(const ProcessOptions& options,
                                          std::function<void(ExitStatus)> onExit) = 0;
};

/// A ProcessLauncher spawning with libuv on `loop`; callbacks go through `post`. Processes it
/// made may outlive it (but not the loop).
std::unique_ptr<ProcessLauncher> makeUvProcessLauncher(UvLoop& loop, Post post);

/// Result of runProcessSync().
struct RunResult {
  ExitStatus status;
  std::string out;  ///< everything written to stdout (empty when options.stdoutFile is set)
  std::string err;  ///< everything written to stderr (empty when options.stderrFile is set)
  bool timedOut = false;  ///< the timeout expired and the process group was killed with SIGKILL
};

/// Runs a process to completion on a private UvLoop and returns its output (for CLI tools and
/// probing Julia). On timeout, SIGKILLs the process group (the process when newProcessGroup is
/// false) and returns what was captured, with timedOut set. onStdout/onStderr in `options` are
/// ignored. Errors: as ProcessLauncher::launch.
RunResult runProcessSync(const ProcessOptions& options, std::chrono::milliseconds timeout);

}  // namespace sysimage::platform
