// OptionsForm: one editor per kind with its object name and typed value,
// exact round-trip of learning rates, validation naming the key, changed
// keys and reset, sections, the filter.
#include "option_test_specs.h"
#include "options_form.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QToolButton>
#include <QtTest>

using namespace awb;
using namespace awb::testing;

Q_DECLARE_METATYPE(awb::view::OptionSpec)

class TestOptionsForm : public QObject
{
    Q_OBJECT

private slots:
    void editorKinds_data();
    void editorKinds();
    void learningRateRoundTrip();
    void invalidDoubleNamed();
    void changedKeysAndReset();
    void formatDouble_data();
    void formatDouble();
    void sections_data();
    void sections();
    void filter();
};

void TestOptionsForm::editorKinds_data()
{
    QTest::addColumn<view::OptionSpec>("option");
    QTest::addColumn<QString>("editorClass");
    QTest::addColumn<QVariant>("expected");   // what values() must hold, with its type

    QTest::newRow("bool") << spec("use_lora", Kind::Bool, true) << "QCheckBox" << QVariant(true);
    QTest::newRow("int") << spec("max_steps", Kind::Int, qlonglong(1200)) << "QSpinBox" << QVariant(qlonglong(1200));
    QTest::newRow("int-large") << spec("seed", Kind::Int, qlonglong(2000000000)) << "QSpinBox"
                               << QVariant(qlonglong(2000000000));
    QTest::newRow("double") << spec("beta", Kind::Double, 0.04) << "QLineEdit" << QVariant(0.04);
    QTest::newRow("string") << spec("run_name", Kind::String, QStringLiteral("ablation-3")) << "QLineEdit"
                            << QVariant(QStringLiteral("ablation-3"));
    QTest::newRow("path") << spec("output_dir", Kind::Path, QStringLiteral("/data/runs")) << "QLineEdit"
                          << QVariant(QStringLiteral("/data/runs"));
    QTest::newRow("choice") << spec("loss_type", Kind::Choice, QStringLiteral("dr_grpo"), "",
                                    {"grpo", "bnpo", "dr_grpo", "dapo"})
                            << "QComboBox" << QVariant(QStringLiteral("dr_grpo"));
}

void TestOptionsForm::editorKinds()
{
    QFETCH(view::OptionSpec, option);
    QFETCH(QString, editorClass);
    QFETCH(QVariant, expected);
    option.help = QStringLiteral("help for ") + option.key;

    OptionsForm form;
    form.setOptions({spec("other", Kind::Int, qlonglong(1)), option});
    QWidget *editor = form.findChild<QWidget *>(QStringLiteral("option_") + option.key);
    QVERIFY(editor);
    QCOMPARE(editor, form.editor(option.key));
    QVERIFY(editor->inherits(qPrintable(editorClass)));
    QCOMPARE(editor->toolTip(), option.help);

    const QVariantMap values = form.values();
    QCOMPARE(values.size(), 2);
    QCOMPARE(values.value(option.key).typeId(), expected.typeId());
    QCOMPARE(values.value(option.key), expected);
    QVERIFY(form.changedKeys().isEmpty());

    if (option.kind == Kind::Path)
        QVERIFY(form.findChild<QToolButton *>(QStringLiteral("browse_") + option.key));
    if (option.kind == Kind::Choice)
        QCOMPARE(qobject_cast<QComboBox *>(editor)->count(), 4);
    // The label is the key itself, with the help as tool tip.
    const auto labels = form.findChildren<QLabel *>();
    const auto it = std::find_if(labels.begin(), labels.end(), [&](QLabel *l) { return l->text() == option.key; });
    QVERIFY(it != labels.end());
    QCOMPARE((*it)->toolTip(), option.help);
}

void TestOptionsForm::learningRateRoundTrip()
{
    OptionsForm form;
    form.setOptions({spec("learning_rate", Kind::Double, 5e-05)});
    auto *edit = qobject_cast<QLineEdit *>(form.editor(QStringLiteral("learning_rate")));
    QVERIFY(edit);
    QCOMPARE(edit->text(), QStringLiteral("5e-05"));
    QVERIFY(exactlyEqual(form.values().value(QStringLiteral("learning_rate")).toDouble(), 5e-05));

    // Typed by the user: 3e-06 must come back bit for bit, not rounded to a few decimals.
    edit->selectAll();
    QTest::keyClicks(edit, QStringLiteral("3e-06"));
    QVERIFY(exactlyEqual(form.values().value(QStringLiteral("learning_rate")).toDouble(), 3e-06));
    QCOMPARE(form.changedKeys(), QStringList{QStringLiteral("learning_rate")});

    // A number that needs all 17 digits survives too.
    const double awkward = 0.1 + 0.2;   // 0.30000000000000004
    QVERIFY(form.setValue(QStringLiteral("learning_rate"), awkward));
    QCOMPARE(edit->text(), QStringLiteral("0.30000000000000004"));
    QVERIFY(exactlyEqual(form.value(QStringLiteral("learning_rate")).toDouble(), awkward));
}

void TestOptionsForm::invalidDoubleNamed()
{
    OptionsForm form;
    form.setOptions(grpoSpecs());
    const int total = grpoSpecs().size();
    QString error;
    QVERIFY(form.validate(&error));
    QVERIFY(error.isEmpty());

    auto *edit = qobject_cast<QLineEdit *>(form.editor(QStringLiteral("beta")));
    edit->selectAll();
    QTest::keyClicks(edit, QStringLiteral("0.2x"));
    QVERIFY(!form.validate(&error));
    QVERIFY2(error.contains(QStringLiteral("beta")), qPrintable(error));
    QVERIFY(!error.contains(QStringLiteral("learning_rate")));
    QCOMPARE(edit->property("invalid").toBool(), true);
    QVERIFY(!edit->styleSheet().isEmpty());
    QVERIFY(!form.values().contains(QStringLiteral("beta")));
    QCOMPARE(form.values().size(), total - 1);
    QVERIFY(!form.value(QStringLiteral("beta")).isValid());

    // A second bad field is named as well; "inf" parses but is not a usable number.
    QVERIFY(form.setValue(QStringLiteral("learning_rate"), QStringLiteral("inf")));
    QVERIFY(!form.validate(&error));
    QVERIFY(error.contains(QStringLiteral("beta")) && error.contains(QStringLiteral("learning_rate")));

    // Fixing both makes the form valid and un-reds the field.
    QVERIFY(form.setValue(QStringLiteral("beta"), 0.1));
    QVERIFY(form.setValue(QStringLiteral("learning_rate"), QStringLiteral(" 1e-6 ")));
    QVERIFY(form.validate(&error));
    QCOMPARE(edit->property("invalid").toBool(), false);
    QVERIFY(edit->styleSheet().isEmpty());
    QVERIFY(exactlyEqual(form.value(QStringLiteral("learning_rate")).toDouble(), 1e-6));
}

void TestOptionsForm::changedKeysAndReset()
{
    OptionsForm form;
    form.setOptions(grpoSpecs());
    QSignalSpy changed(&form, &OptionsForm::valuesChanged);
    QVERIFY(form.changedKeys().isEmpty());

    QVERIFY(form.setValue(QStringLiteral("loss_type"), QStringLiteral("bnpo")));
    QVERIFY(form.setValue(QStringLiteral("num_generations"), 16));
    QVERIFY(form.setValue(QStringLiteral("beta"), 0.1));
    QVERIFY(form.setValue(QStringLiteral("use_lora"), false));
    QVERIFY(!form.setValue(QStringLiteral("loss_type"), QStringLiteral("ppo")));   // not a choice
    QVERIFY(!form.setValue(QStringLiteral("no_such_key"), 1));
    QCOMPARE(changed.count(), 4);
    // In the order the specs were given, not the order of the calls.
    QCOMPARE(form.changedKeys(), (QStringList{"num_generations", "beta", "loss_type", "use_lora"}));
    QCOMPARE(form.values().value(QStringLiteral("num_generations")), QVariant(qlonglong(16)));
    QCOMPARE(form.findChild<QLabel *>(QStringLiteral("changedCountLabel"))->text(), QStringLiteral("4 changed"));

    // "0.20" is the default 0.2 written differently: not a change.
    QVERIFY(form.setValue(QStringLiteral("beta"), QStringLiteral("0.20")));
    QCOMPARE(form.changedKeys(), (QStringList{"num_generations", "loss_type", "use_lora"}));

    form.findChild<QPushButton *>(QStringLiteral("resetOptionsButton"))->click();
    QVERIFY(form.changedKeys().isEmpty());
    QCOMPARE(form.values().value(QStringLiteral("loss_type")), QVariant(QStringLiteral("dapo")));
    QCOMPARE(form.values().value(QStringLiteral("use_lora")), QVariant(true));
    QCOMPARE(qobject_cast<QLineEdit *>(form.editor(QStringLiteral("beta")))->text(), QStringLiteral("0.2"));
}

void TestOptionsForm::formatDouble_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("lr") << 5e-05 << "5e-05";
    QTest::newRow("adam eps") << 1e-08 << "1e-08";
    QTest::newRow("beta") << 0.2 << "0.2";
    QTest::newRow("whole") << 1.0 << "1.0";
    QTest::newRow("alpha") << 32.0 << "32.0";
    QTest::newRow("negative") << -1.0 << "-1.0";
    QTest::newRow("17 digits") << 0.1 + 0.2 << "0.30000000000000004";
    QTest::newRow("huge") << 1e21 << "1e+21";
}

void TestOptionsForm::formatDouble()
{
    QFETCH(double, value);
    QFETCH(QString, expected);
    QCOMPARE(OptionsForm::formatDouble(value), expected);
    bool ok = false;
    QVERIFY(exactlyEqual(QLocale::c().toDouble(expected, &ok), value));
    QVERIFY(ok);
}

void TestOptionsForm::sections_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("section");
    QTest::newRow("lr") << "learning_rate" << "Optimiser";
    QTest::newRow("adam_beta1 is not beta") << "adam_beta1" << "Optimiser";
    QTest::newRow("adam_epsilon") << "adam_epsilon" << "Optimiser";
    QTest::newRow("beta") << "beta" << "Objective";
    QTest::newRow("epsilon_high") << "epsilon_high" << "Objective";
    QTest::newRow("scale_rewards") << "scale_rewards" << "Objective";
    QTest::newRow("reward_batch_size") << "reward_batch_size" << "Bookkeeping";
    QTest::newRow("max_steps") << "max_steps" << "Step & sampling";
    QTest::newRow("max_prompt_length") << "max_prompt_length" << "Step & sampling";
    QTest::newRow("prompt_field") << "prompt_field" << "Inputs";
    QTest::newRow("lora_dropout") << "lora_dropout" << "LoRA";
    QTest::newRow("save_steps") << "save_steps" << "Bookkeeping";
    QTest::newRow("unknown") << "frobnicate" << "Other";
}

void TestOptionsForm::sections()
{
    QFETCH(QString, key);
    QFETCH(QString, section);
    QCOMPARE(OptionsForm::sectionFor(key), section);
}

void TestOptionsForm::filter()
{
    OptionsForm form;
    form.setOptions(grpoSpecs());
    form.resize(400, 600);
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    QVERIFY(form.editor(QStringLiteral("beta"))->isVisible());

    form.setFilter(QStringLiteral("LORA"));
    // Matches by key (lora_*, use_lora) or help ("Train LoRA adapters", "LoRA rank"...): five knobs.
    int shown = 0;
    for (const auto &s : form.specs())
        shown += form.editor(s.key)->isVisible() ? 1 : 0;
    QCOMPARE(shown, 5);
    QVERIFY(!form.editor(QStringLiteral("beta"))->isVisible());
    QVERIFY(!form.findChild<QToolButton *>(QStringLiteral("section_objective"))->isVisible());
    QVERIFY(form.findChild<QToolButton *>(QStringLiteral("section_lora"))->isVisible());

    form.setFilter(QString());
    QVERIFY(form.editor(QStringLiteral("beta"))->isVisible());

    // Collapsing a section hides its knobs.
    form.findChild<QToolButton *>(QStringLiteral("section_objective"))->click();
    QVERIFY(!form.editor(QStringLiteral("beta"))->isVisible());
    QVERIFY(form.editor(QStringLiteral("learning_rate"))->isVisible());
}

QTEST_MAIN(TestOptionsForm)
#include "tst_options_form.moc"
