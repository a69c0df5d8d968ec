// Store: opening, prompt sets, runs, reward models, checkpoints and events.
// Steps and metrics live in store_steps.cpp, samples and labels in
// store_samples.cpp.

#include "store/store.h"

#include "io/json_util.h"
#include "store/store_internal.h"

#include <chrono>
#include <cmath>

namespace awb {

using namespace store_detail;

namespace store_detail {

std::int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string aspectMapToJson(const std::map<std::string, double> &values)
{
    nlohmann::json out = nlohmann::json::object();
    for (const auto &[aspect, value] : values)
        out[aspect] = std::isnan(value) ? nlohmann::json() : nlohmann::json(value);
    return dumpJson(out);
}

std::map<std::string, double> aspectMapFromJson(const std::string &text, const std::string &label)
{
    std::map<std::string, double> out;
    const nlohmann::json json = jsonColumn(text, label);
    if (!json.is_object())
        return out;
    for (const auto &[aspect, value] : json.items()) {
        if (value.is_number())
            out[aspect] = value.get<double>();
        else if (value.is_null())
            out[aspect] = std::nan("");
    }
    return out;
}

std::string aspectListsToJson(const std::map<std::string, std::vector<double>> &values)
{
    nlohmann::json json = nlohmann::json::object();
    for (const auto &[aspect, list] : values) {
        nlohmann::json a = nlohmann::json::array();
        for (const double v : list)
            a.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
        json[aspect] = std::move(a);
    }
    return dumpJson(json);
}

std::map<std::string, std::vector<double>> aspectListsFromJson(const std::string &text, const std::string &label)
{
    std::map<std::string, std::vector<double>> out;
    const nlohmann::json json = jsonColumn(text, label);
    if (!json.is_object())
        return out;
    for (const auto &[aspect, list] : json.items()) {
        if (!list.is_array())
            continue;
        auto &values = out[aspect];
        for (const auto &v : list)
            values.push_back(v.is_number() ? v.get<double>() : std::nan(""));
    }
    return out;
}

std::string dumpJson(const nlohmann::json &json)
{
    // Replace rather than throw on invalid UTF-8: a byte-level tokenizer can
    // produce half a character, and losing a step over it would be worse.
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json jsonColumn(const std::string &text, const std::string &label)
{
    return parseJson(text, label);
}

} // namespace store_detail

namespace {

std::string runText(std::int64_t runId) { return "run " + std::to_string(runId); }

} // namespace

std::int64_t Store::currentSchemaVersion() { return latestSchemaVersion(); }

Store::Store(std::unique_ptr<SqliteDb> db) : m_db(std::move(db)) {}
Store::~Store() = default;
Store::Store(Store &&) noexcept = default;
Store &Store::operator=(Store &&) noexcept = default;

Store Store::open(const std::string &path, const StoreOptions &options)
{
    std::unique_ptr<SqliteDb> db;
    try {
        db = std::make_unique<SqliteDb>(SqliteDb::open(path));
    } catch (const SqliteError &e) {
        throw SqliteError(path, "cannot open the workspace: " + e.detail(), e.code());
    }
    prepareWorkspace(*db, options.busyTimeoutMs);
    return Store(std::move(db));
}

std::int64_t Store::schemaVersion() const
{
    return withContext(db(), "read the schema version", [&] { return db().queryInt("PRAGMA user_version"); });
}

const std::string &Store::path() const { return db().path(); }

// --- Prompt sets -----------------------------------------------------------

std::int64_t Store::addPromptSet(const std::string &name, const std::string &source)
{
    return withContext(db(), "add prompt set \"" + name + "\"", [&] {
        SqliteStatement st(db(), "INSERT INTO prompt_sets (name, source, created_ms) VALUES (?, ?, ?)");
        st.bind(1, name).bind(2, source).bind(3, nowMs()).run();
        return db().lastInsertId();
    });
}

std::int64_t Store::addPrompts(std::int64_t setId, const std::vector<PromptRecord> &prompts)
{
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        if (prompts[i].split != "train" && prompts[i].split != "test")
            throw Error(path() + ": prompt " + std::to_string(i) + " of the batch for prompt set " + std::to_string(setId)
                        + ": split must be \"train\" or \"test\", not \"" + prompts[i].split + "\"");
    }
    return withContext(db(), "add prompts to prompt set " + std::to_string(setId), [&] {
        SqliteTransaction tx(db());
        // Only the (set, text) uniqueness is forgiven; any other constraint still fails.
        SqliteStatement st(db(), "INSERT INTO prompts (set_id, text, chosen, rejected, split, source_id)"
                                 " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (set_id, text) DO NOTHING");
        std::int64_t inserted = 0;
        for (const PromptRecord &p : prompts) {
            st.bind(1, setId).bind(2, p.text).bind(3, p.chosen).bind(4, p.rejected).bind(5, p.split).bind(6, p.sourceId);
            st.run();
            inserted += db().changes();
            st.reset();
        }
        tx.commit();
        return inserted;
    });
}

std::vector<PromptRecord> Store::prompts(std::int64_t setId, const std::string &split) const
{
    return withContext(db(), "read prompt set " + std::to_string(setId), [&] {
        SqliteStatement st(db(), "SELECT id, text, chosen, rejected, split, source_id FROM prompts"
                                 " WHERE set_id = ? AND (? = '' OR split = ?) ORDER BY id");
        st.bind(1, setId).bind(2, split).bind(3, split);
        std::vector<PromptRecord> out;
        while (st.step()) {
            PromptRecord p;
            p.id = st.columnInt(0);
            p.text = st.columnText(1);
            p.chosen = st.columnText(2);
            p.rejected = st.columnText(3);
            p.split = st.columnText(4);
            p.sourceId = st.columnText(5);
            out.push_back(std::move(p));
        }
        return out;
    });
}

std::vector<std::pair<std::int64_t, std::string>> Store::promptSets() const
{
    return withContext(db(), "list prompt sets", [&] {
        SqliteStatement st(db(), "SELECT id, name FROM prompt_sets ORDER BY id");
        std::vector<std::pair<std::int64_t, std::string>> out;
        while (st.step())
            out.emplace_back(st.columnInt(0), st.columnText(1));
        return out;
    });
}

// --- Runs ------------------------------------------------------------------

std::int64_t Store::createRun(const std::string &name, const nlohmann::json &config)
{
    return withContext(db(), "create run \"" + name + "\"", [&] {
        const std::int64_t now = nowMs();
        SqliteStatement st(db(), "INSERT INTO runs (name, config_json, status, created_ms, updated_ms)"
                                 " VALUES (?, ?, 'created', ?, ?)");
        st.bind(1, name).bind(2, dumpJson(config)).bind(3, now).bind(4, now).run();
        return db().lastInsertId();
    });
}

void Store::setRunStatus(std::int64_t runId, const std::string &status)
{
    const auto changed = withContext(db(), "set the status of " + runText(runId), [&] {
        SqliteStatement st(db(), "UPDATE runs SET status = ?, updated_ms = ? WHERE id = ?");
        st.bind(1, status).bind(2, nowMs()).bind(3, runId).run();
        return db().changes();
    });
    if (changed == 0)
        throw Error(path() + ": cannot set the status of " + runText(runId) + ": no such run");
}

namespace {

constexpr const char *kRunColumns =
    "SELECT id, name, status, config_json, created_ms, updated_ms,"
    " (SELECT coalesce(max(step), 0) FROM steps WHERE run_id = runs.id) FROM runs";

Store::RunInfo readRun(const SqliteStatement &st, const std::string &path)
{
    Store::RunInfo r;
    r.id = st.columnInt(0);
    r.name = st.columnText(1);
    r.status = st.columnText(2);
    r.config = jsonColumn(st.columnText(3), path + " (config of " + runText(r.id) + ")");
    r.createdMs = st.columnInt(4);
    r.updatedMs = st.columnInt(5);
    r.lastStep = st.columnInt(6);
    return r;
}

} // namespace

std::vector<Store::RunInfo> Store::runs() const
{
    return withContext(db(), "list runs", [&] {
        SqliteStatement st(db(), std::string(kRunColumns) + " ORDER BY id");
        std::vector<RunInfo> out;
        while (st.step())
            out.push_back(readRun(st, path()));
        return out;
    });
}

std::optional<Store::RunInfo> Store::run(std::int64_t id) const
{
    return withContext(db(), "read " + runText(id), [&]() -> std::optional<RunInfo> {
        SqliteStatement st(db(), std::string(kRunColumns) + " WHERE id = ?");
        st.bind(1, id);
        if (!st.step())
            return std::nullopt;
        return readRun(st, path());
    });
}

// --- Reward models ---------------------------------------------------------

std::int64_t Store::registerRewardModel(const std::string &modelPath, std::int64_t labelCount,
                                        const nlohmann::json &metrics, const std::string &note)
{
    return withContext(db(), "register reward model " + modelPath, [&] {
        // One transaction, so two trainers registering at once get distinct versions.
        SqliteTransaction tx(db());
        const std::int64_t version = db().queryInt("SELECT coalesce(max(version), 0) + 1 FROM reward_models");
        SqliteStatement st(db(), "INSERT INTO reward_models (version, path, label_count, metrics_json, created_ms, note)"
                                 " VALUES (?, ?, ?, ?, ?, ?)");
        st.bind(1, version).bind(2, modelPath).bind(3, labelCount).bind(4, dumpJson(metrics)).bind(5, nowMs()).bind(6, note);
        st.run();
        tx.commit();
        return version;
    });
}

namespace {

constexpr const char *kRewardModelColumns =
    "SELECT version, path, label_count, metrics_json, created_ms, note FROM reward_models";

Store::RewardModelInfo readRewardModel(const SqliteStatement &st, const std::string &path)
{
    Store::RewardModelInfo r;
    r.version = st.columnInt(0);
    r.path = st.columnText(1);
    r.labelCount = st.columnInt(2);
    r.metrics = jsonColumn(st.columnText(3), path + " (metrics of reward model " + std::to_string(r.version) + ")");
    r.createdMs = st.columnInt(4);
    r.note = st.columnText(5);
    return r;
}

} // namespace

std::vector<Store::RewardModelInfo> Store::rewardModels() const
{
    return withContext(db(), "list reward models", [&] {
        SqliteStatement st(db(), std::string(kRewardModelColumns) + " ORDER BY version");
        std::vector<RewardModelInfo> out;
        while (st.step())
            out.push_back(readRewardModel(st, path()));
        return out;
    });
}

std::optional<Store::RewardModelInfo> Store::rewardModel(std::int64_t version) const
{
    return withContext(db(), "read reward model " + std::to_string(version), [&]() -> std::optional<RewardModelInfo> {
        SqliteStatement st(db(), std::string(kRewardModelColumns) + " WHERE version = ?");
        st.bind(1, version);
        if (!st.step())
            return std::nullopt;
        return readRewardModel(st, path());
    });
}

// --- Checkpoints and events ------------------------------------------------

void Store::addCheckpoint(std::int64_t runId, std::int64_t step, const std::string &checkpointPath)
{
    withContext(db(), "add the checkpoint of step " + std::to_string(step) + " of " + runText(runId), [&] {
        SqliteStatement st(db(), "INSERT OR REPLACE INTO checkpoints (run_id, step, path, time_ms) VALUES (?, ?, ?, ?)");
        st.bind(1, runId).bind(2, step).bind(3, checkpointPath).bind(4, nowMs()).run();
    });
}

std::optional<std::pair<std::int64_t, std::string>> Store::latestCheckpoint(std::int64_t runId) const
{
    using Result = std::optional<std::pair<std::int64_t, std::string>>;
    return withContext(db(), "read the latest checkpoint of " + runText(runId), [&]() -> Result {
        SqliteStatement st(db(), "SELECT step, path FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1");
        st.bind(1, runId);
        if (!st.step())
            return std::nullopt;
        return std::make_pair(st.columnInt(0), st.columnText(1));
    });
}

void Store::addEvent(std::int64_t runId, std::int64_t step, const std::string &kind, const nlohmann::json &payload)
{
    withContext(db(), "add a \"" + kind + "\" event at step " + std::to_string(step) + " of " + runText(runId), [&] {
        SqliteStatement st(db(), "INSERT INTO events (run_id, step, kind, payload_json) VALUES (?, ?, ?, ?)");
        st.bind(1, runId).bind(2, step).bind(3, kind).bind(4, dumpJson(payload)).run();
    });
}

std::int64_t Store::setRunControls(std::int64_t runId, const RunControls &c)
{
    return withContext(db(), "set the controls of " + runText(runId), [&] {
        SqliteTransaction tx(db());
        const nlohmann::json j = {{"weights", c.weights},
                                  {"aggregation", c.aggregation},
                                  {"bounds", c.bounds},
                                  {"reward_model_version", c.rewardModelVersion},
                                  {"command", c.command}};
        SqliteStatement st(db(), "INSERT INTO run_controls (run_id, controls_json, revision, updated_ms) VALUES (?, ?, 1, ?) "
                                 "ON CONFLICT (run_id) DO UPDATE SET controls_json = excluded.controls_json, "
                                 "revision = revision + 1, updated_ms = excluded.updated_ms");
        st.bind(1, runId).bind(2, dumpJson(j)).bind(3, nowMs()).run();
        SqliteStatement rev(db(), "SELECT revision FROM run_controls WHERE run_id = ?");
        rev.bind(1, runId);
        rev.step();
        const std::int64_t revision = rev.columnInt(0);
        tx.commit();
        return revision;
    });
}

std::optional<Store::RunControls> Store::runControls(std::int64_t runId) const
{
    return withContext(db(), "read the controls of " + runText(runId), [&]() -> std::optional<RunControls> {
        SqliteStatement st(db(), "SELECT controls_json, revision FROM run_controls WHERE run_id = ?");
        st.bind(1, runId);
        if (!st.step())
            return std::nullopt;
        const std::string label = path() + " (controls of " + runText(runId) + ")";
        const nlohmann::json j = jsonColumn(st.columnText(0), label);
        if (!j.is_object())
            throw FormatError(label + ": expected a JSON object, not " + j.type_name());
        RunControls c;
        if (const auto w = j.find("weights"); w != j.end() && w->is_object())
            for (const auto &[name, v] : w->items())
                if (v.is_number())
                    c.weights[name] = v.get<double>();
        if (const auto b = j.find("bounds"); b != j.end() && b->is_object())
            for (const auto &[name, v] : b->items())
                if (v.is_number())
                    c.bounds[name] = v.get<double>();
        c.aggregation = optString(j, "aggregation", label).value_or("");
        c.rewardModelVersion = optInt(j, "reward_model_version", label).value_or(0);
        c.command = optString(j, "command", label).value_or("");
        c.revision = st.columnInt(1);
        return c;
    });
}

std::vector<Store::Event> Store::events(std::int64_t runId) const
{
    return withContext(db(), "read the events of " + runText(runId), [&] {
        SqliteStatement st(db(), "SELECT step, kind, payload_json, id FROM events WHERE run_id = ? ORDER BY step, id");
        st.bind(1, runId);
        std::vector<Event> out;
        while (st.step()) {
            Event e;
            e.step = st.columnInt(0);
            e.kind = st.columnText(1);
            e.payload = jsonColumn(st.columnText(2), path() + " (payload of event " + std::to_string(st.columnInt(3)) + ")");
            out.push_back(std::move(e));
        }
        return out;
    });
}

} // namespace awb
