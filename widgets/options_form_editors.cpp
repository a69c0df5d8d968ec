// OptionsForm, the editor side: building one editor per kind, reading and
// writing its value, and the red/bold marking of a field.
#include "options_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSpinBox>
#include <QToolButton>
#include <QWheelEvent>

#include <algorithm>
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
    if (k.endsWith(QLatin1String("_dir")) || h.contains(QLatin1String("folder"))
        || h.contains(QLatin1String("directory")))
        return false;
    return k.contains(QLatin1String("file")) || h.contains(QLatin1String("file"));
}

} // namespace

QString OptionsForm::formatDouble(double v)
{
    QString text = QLocale::c().toString(v, 'g', QLocale::FloatingPointShortest);
    // "1.0", not "1": the field takes fractions. Still the shortest text of that form that reads back exactly.
    if (std::isfinite(v) && !text.contains(QLatin1Char('.')) && !text.contains(QLatin1Char('e')))
        text += QLatin1String(".0");
    return text;
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
        browse->setToolTip(file ? tr("Choose a file for %1").arg(spec.key)
                                : tr("Choose a folder for %1").arg(spec.key));
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

} // namespace awb
