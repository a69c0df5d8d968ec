// ParetoView's swept front: a steerable run's weights over the simplex, each
// vector one point, the front through them, and the workspace's fixed-weight
// runs as single points to compare with.
#include "pareto_view.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QMenu>
#include <QToolButton>

namespace awb {

namespace {

const QColor kSweepColour(27, 158, 119);
const QColor kFixedColour(117, 112, 179);

} // namespace

QToolButton *ParetoView::buildSweepButton()
{
    auto *button = new QToolButton(this);
    button->setObjectName(QStringLiteral("sweepFrontButton"));
    button->setText(tr("S&weep front"));
    button->setToolTip(tr("Generate from the shown run's newest checkpoint at weight vectors spread between the "
                          "two aspects on the axes (a steerable run), on its held-out prompts; the workspace's "
                          "fixed-weight runs become single points"));
    button->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(button);
    QAction *all = menu->addAction(tr("On the held-out prompts"));
    QAction *adversarial = menu->addAction(tr("On the adversarial held-out prompts (demo)"));
    menu->addSeparator();
    QAction *clear = menu->addAction(tr("Clear the swept front"));
    connect(all, &QAction::triggered, this, [this] { emit sweepRequested(false); });
    connect(adversarial, &QAction::triggered, this, [this] { emit sweepRequested(true); });
    connect(clear, &QAction::triggered, this, &ParetoView::clearSweptFront);
    connect(menu, &QMenu::aboutToShow, this, [this, clear, all, adversarial] {
        clear->setEnabled(m_swept.has_value());
        all->setEnabled(m_sweepStatus.isEmpty());
        adversarial->setEnabled(m_sweepStatus.isEmpty());
    });
    button->setMenu(menu);
    return button;
}

void ParetoView::setSweptFront(const view::SweptFront &front)
{
    m_swept = front;
    m_sweepStatus.clear();
    // The front was measured on these axes and by these values: show it there.
    if (front.xAspect != m_xAspect || front.yAspect != m_yAspect)
        setAxes(front.xAspect, front.yAspect);
    if (front.byGold && hasGold())
        setValueSource(ValueSource::Gold);
    updateLabel();
    scheduleReplot();
}

void ParetoView::clearSweptFront()
{
    m_swept.reset();
    updateLabel();
    scheduleReplot();
}

void ParetoView::setSweepStatus(const QString &status)
{
    m_sweepStatus = status;
    updateLabel();
}

bool ParetoView::sweptFrontShown() const
{
    return m_swept && m_swept->xAspect == m_xAspect && m_swept->yAspect == m_yAspect &&
           m_swept->byGold == (m_source == ValueSource::Gold);
}

void ParetoView::addSweptFront()
{
    if (!sweptFrontShown())
        return;
    const view::SweptFront &f = *m_swept;
    auto curve = [this](const QVector<QPointF> &pts, const QPen &pen, const QCPScatterStyle &style, bool line) {
        return addCurve(m_plot, pts, pen, style, line);
    };
    QVector<QPointF> front;
    for (int i : f.front)
        front << f.points.value(i);
    auto *line = curve(front, QPen(kSweepColour, 2.5), QCPScatterStyle(), true);
    line->setName(tr("Swept front of %1 (HV %2)").arg(f.runLabel).arg(f.hypervolume, 0, 'f', 3));
    line->addToLegend();
    curve(f.points, Qt::NoPen, QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(kSweepColour.darker(130), 1),
                                               kSweepColour, 9), false);
    if (!f.fixedPoints.isEmpty()) {
        auto *fixed = curve(f.fixedPoints, Qt::NoPen,
                            QCPScatterStyle(QCPScatterStyle::ssTriangle, QPen(kFixedColour.darker(130), 1.5),
                                            kFixedColour, 11), false);
        fixed->setName(tr("Fixed-weight runs (HV %1)").arg(f.fixedHypervolume, 0, 'f', 3));
        fixed->addToLegend();
        for (int i = 0; i < f.fixedPoints.size(); ++i) {
            auto *text = new QCPItemText(m_plot);
            text->position->setCoords(f.fixedPoints[i]);
            text->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            text->setPadding(QMargins(6, 0, 0, 2));
            text->setText(f.fixedLabels.value(i));
            text->setColor(kFixedColour.darker(150));
            text->setSelectable(false);
        }
    }
}

} // namespace awb
