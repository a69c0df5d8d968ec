#pragma once
// A form generated from a list of view::OptionSpec (app/ builds them from
// core's visitGrpoOptions, the same source as the CLI flags and the JSON
// config): one editor per knob, labelled with its key (the TRL name) and the
// help line as tool tip, grouped into collapsible sections, in a scroll area,
// with a filter box and "Reset to defaults". A view only. GUI thread only.
//
// Editors (objectName "option_<key>"):
//   Bool   -> QCheckBox
//   Int    -> QSpinBox over the whole int range
//   Double -> QLineEdit parsed in the C locale, so "5e-05" or "1e-6" are kept
//             exactly (a QDoubleSpinBox would round them to its decimals);
//             shown with the shortest text that reads back to the same double
//             (with ".0" added to whole numbers)
//   String -> QLineEdit
//   Path   -> QLineEdit + "…" browse button ("browse_<key>"); a folder dialog
//             unless the key/help speaks of a file
//   Choice -> QComboBox of the choices (a value outside them is added)
// A Double that does not parse to a finite number is drawn red, left out of
// values(), and named by validate(). Changed knobs have a bold label whose
// tool tip shows the default. Wheel events only change a spin box or combo
// box that has focus, so scrolling the form never edits it by accident.
//
// Other object names: optionsFilterEdit, changedCountLabel, resetOptionsButton,
// optionsScroll, and the section headers (checkable tool buttons) section_inputs,
// section_step_sampling, section_objective, section_optimiser, section_lora,
// section_bookkeeping, section_other.
//
// The defaults are the values given to setOptions(); resetToDefaults() and
// changedKeys() refer to them. Ctrl+F focuses the filter.

#include "view_types.h"

#include <QVariantMap>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QScrollArea;
class QVBoxLayout;

namespace awb {

class OptionsForm : public QWidget
{
    Q_OBJECT

public:
    explicit OptionsForm(QWidget *parent = nullptr);

    // Rebuilds the form; the values given become the defaults.
    void setOptions(const QVector<view::OptionSpec> &options);
    const QVector<view::OptionSpec> &specs() const { return m_specs; }

    // key -> typed value (bool, qlonglong, double or QString); invalid fields are left out.
    QVariantMap values() const;
    // The typed value of one knob; an invalid QVariant when the key is unknown or the field is invalid.
    QVariant value(const QString &key) const;
    // Sets one editor. A string given for a Double is shown as typed (and may
    // be invalid); a Choice outside its choices is refused. False when the key
    // is unknown or the value cannot be shown. Emits valuesChanged() on success.
    bool setValue(const QString &key, const QVariant &value);
    // Keys whose value differs from its default (an invalid field counts as changed), in form order.
    QStringList changedKeys() const;
    // False when a field is invalid; *error then names every bad key and what is wrong.
    bool validate(QString *error = nullptr) const;

    QWidget *editor(const QString &key) const;   // nullptr when unknown
    // Shows only knobs whose key or help contains `text` (case-insensitive); empty shows all.
    void setFilter(const QString &text);
    // The section a key is listed under ("Inputs", "Step & sampling", "Objective",
    // "Optimiser", "LoRA", "Bookkeeping", or "Other"); untranslated, for tests.
    static QString sectionFor(const QString &key);
    // The text a Double editor shows for v: the shortest that parses back to v.
    static QString formatDouble(double v);   // "5e-05", "0.2", "1.0"

    // Off while a run uses these values: the editors are disabled, but the
    // labels, filter and sections stay readable and usable.
    void setEditable(bool editable);
    bool isEditable() const { return m_editable; }

public slots:
    void resetToDefaults();

signals:
    void valuesChanged();   // an editor was edited (by the user or setValue/reset)

private:
    struct Field
    {
        view::OptionSpec spec;
        QWidget *editor = nullptr;   // the widget named option_<key>
        QLabel *label = nullptr;
        QWidget *row = nullptr;      // what the filter hides (label and field)
        int section = -1;
    };
    struct Section
    {
        QString title;
        QWidget *header = nullptr;   // a checkable tool button
        QWidget *body = nullptr;
        int fields = 0;
    };

    QWidget *makeEditor(const view::OptionSpec &spec, QWidget *parent, QWidget **fieldWidget);
    QVariant fieldValue(const Field &f, bool *ok) const;
    bool isChanged(const Field &f) const;
    void fieldEdited(int index);   // an editor changed: restyle, recount, emit
    void updateField(int index);   // red when invalid, bold label when changed
    void refreshChangedCount();
    int indexOf(const QString &key) const;

    QLineEdit *m_filter = nullptr;
    QLabel *m_changedCount = nullptr;
    QPushButton *m_reset = nullptr;
    QScrollArea *m_scroll = nullptr;
    QVector<view::OptionSpec> m_specs;
    QVector<Field> m_fields;
    QVector<Section> m_sections;
    bool m_building = false;
    bool m_editable = true;
};

} // namespace awb
