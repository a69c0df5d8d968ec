#pragma once
// Labels out of one workspace and into another, so that several annotators
// who labelled copies of the same workspace can merge their work.
//
// The file is JSON lines, one label ever given per line (the history, not
// only the latest values), oldest first per sample:
//   {"sample_id": 12, "run_id": 1, "step": 3, "prompt": "...", "completion": "...",
//    "aspect": "safety", "value": 0.75, "annotator": "ana", "time_ms": 1764150000000}
// Import finds each sample by id and accepts it only when its prompt and
// completion are the same text (a copy of the same workspace); it appends the
// labels the workspace does not hold yet, with their annotator and time, and
// skips exact duplicates, so importing a file twice changes nothing. Labels
// are append-only, so the latest label (by time) still wins; a conflict is a
// sample and aspect whose latest labels from two annotators differ.

#include "io/input_limits.h"
#include "store/store.h"

#include <string>
#include <vector>

namespace awb {

struct LabelExportResult
{
    std::int64_t samples = 0;   // labelled samples written
    std::int64_t labels = 0;    // label lines written
};

// Every label of every labelled sample (discarded samples included). Throws
// IoError naming `path` when it cannot be written; the file is written to a
// temporary name and renamed, so a failure leaves no partial file.
LabelExportResult exportLabels(const Store &store, const std::string &path);

struct LabelConflict
{
    std::int64_t sampleId = 0;
    std::string aspect;
    // Each annotator's latest value for that sample and aspect (two or more).
    std::vector<std::pair<std::string, double>> values;
};

struct LabelImportResult
{
    std::int64_t added = 0;        // labels appended
    std::int64_t duplicates = 0;   // already in the workspace, skipped
    std::int64_t unmatched = 0;    // no such sample, or its text differs: skipped
    std::vector<std::string> problems;   // "<path>:<line>: ..." for unmatched lines (the first 20)
    // Over the samples the file touched, after the import.
    std::vector<LabelConflict> conflicts;
};

// Throws Error naming `path` and the line for a line that is not a label
// (bad JSON, a missing or mistyped field, a non-finite value) or past one of
// `limits` (a line too long, too many labels; the file may be gzip-compressed);
// nothing is written then, as the whole file is read first. Each label is then appended
// in its own transaction: after a failure midway (a full disk), importing the
// file again adds the rest and skips what is there.
LabelImportResult importLabels(Store &store, const std::string &path, const ReadLimits &limits = {});

} // namespace awb
