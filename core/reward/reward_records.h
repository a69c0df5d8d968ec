#pragma once
// The records of a reward-model data file (reward_data.h), read whole: JSON
// lines, or CSV with a header (empty cells become null), plain or
// gzip-compressed, each an ordered JSON object (keys in the file's column or
// key order) with the line it starts on. Internal to core/reward; free
// functions, any thread.

#include "io/input_limits.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace awb {

// Ordered, so aspects found in a file keep its column (or key) order rather than an alphabetical one.
using RewardRecordJson = nlohmann::ordered_json;

struct RewardRecord
{
    RewardRecordJson value;   // an object
    std::int64_t line = 0;    // 1-based line where it starts
};

// CSV when the name ends in .csv (under an optional .gz), else JSONL. Throws
// IoError when unreadable, FormatError naming file:line for a line that is
// not a JSON object, a CSV record whose field count differs from the
// header's, or past one of `limits` (more than maxRecords records included).
std::vector<RewardRecord> readRewardRecords(const std::string &path, const ReadLimits &limits);

// `s` without leading and trailing spaces, tabs, CRs and LFs.
std::string trimmed(const std::string &s);

} // namespace awb
