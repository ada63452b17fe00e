// The in-memory statement set behind StatementStore: each unique statement stored once in an arena
// and indexed by a hash set.
#include "server/core/statement_set.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "server/core/statement.h"
#include "server/core/hash.h"
#include "server/core/statement_log.h"

namespace sysimage::core {

namespace {
constexpr std::size_t kChunkBytes = std::size_t{256} << 10;
}  // namespace

StoredStatement* StatementArena::add(std::string_view text, std::uint8_t flags, float compileMs) {
  const std::size_t need = bytesFor(text.size());
  if (chunks_.empty() || chunks_.back().capacity - chunks_.back().used < need) {
    const std::size_t capacity = std::max(kChunkBytes, need);
    chunks_.push_back(Chunk{std::unique_ptr<char[]>(new char[capacity]), 0, capacity, size_});
  }
  Chunk& chunk = chunks_.back();
  auto* statement = new (chunk.data.get() + chunk.used)
      StoredStatement{static_cast<std::uint32_t>(text.size()), flags, StatementSet::kNotPending, 0, compileMs};
  std::memcpy(statement + 1, text.data(), text.size());
  chunk.used += need;
  ++size_;
  return statement;
}

std::size_t StatementArena::capacityBytes() const {
  std::size_t total = chunks_.capacity() * sizeof(Chunk);
  for (const Chunk& chunk : chunks_) total += chunk.capacity;
  return total;
}

StatementSet::Merge StatementSet::merge(std::string_view text, std::optional<float> compileMs, bool fromLog) {
  StoredStatement* s = find(text);
  if (s == nullptr) {
    const StatementFlags flags = classifyStatement(text);
    const std::uint8_t bits =
        (flags.excluded ? statement_log::kExcluded : 0) | (flags.nonPortable ? statement_log::kNonPortable : 0);
    s = arena_.add(text, bits, compileMs ? *compileMs : std::nanf(""));
    set_.insert(s);
    excluded_ += flags.excluded;
    nonPortable_ += flags.nonPortable;
    uniqueBytes_ += text.size();
    if (!fromLog) markPending(s);
    return Merge::Added;
  }
  Merge result = Merge::Duplicate;
  if (compileMs && (std::isnan(s->compileMs) || *compileMs > s->compileMs)) {
    s->compileMs = *compileMs;
    if (!fromLog) markPending(s);
    result = Merge::Updated;
  }
  // Another process already logged this statement with at least our compile time.
  if (fromLog && s->pending == kPending && (std::isnan(s->compileMs) || (compileMs && *compileMs >= s->compileMs)))
    s->pending = kWasPending;
  return result;
}

StoredStatement* StatementSet::find(std::string_view text) const {
  const auto it = set_.find(text);
  return it == set_.end() ? nullptr : *it;
}

void StatementSet::markPending(StoredStatement* statement) {
  if (statement->pending == kNotPending) pending_.push_back(statement);
  statement->pending = kPending;
}

std::size_t StatementSet::due() const {
  return static_cast<std::size_t>(
      std::count_if(pending_.begin(), pending_.end(), [](const StoredStatement* s) { return s->pending == kPending; }));
}

void StatementSet::clearPending() {
  for (StoredStatement* s : pending_) s->pending = kNotPending;
  pending_.clear();
}

void StatementSet::clear() {
  set_.clear();
  pending_.clear();
  arena_.clear();
  excluded_ = nonPortable_ = uniqueBytes_ = 0;
}

std::uint64_t StatementSet::setHash() const {
  std::uint64_t hash = 0;
  for (const StoredStatement* s : set_) hash ^= fnv1a64(s->text());
  return hash;
}

std::size_t StatementSet::memoryBytes() const {
  // A libstdc++ hash set node holds the next pointer, the value and the cached hash: 24 bytes,
  // 32 with malloc's rounding.
  constexpr std::size_t kNodeBytes = 32;
  return arena_.capacityBytes() + set_.bucket_count() * sizeof(void*) + set_.size() * kNodeBytes +
         pending_.capacity() * sizeof(StoredStatement*);
}

}  // namespace sysimage::core
