#pragma once
// The experiment store: one SQLite file per workspace holding prompt sets,
// runs, per-step metrics and samples, human labels, reward-model versions,
// checkpoints and plot events.
//
// Threads: a Store is one connection and belongs to the thread that uses it;
// it is movable but never shared. Each thread (GUI, GRPO worker, reward-model
// trainer) opens its own Store on the same file. The file is in WAL mode, so
// readers never block the writer nor each other and always see whole steps;
// writers queue behind each other for up to StoreOptions::busyTimeoutMs.
//
// Errors: every SQLite failure throws IoError naming the file and the
// operation ("ws.awb: cannot write step 12 of run 3: database is locked"); a
// file that is not a workspace (not SQLite, another application's database, a
// schema newer than this build) throws FormatError naming the file. Writes are
// transactions: a failed call leaves the file as it was.
//
// Durability: synchronous=FULL, so a committed step or label survives a crash
// or power loss; a crash loses at most the step being written.

#include "store/store_records.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace awb {

class SqliteDb;

struct StoreOptions
{
    // How long a write waits for another connection's write to finish before
    // failing with "database is locked".
    int busyTimeoutMs = 5000;
};

class Store
{
public:
    // The schema version this build writes; older files are migrated on open.
    static std::int64_t currentSchemaVersion();

    // Creates the file, or opens and migrates an older one in one transaction.
    static Store open(const std::string &path, const StoreOptions &options = {});

    ~Store();
    Store(Store &&) noexcept;
    Store &operator=(Store &&) noexcept;
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    std::int64_t schemaVersion() const;
    const std::string &path() const;

    // --- Prompt sets -------------------------------------------------------
    std::int64_t addPromptSet(const std::string &name, const std::string &source);
    // Returns how many were inserted; a prompt whose text is already in the set
    // is skipped. Throws Error for a split other than "train"/"test".
    std::int64_t addPrompts(std::int64_t setId, const std::vector<PromptRecord> &prompts);
    // In insertion order; `split` "" returns both splits.
    std::vector<PromptRecord> prompts(std::int64_t setId, const std::string &split = "") const;
    std::vector<std::pair<std::int64_t, std::string>> promptSets() const;   // (id, name)

    // --- Runs --------------------------------------------------------------
    struct RunInfo
    {
        std::int64_t id = 0;
        std::string name, status;
        nlohmann::json config;
        std::int64_t lastStep = 0;
        std::int64_t createdMs = 0;
        std::int64_t updatedMs = 0;   // last status change or step write
    };
    // New runs have status "created".
    std::int64_t createRun(const std::string &name, const nlohmann::json &config);
    void setRunStatus(std::int64_t runId, const std::string &status);   // Error for an unknown run
    std::vector<RunInfo> runs() const;   // oldest first
    std::optional<RunInfo> run(std::int64_t id) const;

    // --- Steps, metrics, samples -------------------------------------------
    // One transaction: the step row, its flattened metrics and its samples
    // (their runId/step are taken from `step`). Nothing is written on failure.
    void writeStep(const StepRecord &step);
    // The step row with its samples, or nullopt.
    std::optional<StepRecord> stepRecord(std::int64_t runId, std::int64_t step) const;
    std::int64_t lastStep(std::int64_t runId) const;   // 0 when none
    // Used by resume: drops steps, metrics, events and checkpoint rows after
    // `step`. Samples after `step` are deleted unless labelled: labels are
    // never lost, so labelled samples stay, marked `discarded` (hidden from
    // samples() unless SampleFilter::includeDiscarded). Checkpoint files on
    // disk are the caller's.
    void truncateRunAfter(std::int64_t runId, std::int64_t step);
    // (step, value) in step order; a NaN value reads back as NaN.
    std::vector<std::pair<std::int64_t, double>> metricSeries(std::int64_t runId, const std::string &name) const;
    std::vector<std::string> metricNames(std::int64_t runId) const;   // sorted
    std::vector<SampleRecord> samples(const SampleFilter &filter) const;
    std::int64_t countSamples(const SampleFilter &filter) const;   // ignores limit/offset

    // --- Labels (append-only; the latest per sample and aspect wins) --------
    // timeMs 0 means now. Returns the label's id. Error for an empty aspect or
    // a non-finite value; IoError for an unknown sample.
    // `queue` names the order the annotator picked the sample from ("uncertainty",
    // "disagreement"; empty: none), for labelsSince(time, queue).
    std::int64_t addLabel(const LabelRecord &label, const std::string &queue = {});
    std::vector<LabelRecord> labelHistory(std::int64_t sampleId) const;   // oldest first
    std::map<std::string, double> latestLabels(std::int64_t sampleId) const;
    struct LabelledSample
    {
        std::int64_t sampleId = 0;
        std::string prompt, completion;
        std::map<std::string, double> labels;   // latest value per aspect
    };
    // Every sample with at least one label (discarded ones included), by id:
    // the training set of the reward model.
    std::vector<LabelledSample> labelledSamples() const;
    // step -> aspect -> mean of the latest labels of the run's (not discarded) samples of that step:
    // the over-optimisation view's stand-in for gold off the demo.
    std::map<std::int64_t, std::map<std::string, double>> labelMeansByStep(std::int64_t runId) const;
    std::int64_t labelCount() const;                          // label rows ever appended
    std::int64_t labelsSince(std::int64_t timeMs) const;      // rows with time >= timeMs
    // Rows with time >= timeMs that addLabel() was given `queue` for.
    std::int64_t labelsSince(std::int64_t timeMs, const std::string &queue) const;
    std::map<std::string, std::int64_t> labelCountsPerAspect() const;   // distinct samples labelled

    // --- Reward models -----------------------------------------------------
    struct RewardModelInfo
    {
        std::int64_t version = 0;
        std::string path;
        std::int64_t labelCount = 0;
        nlohmann::json metrics;
        std::int64_t createdMs = 0;
        std::string note;
    };
    // Returns the new version: one more than the highest so far (the first is 1).
    std::int64_t registerRewardModel(const std::string &path, std::int64_t labelCount, const nlohmann::json &metrics,
                                     const std::string &note);
    std::vector<RewardModelInfo> rewardModels() const;   // by version
    std::optional<RewardModelInfo> rewardModel(std::int64_t version) const;

    // --- Checkpoints and events --------------------------------------------
    // A second checkpoint at the same step replaces the first's path.
    void addCheckpoint(std::int64_t runId, std::int64_t step, const std::string &path);
    std::optional<std::pair<std::int64_t, std::string>> latestCheckpoint(std::int64_t runId) const;   // (step, path)
    struct Event
    {
        std::int64_t step = 0;
        std::string kind;   // "weights", "reward_model", "pause", ...
        nlohmann::json payload;
    };
    void addEvent(std::int64_t runId, std::int64_t step, const std::string &kind, const nlohmann::json &payload);
    std::vector<Event> events(std::int64_t runId) const;   // by step, then insertion

    // --- Controls of a run another process trains ----------------------------
    // The window writes them; the training process (awb train, rank 0 of a
    // job) reads them at the start of every step, so a headless run can be
    // steered from the desktop and survives a closed window.
    struct RunControls
    {
        std::map<std::string, double> weights;   // empty: the run's own
        std::string aggregation;                 // empty: the run's own
        std::map<std::string, double> bounds;    // constraints' bounds by aspect; empty: the run's own
        std::int64_t rewardModelVersion = 0;     // 0: keep the one in use
        std::string command;                     // "", "pause" or "stop"
        std::int64_t revision = 0;               // bumped by every write
    };
    // Replaces the run's controls (revision = the previous one + 1); returns the new revision.
    std::int64_t setRunControls(std::int64_t runId, const RunControls &controls);
    std::optional<RunControls> runControls(std::int64_t runId) const;

private:
    explicit Store(std::unique_ptr<SqliteDb> db);
    SqliteDb &db() const { return *m_db; }

    // unique_ptr keeps sqlite3 out of this header and makes moves cheap.
    std::unique_ptr<SqliteDb> m_db;
};

} // namespace awb
