// The statement store: the deduplicated precompile statements of one (project, Julia version),
// persisted crash-safely in an append-only log that several server processes may share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/statement.h"

namespace sysimage::core {

/// The store directory of one project and Julia version: `<stateDir>/<juliaVersion>/<hash>/`, where
/// `<hash>` is 16 hex digits of FNV-1a 64 over the lexically normalised `projectPath` (pass it
/// absolute and canonical). FNV is not cryptographic; a directory name needs only stability, and
/// server/core links no hash library. Characters of `juliaVersion` outside [0-9A-Za-z.+_-] become '_'.
std::filesystem::path storeDirFor(const std::filesystem::path& stateDir, const std::filesystem::path& projectPath,
                                  std::string_view juliaVersion);

/// What loading statements.log found. Nothing here is fatal: the store always opens.
struct StoreLoadReport {
  std::size_t records = 0;             ///< well-formed records read
  std::size_t duplicateRecords = 0;    ///< records naming a statement read before (other processes, time updates)
  std::size_t tornTailBytes = 0;       ///< bytes of an incomplete or unreadable last line, dropped
  std::size_t corruptLines = 0;        ///< unreadable lines before the last one, set aside
  std::filesystem::path setAsidePath;  ///< `statements.log.corrupt-<UTC time>` holding them, or empty
};

/// Statement counts of a store.
struct StatementCounts {
  std::size_t total = 0;        ///< unique statements, all flags
  std::size_t nonPortable = 0;  ///< of which StatementFlags::nonPortable
  std::size_t excluded = 0;     ///< of which StatementFlags::excluded
  /// Statements added since the last markBuilt() (all of them when there is no build mark).
  std::size_t newSinceLastBuild = 0;
  std::size_t unflushed = 0;  ///< added or updated in memory but not yet in statements.log
};

class LoadableModules;

struct ExportOptions {
  bool excludeNonPortable = false;  ///< also leave out StatementFlags::nonPortable statements
  /// When set, also leave out statements naming a module outside these (outsideModule()): the
  /// project cannot load them. Must outlive the call.
  const LoadableModules* loadable = nullptr;
};

/// What exportStatements() wrote; pass it to markBuilt() once the build from that file succeeded.
struct ExportResult {
  std::size_t written = 0;             ///< statements in the file
  std::size_t excluded = 0;            ///< left out as StatementFlags::excluded
  std::size_t nonPortableSkipped = 0;  ///< left out as non-portable (ExportOptions::excludeNonPortable)
  std::size_t outsideSkipped = 0;      ///< left out as naming a module outside ExportOptions::loadable
  std::size_t storeTotal = 0;          ///< store size at export time
  std::uint64_t setHash = 0;           ///< order-independent hash of the whole statement set
  std::uint64_t writtenHash = 0;       ///< the same hash over the statements written: what a build replays
  std::string error;                   ///< empty on success; the file is then complete
  bool ok() const { return error.empty(); }
};

/// Deduplicated precompile statements persisted in a directory:
///   statements.log  records appended with O_APPEND + fsync (format: statement_log.h), compacted by
///                   rewriting to a temporary file and renaming it;
///   build-mark      statement count and set hash at the last successful build, replaced atomically;
///   lock            flock(2) taken around every append, compaction and rewrite.
/// Several processes may open the same directory: each appends its own statements and refresh()
/// reads the others', so all converge on the union. Memory holds each unique statement once.
/// Not thread-safe; one instance per thread.
///
/// Failures never lose statements held in memory: a failed write (read-only or full disk, missing
/// directory) marks the store degraded() and the next flush() retries.
class StatementStore {
 public:
  enum class AddResult {
    Added,      ///< new statement
    Duplicate,  ///< known statement, compile time not larger
    Updated,    ///< known statement, larger compile time recorded
    Rejected,   ///< not a valid statement (statementSyntaxError)
  };

  /// Opens the store in `dir` (created if missing) and loads it: a torn last record is dropped,
  /// unreadable lines are set aside (see loadReport()). Never throws for file problems: an
  /// unusable directory gives an in-memory, degraded store.
  explicit StatementStore(std::filesystem::path dir);
  ~StatementStore();
  StatementStore(const StatementStore&) = delete;
  StatementStore& operator=(const StatementStore&) = delete;

  /// Adds a statement (ParsedLine::statement), keeping the largest compile time seen (ms). In memory
  /// only until flush().
  AddResult add(std::string_view statement, std::optional<double> compileMs = std::nullopt);
  /// Adds the statement of a parsed line (other kinds than Statement are Rejected) without checking
  /// its syntax again, as parseTraceLine() did.
  AddResult add(const ParsedLine& line);

  /// Appends the unflushed statements under the lock and fsyncs; first reads what other processes
  /// appended. Compacts when the log holds more than twice as many records as statements.
  /// Returns false (and the store is degraded()) if anything failed; statements stay in memory.
  bool flush();

  /// Reads records other processes appended since the last read (the whole log again if it was
  /// compacted or cleared meanwhile). Returns the number of statements new to this store.
  std::size_t refresh();

  /// Rewrites the log with one record per statement (after refresh()). Returns false on failure.
  bool compact();

  /// Writes the statements, one per line in insertion order, to `path` atomically; excluded
  /// statements are always left out, others as `options` say.
  ExportResult exportStatements(const std::filesystem::path& path, const ExportOptions& options = {});

  /// Records that a build from `exported` succeeded (build-mark). Returns false on write failure.
  bool markBuilt(const ExportResult& exported);

  /// Forgets every statement, in memory and on disk, and the build mark. Returns false (nothing
  /// changed) if the log could not be rewritten.
  bool clear();

  bool contains(std::string_view statement) const;
  std::optional<StatementFlags> flags(std::string_view statement) const;
  /// Largest compile time seen for the statement, ms; nullopt if unknown or never timed.
  std::optional<double> compileMs(std::string_view statement) const;
  /// Visits all statements in insertion order.
  void forEach(const std::function<void(std::string_view statement, StatementFlags flags,
                                        std::optional<double> compileMs)>& visit) const;
  /// Visits the statements at insertion index `first` and later (counts().total is one past the
  /// last), in insertion order; costs only what it visits.
  void forEachFrom(std::size_t first, const std::function<void(std::string_view statement, StatementFlags flags,
                                                               std::optional<double> compileMs)>& visit) const;

  StatementCounts counts() const;
  std::size_t uniqueStatementBytes() const;  ///< sum of the unique statements' lengths
  std::size_t memoryBytes() const;           ///< estimated heap held by the store's statement set

  /// True while some statements could not be written; degradedReason() says why.
  bool degraded() const;
  const std::string& degradedReason() const;
  const StoreLoadReport& loadReport() const;
  /// Problems noticed since the last call (torn records, corrupt lines, failed writes), oldest first.
  std::vector<std::string> takeWarnings();

  const std::filesystem::path& dir() const;
  std::filesystem::path logPath() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sysimage::core
