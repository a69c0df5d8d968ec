#include "options_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontMetrics>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <cmath>
#include <limits>

namespace awb {

namespace {

using Kind = view::OptionSpec::Kind;

const char *const kInvalidStyle = "QLineEdit { background-color: #fdecea; border: 1px solid #c62828; }";

// Spin and combo boxes that only take the wheel when focused: the event then
// goes on to the scroll area, which scrolls.
class QuietSpinBox : public QSpinBox
{
public:
    using QSpinBox::QSpinBox;
    // The whole int range would ask for eleven digits; a narrow dock needs less.
    QSize minimumSizeHint() const override
    {
        const QSize base = QSpinBox::minimumSizeHint();
        return {std::min(base.width(), fontMetrics().horizontalAdvance(QStringLiteral("000000")) + 28), base.height()};
    }

protected:
    void wheelEvent(QWheelEvent *e) override
    {
        if (hasFocus())
            QSpinBox::wheelEvent(e);
        else
            e->ignore();
    }
};

class QuietComboBox : public QComboBox
{
public:
    using QComboBox::QComboBox;

protected:
    void wheelEvent(QWheelEvent *e) override
    {
        if (hasFocus())
            QComboBox::wheelEvent(e);
        else
            e->ignore();
    }
};

// C locale, finite only: a researcher's "5e-05" means the same in every locale.
double parseDouble(const QString &text, bool *ok)
{
    const double v = QLocale::c().toDouble(text.trimmed(), ok);
    if (*ok && !std::isfinite(v))
        *ok = false;
    return v;
}

QString defaultText(const view::OptionSpec &spec)
{
    switch (spec.kind) {
    case Kind::Bool: return spec.value.toBool() ? OptionsForm::tr("on") : OptionsForm::tr("off");
    case Kind::Double: return OptionsForm::formatDouble(spec.value.toDouble());
    case Kind::Int: return QString::number(spec.value.toLongLong());
    default: break;
    }
    const QString s = spec.value.toString();
    return s.isEmpty() ? OptionsForm::tr("(empty)") : s;
}

bool pathIsFile(const view::OptionSpec &spec)
{
    const QString k = spec.key.toLower(), h = spec.help.toLower();
    if (k.endsWith(QLatin1String("_dir")) || h.contains(QLatin1String("folder")) || h.contains(QLatin1String("directory")))
        return false;
    return k.contains(QLatin1String("file")) || h.contains(QLatin1String("file"));
}

// Section order as shown; sectionFor() returns one of these titles.
const char *const kSectionTitles[] = {QT_TRANSLATE_NOOP("awb::OptionsForm", "Inputs"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "Step & sampling"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "Objective"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "Optimiser"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "LoRA"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "Bookkeeping"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "Other")};

} // namespace

QString OptionsForm::formatDouble(double v)
{
    QString text = QLocale::c().toString(v, 'g', QLocale::FloatingPointShortest);
    // "1.0", not "1": the field takes fractions. Still the shortest text of that form that reads back exactly.
    if (std::isfinite(v) && !text.contains(QLatin1Char('.')) && !text.contains(QLatin1Char('e')))
        text += QLatin1String(".0");
    return text;
}

QString OptionsForm::sectionFor(const QString &key)
{
    const QString k = key.toLower();
    auto has = [&](std::initializer_list<const char *> parts) {
        for (const char *p : parts)
            if (k.contains(QLatin1String(p)))
                return true;
        return false;
    };
    // Order matters: "scale_rewards" is the objective, "reward_batch_size" bookkeeping, "max_steps" the step.
    if (k == QLatin1String("model") || k == QLatin1String("reward_model") || k == QLatin1String("prompts")
        || has({"prompt_field", "chat_template", "dataset", "model_name"}))
        return QStringLiteral("Inputs");
    if (has({"lora", "peft", "target_modules"}))
        return QStringLiteral("LoRA");
    if (has({"learning_rate", "lr_", "adam", "weight_decay", "grad_norm", "warmup", "optim", "gradient_accumulation"}))
        return QStringLiteral("Optimiser");
    if (has({"epsilon", "beta", "loss", "scale_rewards", "aggregation", "reward_weights", "kl", "delta",
             "importance_sampling", "advantage"}))
        return QStringLiteral("Objective");
    if (has({"seed", "save", "log", "run_name", "output", "report", "eval", "reward_batch", "checkpoint"}))
        return QStringLiteral("Bookkeeping");
    if (has({"steps", "generation", "completion", "prompt", "temperature", "top_", "min_p", "repetition",
             "iterations", "batch", "dynamic_sampling", "truncated", "epochs"}))
        return QStringLiteral("Step & sampling");
    return QStringLiteral("Other");
}

OptionsForm::OptionsForm(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto *bar = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("optionsFilterEdit"));
    m_filter->setPlaceholderText(tr("Filter options (Ctrl+F)"));
    m_filter->setToolTip(tr("Show only the options whose name or description contains this text (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, &OptionsForm::setFilter);
    auto *find = new QShortcut(QKeySequence::Find, this);
    find->setContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, m_filter, [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
    bar->addWidget(m_filter, 1);
    m_changedCount = new QLabel(this);
    m_changedCount->setObjectName(QStringLiteral("changedCountLabel"));
    m_changedCount->setToolTip(tr("Options that differ from their defaults (shown in bold)"));
    bar->addWidget(m_changedCount);
    auto *reset = m_reset = new QPushButton(tr("Reset"), this);
    reset->setObjectName(QStringLiteral("resetOptionsButton"));
    reset->setToolTip(tr("Reset every option to its default"));
    connect(reset, &QPushButton::clicked, this, &OptionsForm::resetToDefaults);
    bar->addWidget(reset);
    layout->addLayout(bar);

    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("optionsScroll"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    layout->addWidget(m_scroll, 1);
    setOptions({});
}

QWidget *OptionsForm::makeEditor(const view::OptionSpec &spec, QWidget *parent, QWidget **fieldWidget)
{
    QWidget *editor = nullptr;
    *fieldWidget = nullptr;
    switch (spec.kind) {
    case Kind::Bool: {
        auto *c = new QCheckBox(parent);
        c->setChecked(spec.value.toBool());
        connect(c, &QCheckBox::toggled, this, [this, n = m_fields.size()] { fieldEdited(n); });
        editor = c;
        break;
    }
    case Kind::Int: {
        auto *s = new QuietSpinBox(parent);
        s->setRange(std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
        s->setFocusPolicy(Qt::StrongFocus);
        s->setValue(static_cast<int>(std::clamp<qlonglong>(spec.value.toLongLong(), s->minimum(), s->maximum())));
        connect(s, &QSpinBox::valueChanged, this, [this, n = m_fields.size()] { fieldEdited(n); });
        editor = s;
        break;
    }
    case Kind::Choice: {
        auto *c = new QuietComboBox(parent);
        c->setFocusPolicy(Qt::StrongFocus);
        c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        c->setMinimumContentsLength(6);
        c->addItems(spec.choices);
        const QString v = spec.value.toString();
        if (c->findText(v) < 0)
            c->addItem(v);
        c->setCurrentText(v);
        connect(c, &QComboBox::currentTextChanged, this, [this, n = m_fields.size()] { fieldEdited(n); });
        editor = c;
        break;
    }
    case Kind::Double:
    case Kind::String:
    case Kind::Path: {
        auto *e = new QLineEdit(parent);
        e->setText(spec.kind == Kind::Double ? formatDouble(spec.value.toDouble()) : spec.value.toString());
        connect(e, &QLineEdit::textChanged, this, [this, n = m_fields.size()] { fieldEdited(n); });
        editor = e;
        if (spec.kind != Kind::Path)
            break;
        auto *box = new QWidget(parent);
        auto *row = new QHBoxLayout(box);
        row->setContentsMargins(0, 0, 0, 0);
        row->setSpacing(2);
        e->setParent(box);
        row->addWidget(e, 1);
        auto *browse = new QToolButton(box);
        browse->setObjectName(QStringLiteral("browse_") + spec.key);
        browse->setText(QStringLiteral("…"));
        const bool file = pathIsFile(spec);
        browse->setToolTip(file ? tr("Choose a file for %1").arg(spec.key) : tr("Choose a folder for %1").arg(spec.key));
        connect(browse, &QToolButton::clicked, this, [this, e, file, key = spec.key] {
            const QString chosen = file ? QFileDialog::getOpenFileName(this, key, e->text())
                                        : QFileDialog::getExistingDirectory(this, key, e->text());
            if (!chosen.isEmpty())
                e->setText(chosen);
        });
        row->addWidget(browse);
        *fieldWidget = box;
        break;
    }
    }
    editor->setObjectName(QStringLiteral("option_") + spec.key);
    editor->setToolTip(spec.help);
    if (!*fieldWidget)
        *fieldWidget = editor;
    return editor;
}

void OptionsForm::setOptions(const QVector<view::OptionSpec> &options)
{
    m_building = true;
    m_specs = options;
    m_fields.clear();
    m_sections.clear();
    delete m_scroll->takeWidget();

    auto *host = new QWidget;
    host->setObjectName(QStringLiteral("optionsHost"));
    auto *column = new QVBoxLayout(host);
    column->setContentsMargins(4, 2, 4, 2);
    column->setSpacing(2);

    // Sections in their fixed order, fields in the order given within each.
    const int nSections = int(std::size(kSectionTitles));
    QVector<QFormLayout *> forms(nSections, nullptr);
    for (int s = 0; s < nSections; ++s) {
        Section section;
        section.title = QString::fromLatin1(kSectionTitles[s]);
        m_sections.push_back(section);
    }
    for (const auto &spec : options) {
        const QString title = sectionFor(spec.key);
        int s = 0;
        while (s < nSections - 1 && m_sections[s].title != title)
            ++s;
        ++m_sections[s].fields;
    }
    for (int s = 0; s < nSections; ++s) {
        Section &section = m_sections[s];
        if (section.fields == 0)
            continue;
        auto *header = new QToolButton(host);
        header->setObjectName(QStringLiteral("section_") + section.title.toLower().remove(QLatin1Char(' ')).remove(QLatin1Char('&')));
        header->setText(tr("%1 (%2)").arg(tr(kSectionTitles[s]).replace(QLatin1Char('&'), QLatin1String("&&"))).arg(section.fields));
        header->setCheckable(true);
        header->setChecked(true);
        header->setAutoRaise(true);
        header->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        header->setArrowType(Qt::DownArrow);
        header->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        header->setToolTip(tr("Show or hide this group"));
        QFont f = header->font();
        f.setBold(true);
        header->setFont(f);
        auto *body = new QWidget(host);
        forms[s] = new QFormLayout(body);
        forms[s]->setContentsMargins(10, 0, 0, 6);
        forms[s]->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
        forms[s]->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        connect(header, &QToolButton::toggled, body, [header, body](bool open) {
            header->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
            body->setVisible(open);
        });
        column->addWidget(header);
        column->addWidget(body);
        section.header = header;
        section.body = body;
    }
    column->addStretch(1);

    for (const auto &spec : options) {
        const QString title = sectionFor(spec.key);
        int s = 0;
        while (s < nSections - 1 && m_sections[s].title != title)
            ++s;
        QWidget *body = m_sections[s].body;
        Field field;
        field.spec = spec;
        field.section = s;
        QWidget *fieldWidget = nullptr;
        field.editor = makeEditor(spec, body, &fieldWidget);
        field.label = new QLabel(spec.key, body);
        field.label->setBuddy(field.editor);
        field.label->setToolTip(spec.help);
        field.row = fieldWidget;
        forms[s]->addRow(field.label, fieldWidget);
        m_fields.push_back(field);
    }
    // One label column for all sections, wide enough for the bold (changed) form of the longest key.
    int labelWidth = 0;
    for (const Field &f : m_fields) {
        QFont bold = f.label->font();
        bold.setBold(true);
        labelWidth = std::max(labelWidth, QFontMetrics(bold).horizontalAdvance(f.spec.key) + 4);
    }
    for (const Field &f : m_fields)
        f.label->setMinimumWidth(labelWidth);
    m_scroll->setWidget(host);
    m_building = false;
    setEditable(m_editable);
    for (int i = 0; i < m_fields.size(); ++i)
        updateField(i);
    refreshChangedCount();
    setFilter(m_filter->text());
}

int OptionsForm::indexOf(const QString &key) const
{
    for (int i = 0; i < m_fields.size(); ++i)
        if (m_fields[i].spec.key == key)
            return i;
    return -1;
}

QWidget *OptionsForm::editor(const QString &key) const
{
    const int i = indexOf(key);
    return i < 0 ? nullptr : m_fields[i].editor;
}

QVariant OptionsForm::fieldValue(const Field &f, bool *ok) const
{
    *ok = true;
    switch (f.spec.kind) {
    case Kind::Bool: return static_cast<QCheckBox *>(f.editor)->isChecked();
    case Kind::Int: return qlonglong(static_cast<QSpinBox *>(f.editor)->value());
    case Kind::Double: return parseDouble(static_cast<QLineEdit *>(f.editor)->text(), ok);
    case Kind::Choice: return static_cast<QComboBox *>(f.editor)->currentText();
    case Kind::String:
    case Kind::Path: return static_cast<QLineEdit *>(f.editor)->text();
    }
    *ok = false;
    return {};
}

bool OptionsForm::isChanged(const Field &f) const
{
    bool ok = false;
    const QVariant v = fieldValue(f, &ok);
    if (!ok)
        return true;
    switch (f.spec.kind) {
    case Kind::Bool: return v.toBool() != f.spec.value.toBool();
    case Kind::Int: return v.toLongLong() != f.spec.value.toLongLong();
    case Kind::Double: return v.toDouble() != f.spec.value.toDouble();
    default: return v.toString() != f.spec.value.toString();
    }
}

void OptionsForm::fieldEdited(int index)
{
    if (m_building)
        return;
    updateField(index);
    refreshChangedCount();
    emit valuesChanged();
}

void OptionsForm::updateField(int index)
{
    const Field &f = m_fields[index];
    bool ok = true;
    fieldValue(f, &ok);
    if (f.spec.kind == Kind::Double) {
        auto *e = static_cast<QLineEdit *>(f.editor);
        e->setStyleSheet(ok ? QString() : QString::fromLatin1(kInvalidStyle));
        e->setProperty("invalid", !ok);
        e->setToolTip(ok ? f.spec.help : tr("%1\nNot a number: use e.g. 0.2 or 5e-05").arg(f.spec.help));
    }
    const bool changed = isChanged(f);
    QFont font = f.label->font();
    if (font.bold() != changed) {
        font.setBold(changed);
        f.label->setFont(font);
    }
    f.label->setToolTip(changed ? tr("%1\nDefault: %2").arg(f.spec.help, defaultText(f.spec)) : f.spec.help);
}

void OptionsForm::refreshChangedCount()
{
    int n = 0;
    for (const Field &f : m_fields)
        n += isChanged(f) ? 1 : 0;
    m_changedCount->setText(n == 0 ? tr("defaults") : tr("%n changed", nullptr, n));
}

QVariantMap OptionsForm::values() const
{
    QVariantMap out;
    for (const Field &f : m_fields) {
        bool ok = false;
        const QVariant v = fieldValue(f, &ok);
        if (ok)
            out.insert(f.spec.key, v);
    }
    return out;
}

QVariant OptionsForm::value(const QString &key) const
{
    const int i = indexOf(key);
    if (i < 0)
        return {};
    bool ok = false;
    const QVariant v = fieldValue(m_fields[i], &ok);
    return ok ? v : QVariant();
}

bool OptionsForm::setValue(const QString &key, const QVariant &value)
{
    const int i = indexOf(key);
    if (i < 0)
        return false;
    const Field &f = m_fields[i];
    bool ok = true;
    switch (f.spec.kind) {
    case Kind::Bool:
        static_cast<QCheckBox *>(f.editor)->setChecked(value.toBool());
        break;
    case Kind::Int: {
        auto *s = static_cast<QSpinBox *>(f.editor);
        const qlonglong v = value.toLongLong(&ok);
        if (ok && v >= s->minimum() && v <= s->maximum())
            s->setValue(int(v));
        else
            ok = false;
        break;
    }
    case Kind::Double: {
        auto *e = static_cast<QLineEdit *>(f.editor);
        if (value.typeId() == QMetaType::QString)
            e->setText(value.toString());
        else if (const double v = value.toDouble(&ok); ok)
            e->setText(formatDouble(v));
        break;
    }
    case Kind::Choice: {
        auto *c = static_cast<QComboBox *>(f.editor);
        const int at = c->findText(value.toString());
        ok = at >= 0;
        if (ok)
            c->setCurrentIndex(at);
        break;
    }
    case Kind::String:
    case Kind::Path:
        static_cast<QLineEdit *>(f.editor)->setText(value.toString());
        break;
    }
    return ok;
}

QStringList OptionsForm::changedKeys() const
{
    QStringList out;
    for (const Field &f : m_fields)
        if (isChanged(f))
            out << f.spec.key;
    return out;
}

bool OptionsForm::validate(QString *error) const
{
    QStringList problems;
    for (const Field &f : m_fields) {
        bool ok = false;
        fieldValue(f, &ok);
        if (!ok)
            problems << tr("%1: \"%2\" is not a number").arg(f.spec.key, static_cast<QLineEdit *>(f.editor)->text());
    }
    if (error)
        *error = problems.join(QLatin1Char('\n'));
    return problems.isEmpty();
}

void OptionsForm::setEditable(bool editable)
{
    m_editable = editable;
    m_reset->setEnabled(editable);
    for (const Field &f : m_fields)
        f.row->setEnabled(editable);
}

void OptionsForm::resetToDefaults()
{
    for (const Field &f : m_fields)
        setValue(f.spec.key, f.spec.kind == Kind::Double ? QVariant(f.spec.value.toDouble()) : f.spec.value);
}

void OptionsForm::setFilter(const QString &text)
{
    if (m_filter->text() != text)
        m_filter->setText(text);   // comes back here through textChanged
    const QString needle = text.trimmed();
    QVector<int> shown(m_sections.size(), 0);
    for (const Field &f : m_fields) {
        const bool match = needle.isEmpty() || f.spec.key.contains(needle, Qt::CaseInsensitive)
                           || f.spec.help.contains(needle, Qt::CaseInsensitive);
        auto *form = static_cast<QFormLayout *>(m_sections[f.section].body->layout());
        form->setRowVisible(f.label, match);
        shown[f.section] += match ? 1 : 0;
    }
    for (int s = 0; s < m_sections.size(); ++s) {
        const Section &section = m_sections[s];
        if (!section.header)
            continue;
        section.header->setVisible(shown[s] > 0);
        auto *header = static_cast<QToolButton *>(section.header);
        section.body->setVisible(shown[s] > 0 && (header->isChecked() || !needle.isEmpty()));
    }
}

} // namespace awb
