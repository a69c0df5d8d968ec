#include "options_form.h"

#include <QFontMetrics>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>

#include <iterator>

namespace awb {

namespace {

using Kind = view::OptionSpec::Kind;

// Section order as shown; sectionFor() returns one of these titles.
const char *const kSectionTitles[] = {QT_TRANSLATE_NOOP("awb::OptionsForm", "Inputs"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "Step & sampling"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "Objective"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "Optimiser"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "LoRA"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "Bookkeeping"),
                                      QT_TRANSLATE_NOOP("awb::OptionsForm", "Other")};

} // namespace

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
        || k == QLatin1String("algorithm") || has({"prompt_field", "chat_template", "dataset", "model_name", "pair_",
                                                    "preference_file"}))
        return QStringLiteral("Inputs");
    if (has({"lora", "peft", "target_modules"}))
        return QStringLiteral("LoRA");
    if (has({"learning_rate", "lr_", "adam", "weight_decay", "grad_norm", "warmup", "optim", "gradient_accumulation"}))
        return QStringLiteral("Optimiser");
    if (has({"epsilon", "beta", "loss", "scale_rewards", "aggregation", "reward_weights", "kl", "delta",
             "importance_sampling", "advantage", "cliprange", "gamma", "lam", "vf_coef", "whiten", "missing_eos",
             "value_model", "modpo", "label_smoothing", "precompute_ref"}))
        return QStringLiteral("Objective");
    if (has({"seed", "save", "log", "run_name", "output", "report", "eval", "reward_batch", "checkpoint"}))
        return QStringLiteral("Bookkeeping");
    if (has({"steps", "generation", "completion", "prompt", "temperature", "top_", "min_p", "repetition",
             "iterations", "batch", "dynamic_sampling", "truncated", "epochs", "max_length"}))
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
        // "Step & sampling" -> section_step_sampling; "&&" shows a literal "&" instead of a mnemonic.
        QString slug = section.title.toLower().remove(QLatin1Char('&')).simplified();
        header->setObjectName(QStringLiteral("section_") + slug.replace(QLatin1Char(' '), QLatin1Char('_')));
        QString title = tr(kSectionTitles[s]);
        header->setText(tr("%1 (%2)").arg(title.replace(QLatin1Char('&'), QLatin1String("&&"))).arg(section.fields));
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

void OptionsForm::fieldEdited(int index)
{
    if (m_building)
        return;
    updateField(index);
    refreshChangedCount();
    emit valuesChanged();
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
