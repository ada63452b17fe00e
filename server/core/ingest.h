// Ingestion of trace files: lines from a TraceFollower, parsed, into a StatementStore.
#pragma once

#include <cstddef>
#include <string_view>

#include "server/core/statement_store.h"
#include "server/core/trace_follower.h"

namespace sysimage::core {

/// What an ingestion step did, in lines.
struct IngestCounts {
  std::size_t lines = 0;       ///< lines seen, including skipped long lines
  std::size_t added = 0;       ///< statements new to the store
  std::size_t duplicates = 0;  ///< statements already in the store (a larger compile time still counts here)
  std::size_t skipped = 0;     ///< comments, blank lines and other text (`if …`, `end`)
  std::size_t invalid = 0;     ///< malformed statements, binary data, lines over kMaxTraceLineBytes

  IngestCounts& operator+=(const IngestCounts& other);
};

/// Feeds one trace file into one store. Does not flush the store: its owner does, after a batch.
class Ingestor {
 public:
  Ingestor(TraceFollower& follower, StatementStore& store) : follower_(follower), store_(store) {}

  /// Ingests the lines appended since the last poll (TraceFollower::poll). `lastPoll()` tells
  /// about truncation, replacement, a missing file or errors.
  IngestCounts poll();
  /// Same, flushing a partial last line too (TraceFollower::finish): the Julia process has exited.
  IngestCounts finish();
  /// Parses one line and adds its statement, if any.
  IngestCounts ingestLine(std::string_view line);

  const TraceFollower::PollResult& lastPoll() const { return lastPoll_; }
  /// Sum of everything ingested through this object.
  const IngestCounts& totals() const { return totals_; }

 private:
  IngestCounts ingest(TraceFollower::PollResult&& result);

  TraceFollower& follower_;
  StatementStore& store_;
  TraceFollower::PollResult lastPoll_;
  IngestCounts totals_;
};

}  // namespace sysimage::core
