// Store: training steps, their metrics (long format) and resume truncation.

#include "store/store.h"

#include "store/store_internal.h"

#include <cmath>

namespace awb {

using namespace store_detail;

namespace store_detail {

namespace {

void flattenInto(const nlohmann::json &value, const std::string &name, std::vector<std::pair<std::string, double>> &out)
{
    if (value.is_object()) {
        for (const auto &[key, child] : value.items())
            flattenInto(child, name.empty() ? key : name + "." + key, out);
    } else if (value.is_number() && !name.empty()) {
        out.emplace_back(name, value.get<double>());
    }
}

} // namespace

std::vector<std::pair<std::string, double>> flattenMetrics(const nlohmann::json &metrics)
{
    std::vector<std::pair<std::string, double>> out;
    flattenInto(metrics, "", out);
    return out;
}

} // namespace store_detail

namespace {

std::string stepText(std::int64_t runId, std::int64_t step)
{
    return "step " + std::to_string(step) + " of run " + std::to_string(runId);
}

} // namespace

void Store::writeStep(const StepRecord &record)
{
    withContext(db(), "write " + stepText(record.runId, record.step), [&] {
        const std::int64_t now = nowMs();
        SqliteTransaction tx(db());

        SqliteStatement step(db(), "INSERT INTO steps (run_id, step, metrics_json, weights_json, aggregation,"
                                   " reward_model_version, time_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
        step.bind(1, record.runId)
            .bind(2, record.step)
            .bind(3, dumpJson(record.metrics.is_null() ? nlohmann::json::object() : record.metrics))
            .bind(4, aspectMapToJson(record.weights))
            .bind(5, record.aggregation)
            .bind(6, record.rewardModelVersion)
            .bind(7, record.timeMs != 0 ? record.timeMs : now);
        step.run();

        // A name that appears twice after flattening ({"a.b": 1, "a": {"b": 2}}) keeps the last.
        SqliteStatement metric(db(), "INSERT OR REPLACE INTO metrics (run_id, step, name, value) VALUES (?, ?, ?, ?)");
        for (const auto &[name, value] : flattenMetrics(record.metrics)) {
            metric.bind(1, record.runId).bind(2, record.step).bind(3, name).bind(4, value);
            metric.run();
            metric.reset();
        }

        SqliteStatement sample(db(),
                               "INSERT INTO samples (run_id, step, prompt_id, prompt, completion, group_index,"
                               " index_in_group, completion_tokens, finish, scores_json, gold_json, reward, advantage,"
                               " reward_model_version, weights_json, members_json)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        SqliteStatement score(db(), "INSERT INTO sample_scores (sample_id, aspect, value, std) VALUES (?, ?, ?, ?)");
        for (const SampleRecord &s : record.samples) {
            sample.bind(1, record.runId)
                .bind(2, record.step)
                .bind(3, s.promptId)
                .bind(4, s.prompt)
                .bind(5, s.completion)
                .bind(6, s.group)
                .bind(7, s.indexInGroup)
                .bind(8, s.completionTokens)
                .bind(9, s.finish)
                .bind(10, aspectMapToJson(s.scores));
            if (s.gold.empty())
                sample.bindNull(11);
            else
                sample.bind(11, aspectMapToJson(s.gold));
            sample.bind(12, s.reward).bind(13, s.advantage).bind(14, s.rewardModelVersion);
            if (s.weights.empty())
                sample.bindNull(15);
            else
                sample.bind(15, aspectMapToJson(s.weights));
            if (s.members.empty())
                sample.bindNull(16);
            else
                sample.bind(16, aspectListsToJson(s.members));
            sample.run();
            sample.reset();
            const std::int64_t sampleId = db().lastInsertId();
            for (const auto &[aspect, value] : s.scores) {
                if (std::isnan(value))
                    continue;   // matches no range; kept (as null) in scores_json only
                score.bind(1, sampleId).bind(2, aspect).bind(3, value);
                const auto spread = s.scoreStd.find(aspect);
                if (spread != s.scoreStd.end() && std::isfinite(spread->second))
                    score.bind(4, spread->second);
                else
                    score.bindNull(4);
                score.run();
                score.reset();
            }
        }

        SqliteStatement touch(db(), "UPDATE runs SET updated_ms = ? WHERE id = ?");
        touch.bind(1, now).bind(2, record.runId).run();
        tx.commit();
    });
}

std::optional<StepRecord> Store::stepRecord(std::int64_t runId, std::int64_t step) const
{
    auto record = withContext(db(), "read " + stepText(runId, step), [&]() -> std::optional<StepRecord> {
        SqliteStatement st(db(), "SELECT metrics_json, weights_json, aggregation, reward_model_version, time_ms"
                                 " FROM steps WHERE run_id = ? AND step = ?");
        st.bind(1, runId).bind(2, step);
        if (!st.step())
            return std::nullopt;
        const std::string label = path() + " (" + stepText(runId, step) + ")";
        StepRecord r;
        r.runId = runId;
        r.step = step;
        r.metrics = jsonColumn(st.columnText(0), label);
        r.weights = aspectMapFromJson(st.columnText(1), label);
        r.aggregation = st.columnText(2);
        r.rewardModelVersion = st.columnInt(3);
        r.timeMs = st.columnInt(4);
        return r;
    });
    if (record) {
        SampleFilter filter;
        filter.runId = runId;
        filter.stepMin = filter.stepMax = step;
        filter.limit = -1;
        record->samples = samples(filter);
    }
    return record;
}

std::int64_t Store::lastStep(std::int64_t runId) const
{
    return withContext(db(), "read the last step of run " + std::to_string(runId), [&] {
        SqliteStatement st(db(), "SELECT coalesce(max(step), 0) FROM steps WHERE run_id = ?");
        st.bind(1, runId);
        return st.step() ? st.columnInt(0) : 0;
    });
}

void Store::truncateRunAfter(std::int64_t runId, std::int64_t step)
{
    withContext(db(), "truncate run " + std::to_string(runId) + " after step " + std::to_string(step), [&] {
        SqliteTransaction tx(db());
        // Samples already discarded by an earlier truncation are labelled and
        // stay as they are; deleting a sample deletes its scores (cascade).
        const char *statements[] = {
            "DELETE FROM metrics WHERE run_id = ?1 AND step > ?2",
            "DELETE FROM samples WHERE run_id = ?1 AND step > ?2 AND discarded = 0"
            " AND NOT EXISTS (SELECT 1 FROM labels WHERE labels.sample_id = samples.id)",
            "UPDATE samples SET discarded = 1 WHERE run_id = ?1 AND step > ?2 AND discarded = 0",
            "DELETE FROM steps WHERE run_id = ?1 AND step > ?2",
            "DELETE FROM events WHERE run_id = ?1 AND step > ?2",
            "DELETE FROM checkpoints WHERE run_id = ?1 AND step > ?2",
        };
        for (const char *sql : statements) {
            SqliteStatement st(db(), sql);
            st.bind(1, runId).bind(2, step).run();
        }
        tx.commit();
    });
}

std::vector<std::pair<std::int64_t, double>> Store::metricSeries(std::int64_t runId, const std::string &name) const
{
    return withContext(db(), "read metric \"" + name + "\" of run " + std::to_string(runId), [&] {
        SqliteStatement st(db(), "SELECT step, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step");
        st.bind(1, runId).bind(2, name);
        std::vector<std::pair<std::int64_t, double>> out;
        while (st.step())
            out.emplace_back(st.columnInt(0), st.columnDouble(1));
        return out;
    });
}

std::vector<std::string> Store::metricNames(std::int64_t runId) const
{
    return withContext(db(), "list the metrics of run " + std::to_string(runId), [&] {
        SqliteStatement st(db(), "SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name");
        st.bind(1, runId);
        std::vector<std::string> out;
        while (st.step())
            out.push_back(st.columnText(0));
        return out;
    });
}

} // namespace awb
