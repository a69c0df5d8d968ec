// RewardCurvesView's over-optimisation view (Gao et al. 2022): the rings where
// gold (or the labels' mean) stops rising while the proxy still rises, and the
// points' export. The sqrt(KL) axis itself is in reward_curves_markers.cpp.
#include "csv_text.h"
#include "overoptimisation.h"
#include "plot_export.h"
#include "reward_curves_view.h"

#include <qcustomplot.h>

#include <cmath>

namespace awb {

namespace {

constexpr double kMinProxyRise = 0.02;   // of the aspect's range: the proxy must still climb this much after the peak
constexpr double kMinGoldDrop = 0.01;    // of the aspect's range: and gold must end this much below it

} // namespace

bool RewardCurvesView::hasGold(qint64 runId) const
{
    const auto run = m_runs.constFind(runId);
    if (run == m_runs.cend())
        return false;
    for (const view::StepPoint &p : run->points)
        if (!p.goldMeans.isEmpty())
            return true;
    return false;
}

void RewardCurvesView::rebuildPeaks()
{
    for (QCPItemTracer *t : m_peakItems)
        m_plot->removeItem(t);
    for (QCPItemText *t : m_peakLabels)
        m_plot->removeItem(t);
    m_peakItems.clear();
    m_peakLabels.clear();
    m_peakSteps.clear();
    const qint64 run = newestRun();
    for (int a = 0; a < m_aspects.size(); ++a) {
        const auto curve = m_curves.find(Key{run, Series::GoldAspect, a});
        if (curve == m_curves.end() || !curve->second.line->visible())
            continue;
        const SeriesPoints gold = seriesPoints(run, Series::GoldAspect, a);
        QVector<double> proxy;   // at the gold points' steps
        for (int step : gold.steps)
            proxy << valueOf(m_runs[run].points[step], Series::Aspect, a);
        const double span = m_aspects[a].max - m_aspects[a].min;
        const int i = goldPeak(proxy, gold.values, kMinProxyRise * span, kMinGoldDrop * span);
        if (i < 0)
            continue;
        m_peakSteps.append({a, gold.steps[i]});
        const QColor colour = curve->second.line->pen().color();
        auto *ring = new QCPItemTracer(m_plot);
        ring->setLayer(QStringLiteral("legend"));
        ring->setGraph(curve->second.line);
        ring->setGraphKey(gold.x[i]);
        ring->setInterpolating(true);
        ring->setStyle(QCPItemTracer::tsCircle);
        ring->setSize(11);
        ring->setPen(QPen(colour, 2.0));
        ring->setBrush(Qt::NoBrush);
        m_peakItems.append(ring);
        auto *label = new QCPItemText(m_plot);
        label->setLayer(QStringLiteral("legend"));
        label->position->setParentAnchor(ring->position);
        label->position->setCoords(0, -12);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setText(tr("%1: gold peaks, proxy still rising").arg(m_aspects[a].name));
        label->setColor(colour.darker(140));
        label->setBrush(QColor(255, 255, 255, 215));
        QFont f = label->font();
        f.setPointSizeF(7.5);
        label->setFont(f);
        m_peakLabels.append(label);
    }
}

QString RewardCurvesView::overoptimisationCsv() const
{
    QString out = QStringLiteral("run,step,sqrt_kl,aspect,proxy,gold,gold_source,gold_peak\n");
    for (auto it = m_runs.cbegin(); it != m_runs.cend(); ++it) {
        const QString source = hasGold(it.key()) ? QStringLiteral("gold") : QStringLiteral("labels");
        for (const view::StepPoint &p : it->points) {
            const double x = std::isfinite(p.sequenceKl) ? std::sqrt(std::max(0.0, p.sequenceKl)) : std::nan("");
            for (int a = 0; a < m_aspects.size(); ++a) {
                const bool peak = it.key() == newestRun() && m_peakSteps.contains(qMakePair(a, p.step));
                out += QStringList{csv::field(it->name), QString::number(p.step), csv::number(x),
                                   csv::field(m_aspects[a].name), csv::number(valueOf(p, Series::Aspect, a)),
                                   csv::number(valueOf(p, Series::GoldAspect, a)), source,
                                   peak ? QStringLiteral("1") : QStringLiteral("0")}
                           .join(QLatin1Char(','))
                       + QLatin1Char('\n');
            }
        }
    }
    return out;
}

bool RewardCurvesView::exportOveroptimisationCsv(const QString &path, QString *error) const
{
    return exportText(path, overoptimisationCsv(), error);
}

} // namespace awb
