#pragma once
// Import of prompt sets from disk: JSONL, CSV (RFC 4180) and Anthropic HH-RLHF
// transcripts, plain or gzip-compressed. The result is a flat list of prompts
// (with chosen/rejected replies when the source has them) ready for the store.
//
// Files are streamed, never read whole, so multi-gigabyte sets import in
// constant memory apart from the prompts kept. importPrompts is a free function
// with no shared state: any thread may call it; `progress` is called on the
// calling thread.

#include "io/input_limits.h"
#include "store/store_records.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace awb {

struct ImportedPrompt
{
    std::string text;            // trimmed; inner whitespace kept as in the source
    std::string chosen;          // hh-rlhf: first Assistant reply of the "chosen" transcript
    std::string rejected;        // hh-rlhf: first Assistant reply of the "rejected" transcript
    std::string sourceId;        // 1-based line number where the record starts
    std::string split = "train"; // "train" or "test" (held out)
};

struct PromptImportOptions
{
    // "auto" picks by extension (.jsonl/.json/.csv, under an optional .gz),
    // then by content ('{' first means JSONL); a JSONL file whose first object
    // holds "chosen" and "rejected" transcripts is hh-rlhf.
    std::string format = "auto"; // auto, jsonl, csv, hh-rlhf
    // JSONL: key of the prompt, dotted for nested objects ("meta.question").
    // CSV: the column header. Ignored for hh-rlhf.
    std::string field = "prompt";
    // Fraction put in split "test". Chosen by a stable hash of the normalised
    // text, so a re-import (or another machine) puts the same prompts there.
    double heldOutFraction = 0.05;
    // Drop a prompt whose text, trimmed and with whitespace runs collapsed to
    // one space, equals an earlier one's. The first occurrence is kept.
    bool dedup = true;
    std::int64_t maxPrompts = 0; // stop after this many prompts are kept; 0 = all
    // Lines, text and gzip inflation (see input_limits.h); more prompts kept
    // than limits.maxRecords (with maxPrompts 0 or larger) is a FormatError.
    ReadLimits limits;
};

struct PromptImportResult
{
    std::vector<ImportedPrompt> prompts;
    std::int64_t duplicates = 0;       // dropped by dedup
    std::int64_t skipped = 0;          // records without a usable prompt
    std::vector<std::string> warnings; // the first few skips with their line, then a summary
    std::string format;                // the format actually used: jsonl, csv or hh-rlhf
};

// Throws IoError when the file cannot be opened or read, FormatError naming
// file:line for a line that is not JSON, an unterminated CSV quote, a CSV
// header without the requested column, or a file in which no record has the
// field, and FormatError naming the file and the limit past one of
// options.limits; Error for bad options. `progress` receives the number of records read
// so far (every 1000 records and at the end); returning false stops the import
// early and the result holds what was kept until then, with a warning saying so.
PromptImportResult importPrompts(const std::string &path, const PromptImportOptions &options = {},
                                 const std::function<bool(std::int64_t done)> &progress = {});

// The imported prompts as the store's records, for Store::addPrompts. Throws
// Error naming `path` when there are none ("nothing was imported"), so an
// empty or mis-configured file never leaves an empty prompt set behind.
std::vector<PromptRecord> promptRecords(const PromptImportResult &imported, const std::string &path,
                                        const std::string &field);

class Store;

// The id of the workspace's prompt set imported from `path` (named by the path), importing
// the file first when there is none: `field` as PromptImportOptions::field, 10% held out.
// Import warnings go to `log`. Throws Error naming the file when nothing would be imported or
// every prompt fell into the held-out split, before anything is stored.
std::int64_t importPromptSet(Store &store, const std::string &path, const std::string &field,
                             const std::function<void(const std::string &)> &log = {});

// The normalisation dedup uses: trimmed, each whitespace run collapsed to one space.
std::string normalizePromptText(const std::string &text);

// The split a text goes to for a held-out fraction: "test" when the 64-bit
// FNV-1a hash of its normalised form, passed through MurmurHash3's fmix64 and
// scaled to [0, 1), is below the fraction.
std::string promptSplitFor(const std::string &text, double heldOutFraction);

} // namespace awb
