// Store: sample queries and human labels.

#include "store/store.h"

#include "store/store_internal.h"

#include <cmath>
#include <variant>

namespace awb {

using namespace store_detail;

namespace {

// A label row is the latest for its sample and aspect when no row for the
// same pair has a later time, or the same time and a later id. `l` names the
// row under test.
constexpr const char *kIsLatestLabel =
    "NOT EXISTS (SELECT 1 FROM labels n WHERE n.sample_id = l.sample_id AND n.aspect = l.aspect"
    " AND (n.time_ms > l.time_ms OR (n.time_ms = l.time_ms AND n.id > l.id)))";

using Param = std::variant<std::int64_t, double, std::string>;

struct WhereClause
{
    std::string sql;   // " WHERE ..." or ""
    std::vector<Param> params;
};

std::string likeEscaped(const std::string &text)
{
    std::string out;
    for (const char c : text) {
        if (c == '%' || c == '_' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

WhereClause buildWhere(const SampleFilter &f)
{
    std::vector<std::string> terms;
    WhereClause w;
    auto add = [&](std::string term, std::vector<Param> params) {
        terms.push_back(std::move(term));
        for (auto &p : params)
            w.params.push_back(std::move(p));
    };
    if (!f.includeDiscarded)
        add("s.discarded = 0", {});
    if (f.sampleId)
        add("s.id = ?", {*f.sampleId});
    if (f.runId)
        add("s.run_id = ?", {*f.runId});
    if (f.stepMin)
        add("s.step >= ?", {*f.stepMin});
    if (f.stepMax)
        add("s.step <= ?", {*f.stepMax});
    if (f.promptId)
        add("s.prompt_id = ?", {*f.promptId});
    if (!f.promptContains.empty())
        add("s.prompt LIKE ? ESCAPE '\\'", {"%" + likeEscaped(f.promptContains) + "%"});
    for (const auto &[aspect, range] : f.aspectRanges) {
        // IN rather than a correlated EXISTS: the subquery runs once on the
        // (aspect, value) index instead of once per sample.
        add("s.id IN (SELECT sample_id FROM sample_scores WHERE aspect = ? AND value BETWEEN ? AND ?)",
            {aspect, range.first, range.second});
    }
    if (f.labelled)
        add(std::string(*f.labelled ? "" : "NOT ") + "EXISTS (SELECT 1 FROM labels x WHERE x.sample_id = s.id)", {});
    for (std::size_t i = 0; i < terms.size(); ++i)
        w.sql += (i == 0 ? " WHERE " : " AND ") + terms[i];
    return w;
}

int bindAll(SqliteStatement &st, const std::vector<Param> &params)
{
    int index = 1;
    for (const Param &p : params) {
        std::visit([&](const auto &value) { st.bind(index, value); }, p);
        ++index;
    }
    return index;
}

std::string filterText(const SampleFilter &f)
{
    return f.runId ? "read the samples of run " + std::to_string(*f.runId) : std::string("read samples");
}

} // namespace

std::vector<SampleRecord> Store::samples(const SampleFilter &filter) const
{
    return withContext(db(), filterText(filter), [&] {
        const WhereClause where = buildWhere(filter);
        std::string sql =
            "SELECT s.id, s.run_id, s.step, s.prompt_id, s.prompt, s.completion, s.group_index, s.index_in_group,"
            " s.completion_tokens, s.finish, s.scores_json, s.gold_json, s.reward, s.advantage,"
            " s.reward_model_version, s.discarded, s.weights_json, s.members_json,"
            " (SELECT json_group_object(aspect, std) FROM sample_scores x WHERE x.sample_id = s.id"
            " AND x.std IS NOT NULL) FROM samples s";
        if (filter.orderByUncertainty) {
            std::string aspects;
            for (std::size_t i = 0; i < filter.uncertaintyAspects.size(); ++i)
                aspects += (i ? ", ?" : "?");
            sql += " LEFT JOIN (SELECT sample_id AS uid, max(std) AS u FROM sample_scores WHERE std IS NOT NULL"
                   + (aspects.empty() ? std::string() : " AND aspect IN (" + aspects + ")")
                   + " GROUP BY sample_id) unc ON unc.uid = s.id";
        } else if (filter.orderByDisagreement) {
            // Computed once over the labelled samples (few), then joined.
            sql += std::string(" LEFT JOIN (SELECT l.sample_id AS sid, max(abs(p.value - l.value)) AS d FROM labels l")
                   + " JOIN sample_scores p ON p.sample_id = l.sample_id AND p.aspect = l.aspect WHERE "
                   + kIsLatestLabel + " GROUP BY l.sample_id) dis ON dis.sid = s.id";
        }
        sql += where.sql;
        // (run, step, id) is the order of the live-sample index, so a page needs no sort.
        sql += filter.orderByUncertainty     ? " ORDER BY unc.u DESC NULLS LAST, s.run_id, s.step, s.id"
               : filter.orderByDisagreement ? " ORDER BY dis.d DESC NULLS LAST, s.run_id, s.step, s.id"
                                            : " ORDER BY s.run_id, s.step, s.id";
        sql += " LIMIT ? OFFSET ?";
        SqliteStatement st(db(), sql);
        std::vector<Param> params;
        if (filter.orderByUncertainty)
            for (const auto &aspect : filter.uncertaintyAspects)
                params.emplace_back(aspect);
        params.insert(params.end(), where.params.begin(), where.params.end());
        const int next = bindAll(st, params);
        st.bind(next, filter.limit < 0 ? std::int64_t{-1} : filter.limit).bind(next + 1, filter.offset);

        std::vector<SampleRecord> out;
        while (st.step()) {
            SampleRecord r;
            r.id = st.columnInt(0);
            const std::string label = path() + " (sample " + std::to_string(r.id) + ")";
            r.runId = st.columnInt(1);
            r.step = st.columnInt(2);
            r.promptId = st.columnOptInt(3);
            r.prompt = st.columnText(4);
            r.completion = st.columnText(5);
            r.group = static_cast<int>(st.columnInt(6));
            r.indexInGroup = static_cast<int>(st.columnInt(7));
            r.completionTokens = st.columnInt(8);
            r.finish = st.columnText(9);
            r.scores = aspectMapFromJson(st.columnText(10), label);
            if (!st.isNull(11))
                r.gold = aspectMapFromJson(st.columnText(11), label);
            r.reward = st.columnDouble(12);
            r.advantage = st.columnDouble(13);
            r.rewardModelVersion = st.columnInt(14);
            r.discarded = st.columnInt(15) != 0;
            if (!st.isNull(16))
                r.weights = aspectMapFromJson(st.columnText(16), label);
            if (!st.isNull(17))
                r.members = aspectListsFromJson(st.columnText(17), label);
            if (!st.isNull(18))
                r.scoreStd = aspectMapFromJson(st.columnText(18), label);
            out.push_back(std::move(r));
        }
        return out;
    });
}

std::int64_t Store::countSamples(const SampleFilter &filter) const
{
    return withContext(db(), filterText(filter), [&] {
        const WhereClause where = buildWhere(filter);
        SqliteStatement st(db(), "SELECT count(*) FROM samples s" + where.sql);
        bindAll(st, where.params);
        return st.step() ? st.columnInt(0) : 0;
    });
}

// --- Labels ----------------------------------------------------------------

std::int64_t Store::addLabel(const LabelRecord &label, const std::string &queue)
{
    const std::string what = "add a \"" + label.aspect + "\" label to sample " + std::to_string(label.sampleId);
    if (label.aspect.empty())
        throw Error(path() + ": cannot " + what + ": the aspect is empty");
    if (!std::isfinite(label.value))
        throw Error(path() + ": cannot " + what + ": the value is not a finite number");
    return withContext(db(), what, [&] {
        // One write transaction, taken at once (BEGIN IMMEDIATE): a read that
        // later turns into a write fails at once with "database is locked" when
        // a training step has committed in between, instead of waiting its turn.
        SqliteTransaction tx(db());
        {
            SqliteStatement exists(db(), "SELECT 1 FROM samples WHERE id = ?");
            exists.bind(1, label.sampleId);
            if (!exists.step())
                throw SqliteError(path(), "no such sample", 0);
        }
        SqliteStatement st(db(), "INSERT INTO labels (sample_id, aspect, value, annotator, time_ms, queue)"
                                 " VALUES (?, ?, ?, ?, ?, ?)");
        st.bind(1, label.sampleId)
            .bind(2, label.aspect)
            .bind(3, label.value)
            .bind(4, label.annotator)
            .bind(5, label.timeMs != 0 ? label.timeMs : nowMs());
        if (queue.empty())
            st.bindNull(6);
        else
            st.bind(6, queue);
        st.run();
        const std::int64_t id = db().lastInsertId();
        tx.commit();
        return id;
    });
}

std::vector<LabelRecord> Store::labelHistory(std::int64_t sampleId) const
{
    return withContext(db(), "read the labels of sample " + std::to_string(sampleId), [&] {
        SqliteStatement st(db(), "SELECT id, aspect, value, annotator, time_ms FROM labels WHERE sample_id = ?"
                                 " ORDER BY time_ms, id");
        st.bind(1, sampleId);
        std::vector<LabelRecord> out;
        while (st.step()) {
            LabelRecord l;
            l.id = st.columnInt(0);
            l.sampleId = sampleId;
            l.aspect = st.columnText(1);
            l.value = st.columnDouble(2);
            l.annotator = st.columnText(3);
            l.timeMs = st.columnInt(4);
            out.push_back(std::move(l));
        }
        return out;
    });
}

std::map<std::string, double> Store::latestLabels(std::int64_t sampleId) const
{
    return withContext(db(), "read the labels of sample " + std::to_string(sampleId), [&] {
        SqliteStatement st(db(), std::string("SELECT l.aspect, l.value FROM labels l WHERE l.sample_id = ? AND ")
                                     + kIsLatestLabel);
        st.bind(1, sampleId);
        std::map<std::string, double> out;
        while (st.step())
            out[st.columnText(0)] = st.columnDouble(1);
        return out;
    });
}

std::vector<Store::LabelledSample> Store::labelledSamples() const
{
    return withContext(db(), "read the labelled samples", [&] {
        SqliteStatement st(db(), std::string("SELECT s.id, s.prompt, s.completion, l.aspect, l.value")
                                     + " FROM labels l JOIN samples s ON s.id = l.sample_id WHERE "
                                     + kIsLatestLabel + " ORDER BY s.id");
        std::vector<LabelledSample> out;
        while (st.step()) {
            const std::int64_t id = st.columnInt(0);
            if (out.empty() || out.back().sampleId != id) {
                LabelledSample s;
                s.sampleId = id;
                s.prompt = st.columnText(1);
                s.completion = st.columnText(2);
                out.push_back(std::move(s));
            }
            out.back().labels[st.columnText(3)] = st.columnDouble(4);
        }
        return out;
    });
}

std::map<std::int64_t, std::map<std::string, double>> Store::labelMeansByStep(std::int64_t runId) const
{
    return withContext(db(), "read the label means of run " + std::to_string(runId), [&] {
        SqliteStatement st(db(), std::string("SELECT s.step, l.aspect, avg(l.value) FROM labels l JOIN samples s ON ")
                                     + "s.id = l.sample_id WHERE s.run_id = ? AND s.discarded = 0 AND " + kIsLatestLabel
                                     + " GROUP BY s.step, l.aspect");
        st.bind(1, runId);
        std::map<std::int64_t, std::map<std::string, double>> out;
        while (st.step())
            out[st.columnInt(0)][st.columnText(1)] = st.columnDouble(2);
        return out;
    });
}

std::int64_t Store::labelCount() const
{
    return withContext(db(), "count labels", [&] { return db().queryInt("SELECT count(*) FROM labels"); });
}

std::int64_t Store::labelsSince(std::int64_t timeMs) const
{
    return withContext(db(), "count labels", [&] {
        SqliteStatement st(db(), "SELECT count(*) FROM labels WHERE time_ms >= ?");
        st.bind(1, timeMs);
        return st.step() ? st.columnInt(0) : 0;
    });
}

std::int64_t Store::labelsSince(std::int64_t timeMs, const std::string &queue) const
{
    return withContext(db(), "count labels from the " + queue + " queue", [&] {
        SqliteStatement st(db(), "SELECT count(*) FROM labels WHERE time_ms >= ? AND queue = ?");
        st.bind(1, timeMs).bind(2, queue);
        return st.step() ? st.columnInt(0) : 0;
    });
}

std::map<std::string, std::int64_t> Store::labelCountsPerAspect() const
{
    return withContext(db(), "count labels per aspect", [&] {
        SqliteStatement st(db(), "SELECT aspect, count(DISTINCT sample_id) FROM labels GROUP BY aspect");
        std::map<std::string, std::int64_t> out;
        while (st.step())
            out[st.columnText(0)] = st.columnInt(1);
        return out;
    });
}

} // namespace awb
