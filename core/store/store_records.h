#pragma once
// The plain value types Store reads and writes. No behaviour; safe to copy
// between threads.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace awb {

struct PromptRecord
{
    std::int64_t id = 0;        // assigned by the store
    std::string text;           // unique within its set
    std::string chosen;         // reference replies, "" when the source has none
    std::string rejected;
    std::string split = "train";   // "train" or "test"
    std::string sourceId;       // the item's id in the source file, for provenance
};

struct SampleRecord
{
    std::int64_t id = 0;        // assigned by the store
    std::int64_t runId = 0;
    std::int64_t step = 0;
    std::optional<std::int64_t> promptId;   // nullopt for a prompt typed in, not from a set
    std::string prompt;
    std::string completion;
    int group = 0;              // which prompt of the step's batch
    int indexInGroup = 0;       // which of the G completions of that prompt
    std::int64_t completionTokens = 0;
    std::string finish;         // "length", "eos", "stop", "cancelled"
    std::map<std::string, double> scores;   // reward model's prediction per aspect
    std::map<std::string, double> gold;     // gold judge per aspect; empty when none
    double reward = 0.0;        // aggregated scalar (NaN survives the round trip)
    double advantage = 0.0;
    std::int64_t rewardModelVersion = 0;    // version that produced `scores`; 0 = unregistered
    // The aspect weights this sample's group was trained with, when they are
    // its own (a steerable run draws them per group); empty otherwise.
    std::map<std::string, double> weights;
    // An ensemble reward model's members' scores per aspect (M values each);
    // empty for a single model. `scores` is their mean, scoreStd their spread.
    std::map<std::string, std::vector<double>> members;
    std::map<std::string, double> scoreStd;   // sample std across members per aspect; empty for one model
    bool discarded = false;     // kept only for its labels after a resume truncated its step
};

struct StepRecord
{
    std::int64_t runId = 0;
    std::int64_t step = 0;
    // Flat or nested: numeric leaves go to the metrics table, nested objects
    // flattened as "a.b"; strings, booleans and arrays stay only in this JSON.
    nlohmann::json metrics;
    std::map<std::string, double> weights;   // aspect weights in force during the step
    std::string aggregation;                 // e.g. "sum_then_normalize"
    std::int64_t rewardModelVersion = 0;
    std::int64_t timeMs = 0;                 // 0 when writing means now
    std::vector<SampleRecord> samples;
};

struct LabelRecord
{
    std::int64_t id = 0;        // assigned by the store
    std::int64_t sampleId = 0;
    std::string aspect;
    double value = 0.0;
    std::string annotator;
    std::int64_t timeMs = 0;    // 0 when writing means now
};

// Conditions are ANDed; unset ones do not filter.
struct SampleFilter
{
    std::optional<std::int64_t> runId, stepMin, stepMax, promptId;   // step bounds inclusive
    std::optional<std::int64_t> sampleId;   // one sample
    std::string promptContains;   // substring of the prompt, ASCII case-insensitive
    // Predicted score of each named aspect within [lo, hi]; a sample without
    // that aspect does not match.
    std::map<std::string, std::pair<double, double>> aspectRanges;
    std::optional<bool> labelled;   // has at least one human label
    // Largest |predicted - latest human label| over the aspects that have
    // both, first; samples without such an aspect come last. Ties, and the
    // order without this flag: by run, step, then write order.
    bool orderByDisagreement = false;
    // Largest spread of the ensemble's members over `uncertaintyAspects` (all
    // aspects when empty), first; samples without a spread come last. Takes
    // precedence over orderByDisagreement.
    bool orderByUncertainty = false;
    std::vector<std::string> uncertaintyAspects;
    bool includeDiscarded = false;
    std::int64_t limit = 1000;    // negative: no limit
    std::int64_t offset = 0;
};

} // namespace awb
