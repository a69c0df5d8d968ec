// The weights panel's constraints section: one row per constrained aspect
// with its live bound (see weights_panel.h).

#include "weights_panel.h"

#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace awb {

namespace {

constexpr double kBoundStep = 0.01;
constexpr int kBoundDecimals = 3;

} // namespace

void WeightsPanel::buildConstraintsBox(QVBoxLayout *layout)
{
    m_constraintsBox = new QGroupBox(tr("Constraints"), this);
    m_constraintsBox->setObjectName(QStringLiteral("constraintsBox"));
    m_constraintsBox->setToolTip(tr("Aspects held to a bound instead of weighed (Safe RLHF): each has a Lagrange "
                                    "multiplier lambda that grows while the batch mean breaks the bound and takes "
                                    "the aspect's weight in the reward. A new bound applies from the next step."));
    m_constraintGrid = new QGridLayout(m_constraintsBox);
    m_constraintGrid->setColumnStretch(2, 1);
    m_constraintsBox->hide();
    layout->addWidget(m_constraintsBox);

    m_boundsDebounce = new QTimer(this);
    m_boundsDebounce->setSingleShot(true);
    m_boundsDebounce->setInterval(kDebounceMs);
    connect(m_boundsDebounce, &QTimer::timeout, this, [this] { emit boundsChanged(bounds()); });
}

void WeightsPanel::setConstraints(const QVector<view::ConstraintSpec> &constraints)
{
    m_boundsDebounce->stop();
    for (const ConstraintRow &row : m_constraintRows) {
        delete row.relation;
        delete row.bound;
        delete row.inForce;
    }
    m_constraintRows.clear();
    for (const auto &spec : constraints) {
        ConstraintRow row;
        row.spec = spec;
        m_constraintRows.push_back(row);
    }
    rebuildConstraintRows();
    enableWeightRows();
}

void WeightsPanel::rebuildConstraintRows()
{
    const bool was = m_updating;
    m_updating = true;
    for (int i = 0; i < m_constraintRows.size(); ++i) {
        ConstraintRow &row = m_constraintRows[i];
        const QString &name = row.spec.aspect;
        double lo = 0.0, hi = 1.0;
        for (const auto &a : m_aspects)
            if (a.name == name) {
                lo = a.min;
                hi = a.max;
            }
        row.relation = new QLabel(QStringLiteral("%1 %2").arg(name, row.spec.atLeast ? QStringLiteral("\u2265")
                                                                                    : QStringLiteral("\u2264")),
                                  m_constraintsBox);
        row.bound = new QDoubleSpinBox(m_constraintsBox);
        row.bound->setObjectName(QStringLiteral("boundSpin_") + name);
        row.bound->setDecimals(kBoundDecimals);
        row.bound->setSingleStep(kBoundStep);
        row.bound->setKeyboardTracking(false);
        // Strictly inside the range: a bound at an end is always met or never can be.
        const double inside = std::pow(10.0, -kBoundDecimals);
        row.bound->setRange(lo + inside, hi - inside);
        row.bound->setValue(row.spec.bound);
        row.bound->setAccessibleName(tr("%1 bound").arg(name));
        row.bound->setToolTip(tr("The bound on the batch mean of %1's raw reward-model scores, inside (%2, %3). "
                                 "Applied from the next training step.")
                                  .arg(name)
                                  .arg(lo)
                                  .arg(hi));
        row.relation->setBuddy(row.bound);
        row.inForce = new QLabel(tr("lambda: not used yet"), m_constraintsBox);
        row.inForce->setObjectName(QStringLiteral("constraintInForce_") + name);
        row.inForce->setTextFormat(Qt::PlainText);
        m_constraintGrid->addWidget(row.relation, i, 0);
        m_constraintGrid->addWidget(row.bound, i, 1);
        m_constraintGrid->addWidget(row.inForce, i, 2);
        connect(row.bound, &QDoubleSpinBox::valueChanged, this, [this] {
            if (!m_updating)
                m_boundsDebounce->start();
        });
    }
    m_constraintsBox->setVisible(!m_constraintRows.isEmpty());
    m_updating = was;
}

void WeightsPanel::enableWeightRows()
{
    for (int i = 0; i < m_rows.size() && i < m_aspects.size(); ++i) {
        const bool held = std::any_of(m_constraintRows.cbegin(), m_constraintRows.cend(),
                                      [&](const ConstraintRow &c) { return c.spec.aspect == m_aspects[i].name; });
        for (QWidget *w : {static_cast<QWidget *>(m_rows[i].slider), static_cast<QWidget *>(m_rows[i].spin)}) {
            w->setEnabled(!held);
            w->setToolTip(held ? tr("%1 is held by a constraint: its lambda takes the weight's place in the reward")
                                     .arg(m_aspects[i].name)
                               : weightTip(m_aspects[i].name));
        }
    }
}

QMap<QString, double> WeightsPanel::bounds() const
{
    QMap<QString, double> out;
    for (const ConstraintRow &row : m_constraintRows)
        out[row.spec.aspect] = row.bound->value();
    return out;
}

void WeightsPanel::setBound(const QString &aspect, double bound)
{
    for (const ConstraintRow &row : m_constraintRows)
        if (row.spec.aspect == aspect)
            row.bound->setValue(bound);
}

void WeightsPanel::setConstraintsInForce(int step, const QVector<double> &bounds, const QVector<double> &lambdas)
{
    for (const ConstraintRow &row : m_constraintRows) {
        int k = -1;
        for (int i = 0; i < m_aspects.size(); ++i)
            if (m_aspects[i].name == row.spec.aspect)
                k = i;
        if (k < 0 || k >= lambdas.size() || view::isMissing(lambdas[k]))
            continue;
        const double b = k < bounds.size() ? bounds[k] : view::missing();
        row.inForce->setText(view::isMissing(b)
                                 ? tr("step %1: lambda %2").arg(step).arg(lambdas[k], 0, 'f', 3)
                                 : tr("step %1: bound %2, lambda %3")
                                       .arg(step)
                                       .arg(b, 0, 'f', kBoundDecimals)
                                       .arg(lambdas[k], 0, 'f', 3));
    }
}

} // namespace awb
