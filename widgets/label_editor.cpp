#include "label_editor.h"

#include <QDoubleSpinBox>
#include <QFocusEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace awb {

namespace {

constexpr int kSliderSteps = 1000;
const char *const kAnnotatorKey = "labelling/annotator";

} // namespace

LabelEditor::LabelEditor(QWidget *parent)
    : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(4);

    m_header = new QLabel(this);
    m_header->setObjectName(QStringLiteral("labelHeader"));
    QFont bold = m_header->font();
    bold.setBold(true);
    m_header->setFont(bold);
    layout->addWidget(m_header);

    m_rowsLayout = new QVBoxLayout;
    m_rowsLayout->setSpacing(1);
    layout->addLayout(m_rowsLayout);

    auto *annotatorRow = new QHBoxLayout;
    auto *annotatorLabel = new QLabel(tr("Annotator:"), this);
    m_annotator = new QLineEdit(this);
    m_annotator->setObjectName(QStringLiteral("annotatorEdit"));
    m_annotator->setPlaceholderText(tr("your name, stored with every label"));
    m_annotator->setToolTip(tr("Recorded with each label you submit; remembered between sessions"));
    m_annotator->setText(QSettings().value(QLatin1String(kAnnotatorKey)).toString());
    annotatorLabel->setBuddy(m_annotator);
    connect(m_annotator, &QLineEdit::textEdited, this, [](const QString &text) {
        QSettings().setValue(QLatin1String(kAnnotatorKey), text.trimmed());
    });
    annotatorRow->addWidget(annotatorLabel);
    annotatorRow->addWidget(m_annotator, 1);
    layout->addLayout(annotatorRow);

    auto *buttons = new QHBoxLayout;
    auto *previous = new QPushButton(tr("\u25C0 Previous (P)"), this);
    previous->setObjectName(QStringLiteral("previousSampleButton"));
    m_undoButton = new QPushButton(tr("Undo (Ctrl+Z)"), this);
    m_undoButton->setObjectName(QStringLiteral("undoLabelButton"));
    m_undoButton->setToolTip(tr("Restore the labels the last submitted sample had before"));
    m_submit = new QPushButton(tr("Submit (Enter)"), this);
    m_submit->setObjectName(QStringLiteral("submitLabelsButton"));
    m_submit->setToolTip(tr("Store these labels and move to the next sample"));
    auto *next = new QPushButton(tr("Next (N) \u25B6"), this);
    next->setObjectName(QStringLiteral("nextSampleButton"));
    for (QPushButton *b : {previous, m_undoButton, m_submit, next}) {
        b->setFocusPolicy(Qt::NoFocus);
        buttons->addWidget(b);
    }
    connect(previous, &QPushButton::clicked, this, &LabelEditor::previousSampleRequested);
    connect(next, &QPushButton::clicked, this, &LabelEditor::nextSampleRequested);
    connect(m_submit, &QPushButton::clicked, this, &LabelEditor::submit);
    connect(m_undoButton, &QPushButton::clicked, this, &LabelEditor::undo);
    layout->addLayout(buttons);

    m_counter = new QLabel(this);
    m_counter->setObjectName(QStringLiteral("labelsSinceRetrainLabel"));
    m_counter->setToolTip(tr("Labels stored since the reward model in use was trained"));
    layout->addWidget(m_counter);

    const QString help = tr("Keys: 1–5 five-point scale (1 = min, 3 = middle, 5 = max), 0 = min, "
                            "H/L nudge ±5 %, J/\u2193 next aspect, K/\u2191 previous, "
                            "Enter submit and go on, N/P next/previous sample, Ctrl+Z undo.");
    auto *helpLabel = new QLabel(help, this);
    helpLabel->setObjectName(QStringLiteral("labelKeysHelp"));
    helpLabel->setWordWrap(true);
    QPalette pal = helpLabel->palette();
    pal.setColor(QPalette::WindowText, pal.color(QPalette::PlaceholderText));
    helpLabel->setPalette(pal);
    layout->addWidget(helpLabel);
    layout->addStretch(1);
    setToolTip(help);

    setLabelsSinceRetrain(0, 0);
    clearSample();
}

void LabelEditor::setAspects(const QVector<view::AspectSpec> &aspects)
{
    m_aspects = aspects;
    m_current = 0;
    rebuildRows();
    if (m_hasSample)
        setSample(m_sample);
    else
        clearSample();
}

void LabelEditor::rebuildRows()
{
    for (AspectRow &row : m_rows)
        delete row.frame;
    m_rows.clear();

    // Wide enough for the bold, marked name of the longest aspect, so the
    // sliders line up and the highlight does not shift them.
    QFont bold = font();
    bold.setBold(true);
    int nameWidth = 0;
    for (const view::AspectSpec &a : m_aspects)
        nameWidth = std::max(nameWidth, QFontMetrics(bold).horizontalAdvance(QStringLiteral("\u25B8 ") + a.name) + 8);

    for (int a = 0; a < m_aspects.size(); ++a) {
        const view::AspectSpec &spec = m_aspects[a];
        AspectRow row;
        row.frame = new QFrame(this);
        row.frame->setObjectName(QStringLiteral("aspectRow"));
        auto *h = new QHBoxLayout(row.frame);
        h->setContentsMargins(6, 2, 6, 2);
        row.name = new QLabel(spec.name, row.frame);
        row.name->setFixedWidth(nameWidth);
        row.slider = new QSlider(Qt::Horizontal, row.frame);
        row.slider->setRange(0, kSliderSteps);
        row.slider->setFocusPolicy(Qt::NoFocus);
        row.slider->setMinimumWidth(80);
        row.spin = new QDoubleSpinBox(row.frame);
        row.spin->setObjectName(QStringLiteral("labelSpin_%1").arg(a));
        row.spin->setRange(spec.min, spec.max);
        row.spin->setDecimals(3);
        row.spin->setSingleStep((spec.max - spec.min) * kNudge);
        row.spin->setKeyboardTracking(false);
        row.spin->installEventFilter(this);
        row.model = new QLabel(row.frame);
        row.model->setMinimumWidth(fontMetrics().horizontalAdvance(tr("model %1").arg(QStringLiteral("0.000"))) + 4);
        row.model->setToolTip(tr("The reward model's score for %1").arg(spec.name));
        const QString tip = tr("%1, %2 to %3. Keys 1–5 set it on a five-point scale.")
                                .arg(spec.name, QString::number(spec.min), QString::number(spec.max));
        row.name->setToolTip(tip);
        row.spin->setToolTip(tip);
        row.slider->setToolTip(tip);
        h->addWidget(row.name);
        h->addWidget(row.slider, 1);
        h->addWidget(row.spin);
        h->addWidget(row.model);

        const double lo = spec.min, span = spec.max - spec.min;
        connect(row.slider, &QSlider::valueChanged, this, [this, a, lo, span](int v) {
            setCurrentAspect(a);
            QSignalBlocker block(m_rows[a].spin);
            m_rows[a].spin->setValue(lo + span * v / kSliderSteps);
        });
        connect(row.spin, &QDoubleSpinBox::valueChanged, this, [this, a, lo, span](double v) {
            QSignalBlocker block(m_rows[a].slider);
            m_rows[a].slider->setValue(span > 0 ? int(std::lround((v - lo) / span * kSliderSteps)) : 0);
        });
        m_rowsLayout->addWidget(row.frame);
        m_rows.append(row);
    }
    updateHighlight();
}

void LabelEditor::setSample(const view::SampleRow &sample)
{
    m_sample = sample;
    m_hasSample = true;
    for (int a = 0; a < m_rows.size(); ++a) {
        const double label = a < sample.labels.size() ? sample.labels[a] : view::missing();
        const double score = a < sample.scores.size() ? sample.scores[a] : view::missing();
        const double v = !view::isMissing(label) ? label : !view::isMissing(score) ? score : fraction(a, 0.5);
        setValue(a, v);
        m_rows[a].model->setText(view::isMissing(score) ? tr("model \u2014") : tr("model %1").arg(score, 0, 'f', 3));
        m_rows[a].frame->setEnabled(true);
    }
    m_submit->setEnabled(true);
    updateHeader();
    updateHighlight();
}

void LabelEditor::clearSample()
{
    m_sample = view::SampleRow();
    m_hasSample = false;
    for (AspectRow &row : m_rows) {
        row.frame->setEnabled(false);
        row.model->clear();
    }
    m_submit->setEnabled(false);
    m_undoButton->setEnabled(!m_undo.isEmpty());
    updateHeader();
}

void LabelEditor::updateHeader()
{
    if (!m_hasSample) {
        m_header->setText(tr("No sample selected"));
        return;
    }
    const bool labelled = m_sample.labelled();
    m_header->setText(tr("Sample %1 \u00B7 step %2 \u00B7 group %3 \u00B7 #%4%5")
                          .arg(m_sample.id)
                          .arg(m_sample.step)
                          .arg(m_sample.group)
                          .arg(m_sample.indexInGroup)
                          .arg(labelled ? tr(" \u00B7 labelled") : tr(" \u00B7 unlabelled, pre-filled from the model")));
}

QVector<double> LabelEditor::values() const
{
    QVector<double> v;
    v.reserve(m_rows.size());
    for (const AspectRow &row : m_rows)
        v.append(row.spin->value());
    return v;
}

void LabelEditor::setCurrentAspect(int aspect)
{
    if (aspect < 0 || aspect >= m_rows.size() || aspect == m_current)
        return;
    m_current = aspect;
    updateHighlight();
    emit currentAspectChanged(aspect);
}

void LabelEditor::updateHighlight()
{
    for (int a = 0; a < m_rows.size(); ++a) {
        const bool cur = a == m_current;
        AspectRow &row = m_rows[a];
        row.frame->setStyleSheet(cur ? QStringLiteral("QFrame#aspectRow { background: #dce8fa; border-left: 3px solid #2f6fd0; }"
                                                      " QFrame#aspectRow QLabel { color: black; }")
                                     : QStringLiteral("QFrame#aspectRow { border-left: 3px solid transparent; }"));
        QFont f = row.name->font();
        f.setBold(cur);
        row.name->setFont(f);
        row.name->setText(cur ? QStringLiteral("\u25B8 ") + m_aspects[a].name : m_aspects[a].name);
    }
}

void LabelEditor::setValue(int aspect, double value)
{
    if (aspect < 0 || aspect >= m_rows.size())
        return;
    m_rows[aspect].spin->setValue(value);  // the spin box clamps to the range
}

double LabelEditor::fraction(int aspect, double t) const
{
    const view::AspectSpec &s = m_aspects[aspect];
    return s.min + t * (s.max - s.min);
}

QString LabelEditor::annotator() const
{
    return m_annotator->text().trimmed();
}

void LabelEditor::setLabelsSinceRetrain(int n, qint64 rmVersion)
{
    QString text;
    if (rmVersion > 0)
        text = n == 1 ? tr("1 label since reward model v%1").arg(rmVersion)
                      : tr("%1 labels since reward model v%2").arg(n).arg(rmVersion);
    else
        text = n == 1 ? tr("1 label, no reward model trained yet")
                      : tr("%1 labels, no reward model trained yet").arg(n);
    m_counter->setText(text);
}

void LabelEditor::submit()
{
    if (!m_hasSample || m_rows.isEmpty())
        return;
    const QVector<double> v = values();
    m_undo.append({m_sample.id, m_sample.labels});
    if (m_undo.size() > kUndoDepth)
        m_undo.removeFirst();
    m_undoButton->setEnabled(true);
    m_sample.labels = v;
    updateHeader();
    emit labelsSubmitted(m_sample.id, v);
    emit nextSampleRequested();
}

void LabelEditor::undo()
{
    if (m_undo.isEmpty())
        return;
    const auto [id, previous] = m_undo.takeLast();
    m_undoButton->setEnabled(!m_undo.isEmpty());
    QVector<double> restored = previous;
    restored.resize(m_aspects.size(), view::missing());
    emit undoRequested(id);
    emit labelsSubmitted(id, restored);
    if (m_hasSample && m_sample.id == id) {
        m_sample.labels = restored;
        setSample(m_sample);
    }
}

bool LabelEditor::handleKey(QKeyEvent *event)
{
    const Qt::KeyboardModifiers mods = event->modifiers() & ~Qt::KeypadModifier;
    const int key = event->key();
    if (mods == Qt::ControlModifier && key == Qt::Key_Z) {
        undo();
        return true;
    }
    if (mods != Qt::NoModifier && mods != Qt::ShiftModifier)
        return false;
    switch (key) {
    case Qt::Key_N:
        emit nextSampleRequested();
        return true;
    case Qt::Key_P:
        emit previousSampleRequested();
        return true;
    case Qt::Key_J:
    case Qt::Key_Down:
        setCurrentAspect(std::min(m_current + 1, int(m_rows.size()) - 1));
        return true;
    case Qt::Key_K:
    case Qt::Key_Up:
        setCurrentAspect(std::max(m_current - 1, 0));
        return true;
    default:
        break;
    }
    if (!m_hasSample || m_rows.isEmpty())
        return false;
    if (key == Qt::Key_Return || key == Qt::Key_Enter) {
        submit();
        return true;
    }
    if (key == Qt::Key_0) {
        setValue(m_current, fraction(m_current, 0.0));
        return true;
    }
    if (key >= Qt::Key_1 && key <= Qt::Key_5) {
        setValue(m_current, fraction(m_current, (key - Qt::Key_1) / 4.0));
        return true;
    }
    if (key == Qt::Key_H || key == Qt::Key_Left || key == Qt::Key_L || key == Qt::Key_Right) {
        const double step = (key == Qt::Key_H || key == Qt::Key_Left ? -kNudge : kNudge);
        setValue(m_current, m_rows[m_current].spin->value() + fraction(m_current, step) - fraction(m_current, 0.0));
        return true;
    }
    return false;
}

void LabelEditor::keyPressEvent(QKeyEvent *event)
{
    if (!handleKey(event))
        QWidget::keyPressEvent(event);
}

bool LabelEditor::eventFilter(QObject *watched, QEvent *event)
{
    int aspect = -1;
    for (int a = 0; a < m_rows.size(); ++a)
        if (m_rows[a].spin == watched)
            aspect = a;
    if (aspect < 0)
        return QWidget::eventFilter(watched, event);
    if (event->type() == QEvent::FocusIn) {
        setCurrentAspect(aspect);
    } else if (event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        switch (key->key()) {
        case Qt::Key_Return:
        case Qt::Key_Enter:
            m_rows[aspect].spin->interpretText();
            submit();
            return true;
        case Qt::Key_Escape:
            setFocus(Qt::OtherFocusReason);
            return true;
        case Qt::Key_J:
        case Qt::Key_K:
        case Qt::Key_N:
        case Qt::Key_P:
        case Qt::Key_Z:
            if (handleKey(key)) {
                if (key->key() == Qt::Key_J || key->key() == Qt::Key_K)
                    m_rows[m_current].spin->setFocus(Qt::TabFocusReason);
                return true;
            }
            break;
        default:
            break;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace awb
