// The in-memory statement set behind StatementStore: each unique statement stored once in an arena
// (insertion order kept) and indexed by a hash set, with its flags, compile time and flush state.
// Internal to server/core.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sysimage::core {

/// One unique statement: this 12-byte header, then the statement's bytes, in the arena.
struct StoredStatement {
  std::uint32_t length;
  std::uint8_t flags;    ///< statement_log::kExcluded | statement_log::kNonPortable
  std::uint8_t pending;  ///< StatementSet::kNotPending, kPending or kWasPending
  std::uint16_t reserved;
  float compileMs;  ///< ms; NaN if never timed

  std::string_view text() const { return {reinterpret_cast<const char*>(this + 1), length}; }
  std::optional<float> ms() const { return std::isnan(compileMs) ? std::nullopt : std::optional<float>(compileMs); }
};
static_assert(sizeof(StoredStatement) == 12);

/// Append-only storage of StoredStatements in insertion order, in 256 KiB chunks.
class StatementArena {
 public:
  StoredStatement* add(std::string_view text, std::uint8_t flags, float compileMs);
  void clear() {
    chunks_.clear();
    size_ = 0;
  }
  std::size_t size() const { return size_; }  ///< statements held
  std::size_t capacityBytes() const;

  template <class F>
  void forEach(F&& visit) const {
    forEachFrom(0, std::forward<F>(visit));
  }
  /// Visits the statements at insertion index `first` and later, in order. Chunks wholly before
  /// `first` are skipped without reading them.
  template <class F>
  void forEachFrom(std::size_t first, F&& visit) const {
    if (first >= size_) return;
    // The last chunk whose first statement is at or before `first`.
    auto it = std::upper_bound(chunks_.begin(), chunks_.end(), first,
                               [](std::size_t index, const Chunk& chunk) { return index < chunk.first; });
    std::size_t index = (--it)->first;
    for (; it != chunks_.end(); ++it) {
      for (std::size_t at = 0; at < it->used; ++index) {
        auto* statement = reinterpret_cast<StoredStatement*>(it->data.get() + at);
        if (index >= first) visit(statement);
        at += bytesFor(statement->length);
      }
    }
  }

 private:
  static std::size_t bytesFor(std::size_t length) { return (sizeof(StoredStatement) + length + 3) & ~std::size_t{3}; }
  struct Chunk {
    std::unique_ptr<char[]> data;
    std::size_t used;
    std::size_t capacity;
    std::size_t first;  ///< insertion index of the chunk's first statement
  };
  std::vector<Chunk> chunks_;
  std::size_t size_ = 0;
};

/// The deduplicated set. Statements added by this process stay "pending" until the owner has
/// appended them to the log and calls clearPending().
class StatementSet {
 public:
  enum class Merge { Added, Duplicate, Updated };
  static constexpr std::uint8_t kNotPending = 0;
  static constexpr std::uint8_t kPending = 1;     ///< to be appended
  static constexpr std::uint8_t kWasPending = 2;  ///< listed in pending(), but another process logged it

  /// Inserts a statement or raises its compile time. `fromLog`: read from the log (another process
  /// or an earlier session) rather than added here; then it is not pending, and a pending copy with
  /// no larger compile time stops being due. New statements are classified (classifyStatement).
  Merge merge(std::string_view text, std::optional<float> compileMs, bool fromLog);

  StoredStatement* find(std::string_view text) const;
  template <class F>
  void forEach(F&& visit) const {
    arena_.forEach(std::forward<F>(visit));
  }
  /// Visits the statements at insertion index `first` and later, in order.
  template <class F>
  void forEachFrom(std::size_t first, F&& visit) const {
    arena_.forEachFrom(first, std::forward<F>(visit));
  }

  /// Statements added or updated here since the last clearPending(); check `pending == kPending`.
  const std::vector<StoredStatement*>& pending() const { return pending_; }
  std::size_t due() const;
  void clearPending();
  void clear();

  std::size_t size() const { return set_.size(); }
  std::size_t excluded() const { return excluded_; }
  std::size_t nonPortable() const { return nonPortable_; }
  std::size_t uniqueBytes() const { return uniqueBytes_; }
  /// XOR of the FNV-1a 64 hashes of all statements: independent of order.
  std::uint64_t setHash() const;
  /// Heap held: arena chunks, hash buckets and nodes, the pending list.
  std::size_t memoryBytes() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    std::size_t operator()(const StoredStatement* s) const { return (*this)(s->text()); }
  };
  struct Equal {
    using is_transparent = void;
    static std::string_view view(std::string_view s) { return s; }
    static std::string_view view(const StoredStatement* s) { return s->text(); }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return view(a) == view(b);
    }
  };

  void markPending(StoredStatement* statement);

  StatementArena arena_;
  std::unordered_set<StoredStatement*, Hash, Equal> set_;
  std::vector<StoredStatement*> pending_;
  std::size_t excluded_ = 0;
  std::size_t nonPortable_ = 0;
  std::size_t uniqueBytes_ = 0;
};

}  // namespace sysimage::core
