#pragma once
// Reward-model training data from users' files: per-aspect scores and
// preference pairs, in the layouts people already have.
//
// Layouts, recognised from the first record's keys (JSONL, or CSV with a
// header, plain or gzip-compressed):
//   labels      {prompt, response, labels: {aspect: value}}   (resources/demo/labels.jsonl)
//   scores      {prompt, response, <aspect>: value, ...}       flat JSONL or CSV; every other key
//               whose first given value (not null, not an empty cell) is a number is an aspect
//   helpsteer2  scores with HelpSteer2's columns (helpfulness, correctness,
//               coherence, complexity, verbosity), each 0-4 unless --aspects says otherwise
//   preference  {prompt, chosen, rejected}
//   hh-rlhf     {chosen, rejected} Anthropic HH-RLHF transcripts: the prompt is the
//               conversation up to the last "\n\nAssistant:", the response that turn
// A preference file supervises one named aspect ("FILE:ASPECT"); a score file
// may not name one. Missing or null scores are unlabelled (the masked loss
// skips them).
//
// The schema: the aspects given (names with optional ranges), else the
// workspace's, else those found in the data. A range not given is taken from
// the workspace schema, then HelpSteer2's 0-4, then the data ([0, 1] when the
// values lie in it, else [floor(min), ceil(max)]) with a warning naming it;
// a preference-only aspect without a range gets [0, 1] with a warning.
//
// Every error names the file, and the line for a bad record: no column
// matching any aspect, a non-numeric or out-of-range score, a pair with equal
// chosen and rejected texts, an empty file, an unrecognised layout, a
// preference file without an aspect; and the limit passed (ReadLimits: a
// line or record too long, too much text, a gzip bomb, too many records).
// Free functions; any thread.

#include "io/input_limits.h"
#include "reward/aspect_schema.h"
#include "reward/reward_examples.h"

#include <optional>
#include <string>
#include <vector>

namespace awb {

struct RewardDataFile
{
    std::string path;
    std::string aspect;   // preference files: the aspect supervised; empty otherwise
};

// "FILE" or "FILE:ASPECT". A path that exists as given is taken whole, so a
// file name holding ':' still works.
RewardDataFile parseRewardDataArgument(const std::string &argument);

// One entry of --aspects: NAME or NAME:MIN:MAX.
struct AspectRequest
{
    std::string name;
    std::optional<double> min, max;
};
// "a:0:1,b,c:1:5". Throws Error naming the entry for a malformed one.
std::vector<AspectRequest> parseAspectList(const std::string &text);

struct RewardDataFileSummary
{
    std::string path;
    std::string layout;          // labels, scores, helpsteer2, preference, hh-rlhf
    std::int64_t records = 0;    // examples or pairs read
    std::int64_t skipped = 0;    // records left out (see warnings)
    std::vector<std::string> aspects;   // the aspects this file supervises
};

struct RewardDataset
{
    AspectSchema schema;
    std::vector<RewardExample> examples;     // targets in schema order
    std::vector<RewardPreference> pairs;
    std::vector<RewardDataFileSummary> files;
    std::vector<std::string> warnings;
};

// `requested`: --aspects (may be empty); `workspace`: the workspace's schema, if any.
RewardDataset loadRewardData(const std::vector<RewardDataFile> &files, const std::vector<AspectRequest> &requested,
                             const std::optional<AspectSchema> &workspace, const ReadLimits &limits = {});

// The pairs of one preference file ({prompt, chosen, rejected} JSONL or CSV, or
// HH-RLHF transcripts; .gz allowed), for DPO: every pair's aspect is 0. A file
// of scores, an empty file or one whose pairs are all unusable is a FormatError
// naming the file; warnings (skipped pairs) are appended to `warnings`.
std::vector<RewardPreference> loadPreferenceFile(const std::string &path, std::vector<std::string> &warnings,
                                                const ReadLimits &limits = {});

// The aspects of HelpSteer2, in its column order.
const std::vector<std::string> &helpSteer2Aspects();

} // namespace awb
