// Fuzz entries of the data files users import: prompt sets, reward-model data
// and labels (see fuzz_entries.h).
#include "fuzz_entries.h"
#include "fuzz_support.h"

#include "data/prompt_import.h"
#include "reward/reward_data.h"
#include "store/label_exchange.h"
#include "store/store.h"

#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <set>

namespace awb::fuzz {

namespace {

// The checks of a prompt import that succeeded, then the GUI's next call.
void checkPrompts(const PromptImportResult &r, const std::string &path, const std::string &field)
{
    require(r.format == "jsonl" || r.format == "csv" || r.format == "hh-rlhf", "prompt import: format " + r.format);
    std::set<std::string> seen;
    for (const ImportedPrompt &p : r.prompts) {
        require(!p.text.empty(), "prompt import: an empty prompt was kept");
        require(p.split == "train" || p.split == "test", "prompt import: split " + p.split);
        require(!p.sourceId.empty() && p.sourceId.find_first_not_of("0123456789") == std::string::npos,
                "prompt import: source id " + p.sourceId + " is not a line number");
        require(seen.insert(normalizePromptText(p.text)).second, "prompt import: a duplicate survived dedup");
    }
    require(r.duplicates >= 0 && r.skipped >= 0, "prompt import: negative counts");
    attempt([&] {
        require(promptRecords(r, path, field).size() == r.prompts.size(), "prompt import: records lost");
    });
}

// A workspace with a row of every kind that holds JSON: run 1, its step 1 with
// three samples (ids 1, 2, 3), reward model 1, the run's controls and an event.
void fillWorkspace(Store &s)
{
    const std::int64_t run = s.createRun("fuzz", nlohmann::json::object());
    StepRecord step;
    step.runId = run;
    step.step = 1;
    step.metrics = nlohmann::json::object();
    const char *texts[][2] = {{"How do I bake bread?", "Mix flour, water and yeast."},
                              {"Tell me a joke.", "Why did the chicken cross the road?"},
                              {"caf\xc3\xa9", "\xe2\x98\x95 espresso"}};
    for (int i = 0; i < 3; ++i) {
        SampleRecord sample;
        sample.prompt = texts[i][0];
        sample.completion = texts[i][1];
        sample.indexInGroup = i;
        sample.finish = "eos";
        sample.scores = {{"politeness", 0.5}, {"safety", 0.25 * i}};
        sample.gold = {{"safety", 1.0}};
        step.samples.push_back(sample);
    }
    s.writeStep(step);
    s.registerRewardModel(scratchDir() + "/rm", 0, nlohmann::json{{"safety", {{"mae", 0.1}}}}, "fuzz");
    Store::RunControls controls;
    controls.weights = {{"safety", 2.0}};
    s.setRunControls(run, controls);
    s.addEvent(run, 1, "weights", nlohmann::json{{"safety", 2.0}});
}

// A copy of that workspace, as a file of its own: the template is built once
// and closed (its WAL folded in), every call copies it afresh.
Store freshWorkspace(const std::string &name)
{
    static const std::string templatePath = [] {
        const std::string path = scratchDir() + "/template.awb";
        Store s = Store::open(path);
        fillWorkspace(s);
        return path;
    }();
    const std::string path = scratchDir() + "/" + name;
    for (const char *suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(path + suffix);
    std::filesystem::copy_file(templatePath, path);
    return Store::open(path);
}

// A plain SQLite connection to a workspace, for what the store's API never does:
// writing a JSON column by hand.
class RawDb
{
public:
    explicit RawDb(const std::string &path)
    {
        if (sqlite3_open(path.c_str(), &m_db) != SQLITE_OK)
            throw std::runtime_error("fuzz: cannot open " + path);
        sqlite3_busy_timeout(m_db, 5000);
    }
    ~RawDb() { sqlite3_close(m_db); }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;

    // Runs `sql` with `text` bound to ?1 (when the statement has it).
    void run(const char *sql, const std::string &text = {})
    {
        sqlite3_stmt *st = nullptr;
        bool ok = sqlite3_prepare_v2(m_db, sql, -1, &st, nullptr) == SQLITE_OK;
        if (ok && sqlite3_bind_parameter_count(st) > 0)
            ok = sqlite3_bind_text(st, 1, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) == SQLITE_OK;
        ok = ok && sqlite3_step(st) == SQLITE_DONE;
        sqlite3_finalize(st);
        if (!ok)
            throw std::runtime_error(std::string("fuzz: ") + sql + ": " + sqlite3_errmsg(m_db));
    }

private:
    sqlite3 *m_db = nullptr;
};

void checkRewardData(const RewardDataset &d)
{
    const std::size_t K = d.schema.aspects().size();
    require(K > 0, "reward data: an empty schema");
    require(!d.examples.empty() || !d.pairs.empty(), "reward data: nothing loaded");
    for (const RewardExample &e : d.examples) {
        require(e.targets.size() == K, "reward data: an example with " + std::to_string(e.targets.size()) + " targets");
        bool any = false;
        for (std::size_t k = 0; k < K; ++k) {
            if (!e.targets[k])
                continue;
            any = true;
            const Aspect &a = d.schema.aspects()[k];
            require(std::isfinite(*e.targets[k]) && *e.targets[k] >= a.min && *e.targets[k] <= a.max,
                    "reward data: a target outside its aspect's range");
        }
        require(any, "reward data: an example without any target");
    }
    for (const RewardPreference &p : d.pairs) {
        require(p.aspect < K, "reward data: a pair's aspect out of range");
        require(p.chosen != p.rejected, "reward data: a pair with equal texts");
    }
}

} // namespace

void promptFile(const std::uint8_t *data, std::size_t size)
{
    // The file name picks the format ("auto"), as in the GUI's import and `awb train --config`.
    struct Case
    {
        const char *name, *format, *field;
    };
    static const Case cases[] = {{"prompts.jsonl", "auto", "prompt"},
                                 {"prompts.csv", "auto", "prompt"},
                                 {"prompts.txt", "auto", "meta.question"},
                                 {"prompts.jsonl", "hh-rlhf", "prompt"}};
    for (const Case &c : cases) {
        const std::string path = writeScratch(c.name, data, size);
        PromptImportOptions o;
        o.format = c.format;
        o.field = c.field;
        o.heldOutFraction = 0.1;
        PromptImportResult r;
        if (attempt([&] { r = importPrompts(path, o); }))
            checkPrompts(r, path, o.field);
    }
}

void labelFile(const std::uint8_t *data, std::size_t size)
{
    // Labels are append-only: every input starts from a fresh copy of the workspace.
    Store store = freshWorkspace("labels.awb");
    const std::string path = writeScratch("labels.jsonl", data, size);
    LabelImportResult r;
    if (attempt([&] { r = importLabels(store, path); })) {
        require(r.added >= 0 && r.duplicates >= 0 && r.unmatched >= 0, "label import: negative counts");
        for (const LabelConflict &c : r.conflicts)
            require(c.values.size() >= 2, "label import: a conflict of fewer than two annotators");
        // What the workspace holds now exports and imports again as duplicates only.
        const std::string exported = scratchDir() + "/labels-export.jsonl";
        const LabelExportResult e = exportLabels(store, exported);
        const LabelImportResult again = importLabels(store, exported);
        require(again.added == 0 && again.duplicates == e.labels,
                "label import: re-importing the export added " + std::to_string(again.added) + " labels");
    }
}

void rewardData(const std::uint8_t *data, std::size_t size)
{
    static const AspectSchema workspace({{"politeness", 0, 1, ""}, {"safety", 0, 1, ""}});
    for (const char *name : {"data.jsonl", "data.csv"}) {
        const std::string path = writeScratch(name, data, size);
        RewardDataset d;
        // Scores alone; a preference file for "safety"; --aspects; the workspace's schema.
        if (attempt([&] { d = loadRewardData({{path, ""}}, {}, std::nullopt); }))
            checkRewardData(d);
        if (attempt([&] { d = loadRewardData({{path, "safety"}}, {}, workspace); }))
            checkRewardData(d);
        if (attempt([&] { d = loadRewardData({{path, ""}}, parseAspectList("helpfulness,safety:0:1"), std::nullopt); }))
            checkRewardData(d);
        std::vector<std::string> warnings;
        std::vector<RewardPreference> pairs;
        if (attempt([&] { pairs = loadPreferenceFile(path, warnings); })) {
            require(!pairs.empty(), "preference file: no pairs and no error");
            for (const RewardPreference &p : pairs)
                require(p.aspect == 0 && p.chosen != p.rejected, "preference file: a bad pair");
        }
    }
}

void storeJson(const std::uint8_t *data, std::size_t size)
{
    // Every JSON column of the workspace holds the input, as a file edited or
    // damaged by another tool would; then every reader of those columns runs.
    static Store store = freshWorkspace("json.awb");
    static RawDb raw(store.path());
    const std::string text(reinterpret_cast<const char *>(data), size);
    for (const char *sql : {"UPDATE runs SET config_json = ?1", "UPDATE steps SET metrics_json = ?1, weights_json = ?1",
                            "UPDATE samples SET scores_json = ?1, gold_json = ?1",
                            "UPDATE reward_models SET metrics_json = ?1", "UPDATE run_controls SET controls_json = ?1",
                            "UPDATE events SET payload_json = ?1"})
        raw.run(sql, text);
    attempt([&] { store.runs(); });
    attempt([&] { store.run(1); });
    attempt([&] { store.stepRecord(1, 1); });
    SampleFilter all;
    all.runId = 1;
    attempt([&] { store.samples(all); });
    attempt([&] { store.rewardModels(); });
    attempt([&] { store.rewardModel(1); });
    attempt([&] { store.runControls(1); });
    attempt([&] { store.events(1); });
}

} // namespace awb::fuzz
