#pragma once
// Limits on what a file a user hands the workbench may make it do, in one place.
//
// Each limit is far above what real files need and far below what would
// exhaust memory or time; a file past one is valid-looking but hostile (a gzip
// bomb, a 1 GB line, JSON nested a million deep, a regex that backtracks
// forever) and is refused with a FormatError naming the file and the limit.
// The streaming readers take a ReadLimits, so a caller (or a test) may lower
// them; the others are fixed here.
//
// Plain constants and value types: any thread.

#include <cstdint>
#include <string>

namespace awb {

constexpr std::int64_t kMiB = std::int64_t{1} << 20;

// Arrays and objects nested deeper than this in any JSON the workbench reads
// (files, JSONL lines, the workspace's JSON columns). Real files nest fewer
// than 10 levels; code that walks a parsed document recursively needs a bound.
constexpr int kMaxJsonDepth = 512;

// A whole-file JSON document (config.json, tokenizer.json, tokenizer_config.json,
// aspects.json, ...). The largest real tokenizer.json files are about 35 MB.
constexpr std::int64_t kMaxJsonFileBytes = 256 * kMiB;

// One line of a JSONL file, or one record of a CSV file (quoted line breaks
// included). A prompt, a response or a transcript is at most a few hundred KB.
constexpr std::int64_t kMaxLineBytes = 16 * kMiB;

// Fields of one CSV record. Prompt sets and reward-model data have a few to a
// few dozen columns; a line of 16 million commas would otherwise be 16 million
// strings.
constexpr std::int64_t kMaxCsvFields = 4096;

// The text of one data file (prompt set, reward-model data, labels) after
// gzip inflation. HH-RLHF's whole training set is about 200 MB.
constexpr std::int64_t kMaxTextBytes = 2048 * kMiB;

// A gzip file whose inflated text grows past kGzipRatioAfterBytes while being
// more than kMaxGzipRatio times the compressed bytes read is a bomb. Text
// compresses 3 to 10 times, templated JSONL up to about 50; a stream of one
// repeated byte compresses about 1000 times.
constexpr std::int64_t kMaxGzipRatio = 100;
constexpr std::int64_t kGzipRatioAfterBytes = 64 * kMiB;

// Records of one data file: prompts kept from a prompt set, records of a
// reward-model data file, lines of a labels file. The paper trains on 7,000
// prompts; HH-RLHF has 170,000 conversations.
constexpr std::int64_t kMaxRecords = 2'000'000;

// Token ids in tokenizer.json (vocabulary, added tokens, post-processor).
// Ids index tables, so one id of 2^31 would be a table of 2^31 entries; the
// largest real vocabularies have about 260,000 tokens.
constexpr std::int64_t kMaxTokenId = (std::int64_t{1} << 22) - 1;

// The chat_template of tokenizer_config.json. Real templates are under 20 KB.
// Templates are recognised by their markers and rendered by code (see
// chat_template.h), never executed, so a template cannot loop; this bounds
// only the text kept.
constexpr std::int64_t kMaxChatTemplateBytes = 1 * kMiB;

// A tokenizer.json pre-tokenizer regex: PCRE2's match limit (backtracking steps
// of one search, also its depth limit), heap limit and JIT stack. Real patterns
// need a few hundred steps per piece; a catastrophically backtracking one needs
// exponentially many.
constexpr std::uint32_t kMaxRegexMatchSteps = 10'000'000;
constexpr std::uint32_t kMaxRegexHeapKiB = 64 * 1024;
constexpr std::int64_t kMaxRegexJitStackBytes = 8 * kMiB;

// The limits of the streaming readers (TextReader, CsvReader and the importers
// built on them). The defaults are the constants above.
struct ReadLimits
{
    std::int64_t maxLineBytes = kMaxLineBytes;           // one line, or one CSV record
    std::int64_t maxTextBytes = kMaxTextBytes;           // the whole (inflated) text
    std::int64_t maxGzipRatio = kMaxGzipRatio;           // inflated : compressed ...
    std::int64_t gzipRatioAfterBytes = kGzipRatioAfterBytes;   // ... checked past this many inflated bytes
    std::int64_t maxRecords = kMaxRecords;               // prompts, records or label lines of one file
};

// "16 MiB", "2 GiB", "1000 bytes": a byte count as the limits' messages print it.
std::string byteCountText(std::int64_t bytes);

} // namespace awb
