// Ingestion of trace files: lines from a TraceFollower, parsed, into a StatementStore.
#include "server/core/ingest.h"

#include <utility>

namespace sysimage::core {

IngestCounts& IngestCounts::operator+=(const IngestCounts& other) {
  lines += other.lines;
  added += other.added;
  duplicates += other.duplicates;
  skipped += other.skipped;
  invalid += other.invalid;
  return *this;
}

IngestCounts Ingestor::poll() { return ingest(follower_.poll()); }

IngestCounts Ingestor::finish() { return ingest(follower_.finish()); }

IngestCounts Ingestor::ingestLine(std::string_view line) {
  IngestCounts counts;
  counts.lines = 1;
  const ParsedLine parsed = parseTraceLine(line);
  switch (parsed.kind) {
    case ParsedLine::Kind::Statement:
      switch (store_.add(parsed)) {
        case StatementStore::AddResult::Added:
          ++counts.added;
          break;
        case StatementStore::AddResult::Duplicate:
        case StatementStore::AddResult::Updated:
          ++counts.duplicates;
          break;
        case StatementStore::AddResult::Rejected:
          ++counts.invalid;
          break;
      }
      break;
    case ParsedLine::Kind::Comment:
    case ParsedLine::Kind::Blank:
    case ParsedLine::Kind::Other:
      ++counts.skipped;
      break;
    case ParsedLine::Kind::Invalid:
      ++counts.invalid;
      break;
  }
  totals_ += counts;
  return counts;
}

IngestCounts Ingestor::ingest(TraceFollower::PollResult&& result) {
  IngestCounts counts;
  for (const std::string& line : result.lines) counts += ingestLine(line);
  IngestCounts longLines;
  longLines.lines = longLines.invalid = result.skippedLongLines;
  counts += longLines;
  totals_ += longLines;
  result.lines.clear();
  lastPoll_ = std::move(result);
  return counts;
}

}  // namespace sysimage::core
