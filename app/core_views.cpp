#include "core_views.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <set>

namespace awb {

QString qs(const std::string &text) { return QString::fromStdString(text); }
std::string ss(const QString &text) { return text.toStdString(); }

double jsonNumber(const nlohmann::json &metrics, const std::string &key)
{
    const auto it = metrics.find(key);
    if (it == metrics.end() || !it->is_number())
        return view::missing();
    return it->get<double>();
}

namespace {

} // namespace

QVector<view::AspectSpec> aspectSpecs(const nlohmann::json &schema)
{
    QVector<view::AspectSpec> out;
    if (!schema.is_object() || !schema.contains("aspects") || !schema["aspects"].is_array())
        return out;
    for (const auto &a : schema["aspects"]) {
        if (!a.is_object())
            continue;
        view::AspectSpec spec;
        spec.name = qs(a.value("name", std::string()));
        spec.min = a.value("min", 0.0);
        spec.max = a.value("max", 1.0);
        if (!spec.name.isEmpty())
            out.push_back(spec);
    }
    return out;
}

QVector<view::AspectSpec> runAspects(const Store::RunInfo &run, const std::vector<std::string> &metricNames)
{
    QVector<view::AspectSpec> out;
    if (const auto schema = run.config.find("aspect_schema"); schema != run.config.end()) {
        out = aspectSpecs(*schema);
        if (!out.isEmpty())
            return out;
    }
    static const QRegularExpression re(QStringLiteral("^rewards/(.+)/mean$"));
    for (const auto &name : metricNames) {
        const auto m = re.match(qs(name));
        if (m.hasMatch())
            out.push_back({m.captured(1), 0.0, 1.0});
    }
    return out;
}

QStringList aspectNames(const QVector<view::AspectSpec> &aspects)
{
    QStringList names;
    for (const auto &a : aspects)
        names << a.name;
    return names;
}

view::StepPoint stepPointFromMetrics(qint64 runId, int step, const nlohmann::json &metrics, const QStringList &aspects)
{
    view::StepPoint p;
    p.runId = runId;
    p.step = step;
    p.rewardMean = jsonNumber(metrics, "reward");
    p.rewardStd = jsonNumber(metrics, "reward_std");
    p.kl = jsonNumber(metrics, "kl");
    p.loss = jsonNumber(metrics, "loss");
    bool anyGold = false;
    for (const auto &a : aspects) {
        p.aspectMeans.push_back(jsonNumber(metrics, "rewards/" + ss(a) + "/mean"));
        const double g = jsonNumber(metrics, "gold/" + ss(a) + "/mean");
        anyGold = anyGold || !view::isMissing(g);
        p.goldMeans.push_back(g);
    }
    if (!anyGold)
        p.goldMeans.clear();
    p.goldObjective = jsonNumber(metrics, "gold_objective");
    p.valueLoss = jsonNumber(metrics, "loss/value_avg");
    p.rewardMargin = jsonNumber(metrics, "rewards/margins");
    p.rewardAccuracy = jsonNumber(metrics, "rewards/accuracies");
    p.seconds = jsonNumber(metrics, "time/step");
    p.tokens = jsonNumber(metrics, "tokens/generated");
    // "kl" is a token mean over the batch, so times the mean completion length it is the mean per completion.
    const double length = jsonNumber(metrics, "completions/mean_length");
    if (!view::isMissing(p.kl) && !view::isMissing(length))
        p.sequenceKl = std::max(0.0, p.kl) * length;
    bool anyConstraint = false, anyRegion = false;
    for (const auto &a : aspects) {
        const std::string c = "constraint/" + ss(a) + "/";
        p.lambdas.push_back(jsonNumber(metrics, "lambda/" + ss(a)));
        p.violationRates.push_back(jsonNumber(metrics, c + "violation_rate"));
        p.bounds.push_back(jsonNumber(metrics, c + "bound"));
        anyConstraint = anyConstraint || !view::isMissing(p.lambdas.back());
        const std::string region = "steer/" + ss(a) + "_heavy/";
        anyRegion = anyRegion || metrics.contains(region + "groups");
        QVector<double> means, gold;
        for (const auto &k : aspects) {
            means.push_back(jsonNumber(metrics, region + ss(k)));
            gold.push_back(jsonNumber(metrics, region + "gold/" + ss(k)));
        }
        p.regionMeans.push_back(means);
        p.regionGold.push_back(gold);
    }
    if (!anyConstraint) {
        p.lambdas.clear();
        p.violationRates.clear();
        p.bounds.clear();
    }
    if (!anyRegion) {
        p.regionMeans.clear();
        p.regionGold.clear();
    }
    return p;
}

view::SampleRow sampleRow(const SampleRecord &r, const std::map<std::string, double> &labels, const QStringList &aspects)
{
    view::SampleRow row;
    row.id = r.id;
    row.runId = r.runId;
    row.step = static_cast<int>(r.step);
    row.promptId = r.promptId.value_or(0);
    row.group = r.group;
    row.indexInGroup = r.indexInGroup;
    row.prompt = qs(r.prompt);
    row.completion = qs(r.completion);
    auto valueOf = [](const std::map<std::string, double> &m, const QString &key) {
        const auto it = m.find(ss(key));
        return it == m.end() ? view::missing() : it->second;
    };
    for (const auto &a : aspects) {
        row.scores.push_back(valueOf(r.scores, a));
        row.labels.push_back(valueOf(labels, a));
        if (!r.gold.empty())
            row.gold.push_back(valueOf(r.gold, a));
        if (!r.scoreStd.empty())
            row.scoreStd.push_back(valueOf(r.scoreStd, a));
        if (!r.members.empty()) {
            const auto it = r.members.find(ss(a));
            row.members.push_back(it == r.members.end() ? QVector<double>()
                                                        : QVector<double>(it->second.begin(), it->second.end()));
        }
        if (!r.weights.empty())
            row.weights.push_back(valueOf(r.weights, a));
    }
    row.reward = r.reward;
    row.advantage = r.advantage;
    row.rewardModelVersion = r.rewardModelVersion;
    row.completionTokens = static_cast<int>(r.completionTokens);
    row.finish = qs(r.finish);
    return row;
}

QString weightsText(const std::map<std::string, double> &weights, const QStringList &aspects)
{
    QStringList parts;
    for (const auto &a : aspects) {
        const auto it = weights.find(ss(a));
        parts << QString::number(it == weights.end() ? 1.0 : it->second, 'g', 3);
    }
    return parts.join(QLatin1Char('/'));
}

QVector<view::StepMarker> stepMarkers(qint64 runId, const std::vector<Store::Event> &events, const QStringList &aspects)
{
    QVector<view::StepMarker> out;
    for (const auto &e : events) {
        view::StepMarker m;
        m.runId = runId;
        m.step = static_cast<int>(e.step);
        m.kind = qs(e.kind);
        if (e.kind == "weights") {
            std::map<std::string, double> w;
            if (e.payload.contains("weights") && e.payload["weights"].is_object())
                for (const auto &[k, v] : e.payload["weights"].items())
                    if (v.is_number())
                        w[k] = v.get<double>();
            m.text = QCoreApplication::translate("Workbench", "weights %1").arg(weightsText(w, aspects));
            const std::string agg = e.payload.value("aggregation", std::string());
            if (agg == "normalize_then_sum")
                m.text += QCoreApplication::translate("Workbench", " (normalise, then sum)");
        } else if (e.kind == "reward_model") {
            m.text = QCoreApplication::translate("Workbench", "RM v%1").arg(e.payload.value("version", std::int64_t(0)));
        } else {
            continue;   // pause/resume and the like are not plotted
        }
        out.push_back(m);
    }
    return out;
}

namespace {

struct SpecCollector
{
    QVector<view::OptionSpec> specs;

    const std::string algorithm;

    QStringList choicesFor(const std::string &key) const
    {
        QStringList out;
        for (const auto &c : optionChoices(key, algorithm))
            out << qs(c);
        return out;
    }
    view::OptionSpec base(const char *key, const char *help)
    {
        view::OptionSpec s;
        s.key = QString::fromLatin1(key);
        s.help = QString::fromUtf8(help);
        return s;
    }
    void operator()(const char *key, std::string &value, const char *help)
    {
        if (!optionApplies(key, algorithm))
            return;
        auto s = base(key, help);
        s.choices = choicesFor(key);
        const std::string k = key;
        s.kind = !s.choices.isEmpty() ? view::OptionSpec::Kind::Choice
                 : (k == "model" || k == "reward_model" || k == "prompts" || k == "preference_file") ? view::OptionSpec::Kind::Path
                                                                            : view::OptionSpec::Kind::String;
        s.value = qs(value);
        specs.push_back(s);
    }
    void operator()(const char *key, bool &value, const char *help)
    {
        if (!optionApplies(key, algorithm))
            return;
        auto s = base(key, help);
        s.kind = view::OptionSpec::Kind::Bool;
        s.value = value;
        specs.push_back(s);
    }
    void operator()(const char *key, double &value, const char *help)
    {
        if (!optionApplies(key, algorithm))
            return;
        auto s = base(key, help);
        s.kind = view::OptionSpec::Kind::Double;
        s.value = value;
        specs.push_back(s);
    }
    void operator()(const char *key, std::int64_t &value, const char *help)
    {
        if (!optionApplies(key, algorithm))
            return;
        auto s = base(key, help);
        s.kind = view::OptionSpec::Kind::Int;
        s.value = static_cast<qlonglong>(value);
        specs.push_back(s);
    }
    void operator()(const char *key, std::uint64_t &value, const char *help)
    {
        if (!optionApplies(key, algorithm))
            return;
        auto s = base(key, help);
        s.kind = view::OptionSpec::Kind::Int;
        s.value = static_cast<qlonglong>(value);
        specs.push_back(s);
    }
};

struct JsonFromForm
{
    const QVariantMap &values;
    nlohmann::json out = nlohmann::json::object();

    template <class T>
    void operator()(const char *key, T &defaultValue, const char *)
    {
        const auto it = values.find(QString::fromLatin1(key));
        if (it == values.end())
            return;
        T v{};
        if constexpr (std::is_same_v<T, std::string>)
            v = ss(it->toString());
        else if constexpr (std::is_same_v<T, bool>)
            v = it->toBool();
        else if constexpr (std::is_same_v<T, double>)
            v = it->toDouble();
        else if constexpr (std::is_same_v<T, std::uint64_t>)
            v = static_cast<std::uint64_t>(it->toLongLong());
        else
            v = static_cast<T>(it->toLongLong());
        if (!(v == defaultValue))
            out[key] = v;
    }
};

} // namespace

QVector<view::OptionSpec> grpoOptionSpecs(const GrpoOptions &options)
{
    GrpoOptions copy = options;
    SpecCollector c{{}, options.algorithm};
    visitGrpoOptions(copy, c);
    return c.specs;
}

nlohmann::json grpoOverridesFromForm(const QVariantMap &values, const GrpoOptions &defaults)
{
    GrpoOptions copy = defaults;
    JsonFromForm j{values};
    visitGrpoOptions(copy, j);
    return j.out;
}

AlgorithmForm switchFormAlgorithm(const QVariantMap &values, const GrpoOptions &formDefaults, GrpoOptions base,
                                  const std::string &algorithm)
{
    const nlohmann::json changed = grpoOverridesFromForm(values, formDefaults);
    setAlgorithm(base, algorithm);
    AlgorithmForm out;
    out.specs = grpoOptionSpecs(base);
    for (const auto &[key, value] : changed.items()) {
        if (key == "algorithm" || !optionApplies(key, algorithm))
            continue;
        out.carried.insert(qs(key), values.value(qs(key)));
    }
    return out;
}

std::map<std::string, double> toStdMap(const QMap<QString, double> &map)
{
    std::map<std::string, double> out;
    for (auto it = map.begin(); it != map.end(); ++it)
        out[ss(it.key())] = it.value();
    return out;
}

QMap<QString, double> toQMap(const std::map<std::string, double> &map)
{
    QMap<QString, double> out;
    for (const auto &[k, v] : map)
        out.insert(qs(k), v);
    return out;
}

} // namespace awb
