#include "workspace.h"

#include "core_views.h"
#include "store/store.h"

namespace awb {

Workspace::Workspace(const QString &path, QObject *parent)
    : QObject(parent), m_path(path), m_store(std::make_unique<Store>(Store::open(ss(path))))
{
}

Workspace::~Workspace() = default;

QVector<RunSummary> Workspace::runs() const
{
    QVector<RunSummary> out;
    for (const auto &r : m_store->runs()) {
        RunSummary s;
        s.id = r.id;
        s.name = qs(r.name);
        s.status = qs(r.status);
        s.lastStep = static_cast<int>(r.lastStep);
        s.maxSteps = static_cast<int>(r.config.value("max_steps", std::int64_t(0)));
        s.demo = r.config.value("demo", false);
        out.push_back(s);
    }
    return out;
}

QVector<view::AspectSpec> Workspace::aspects(qint64 runId) const
{
    const auto run = m_store->run(runId);
    if (!run)
        return {};
    return runAspects(*run, m_store->metricNames(runId));
}

QVector<view::StepPoint> Workspace::stepPoints(qint64 runId) const
{
    const QStringList names = aspectNames(aspects(runId));
    const auto labelMeans = m_store->labelMeansByStep(runId);
    QVector<view::StepPoint> out;
    const std::int64_t last = m_store->lastStep(runId);
    for (std::int64_t step = 1; step <= last; ++step)
        if (const auto rec = m_store->stepRecord(runId, step)) {
            out.push_back(stepPointFromMetrics(runId, static_cast<int>(step), rec->metrics, names));
            if (const auto it = labelMeans.find(step); it != labelMeans.end())
                for (const QString &a : names) {
                    const auto v = it->second.find(ss(a));
                    out.back().labelMeans.push_back(v == it->second.end() ? view::missing() : v->second);
                }
        }
    return out;
}

view::StepPoint Workspace::stepPoint(qint64 runId, int step) const
{
    const auto rec = m_store->stepRecord(runId, step);
    if (!rec)
        return {};
    return stepPointFromMetrics(runId, step, rec->metrics, aspectNames(aspects(runId)));
}

QVector<view::StepMarker> Workspace::markers(qint64 runId) const
{
    return stepMarkers(runId, m_store->events(runId), aspectNames(aspects(runId)));
}

QVector<view::SampleRow> Workspace::samples(qint64 runId, int stepMin, int stepMax, int limit) const
{
    SampleFilter f;
    f.runId = runId;
    if (stepMin >= 0)
        f.stepMin = stepMin;
    if (stepMax >= 0)
        f.stepMax = stepMax;
    f.limit = limit;
    const QStringList names = aspectNames(aspects(runId));
    QVector<view::SampleRow> out;
    for (const auto &r : m_store->samples(f))
        out.push_back(sampleRow(r, m_store->latestLabels(r.id), names));
    return out;
}

view::SampleRow Workspace::sample(qint64 sampleId, qint64 runId) const
{
    for (const auto &row : samples(runId))
        if (row.id == sampleId)
            return row;
    return {};
}

int Workspace::addLabels(qint64 sampleId, const QStringList &aspects, const QVector<double> &values,
                         const QString &annotator, const QString &queue)
{
    int added = 0;
    for (int i = 0; i < aspects.size() && i < values.size(); ++i) {
        if (view::isMissing(values[i]))
            continue;
        LabelRecord l;
        l.sampleId = sampleId;
        l.aspect = ss(aspects[i]);
        l.value = values[i];
        l.annotator = ss(annotator);
        m_store->addLabel(l, ss(queue));
        ++added;
    }
    if (added > 0)
        emit labelsChanged(sampleId);
    return added;
}

QVector<double> Workspace::latestLabels(qint64 sampleId, const QStringList &aspects) const
{
    const auto labels = m_store->latestLabels(sampleId);
    QVector<double> out;
    for (const auto &a : aspects) {
        const auto it = labels.find(ss(a));
        out.push_back(it == labels.end() ? view::missing() : it->second);
    }
    return out;
}

qint64 Workspace::labelsSinceLastRewardModel(const QString &queue) const
{
    const auto models = m_store->rewardModels();
    const std::int64_t since = models.empty() ? 0 : models.back().createdMs;
    if (queue.isEmpty())
        return models.empty() ? m_store->labelCount() : m_store->labelsSince(since);
    return m_store->labelsSince(since, ss(queue));
}

qint64 Workspace::latestRewardModelVersion() const
{
    const auto models = m_store->rewardModels();
    return models.empty() ? 0 : models.back().version;
}

} // namespace awb
