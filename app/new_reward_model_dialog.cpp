#include "new_reward_model_dialog.h"

#include "core_views.h"
#include "reward/reward_data.h"
#include "reward/reward_from_data.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace awb {

NewRewardModelDialog::NewRewardModelDialog(const QString &db, const QString &base, bool hasLabels, QWidget *parent)
    : QDialog(parent), m_db(db)
{
    setWindowTitle(tr("New reward model"));
    auto *form = new QFormLayout;

    m_base = new QLineEdit(base, this);
    m_base->setObjectName(QStringLiteral("baseEdit"));
    m_base->setToolTip(tr("A Hugging Face model folder (config.json, safetensors, tokenizer.json): the backbone"));
    auto *browse = new QPushButton(tr("&Browse…"), this);
    auto *baseRow = new QHBoxLayout;
    baseRow->addWidget(m_base, 1);
    baseRow->addWidget(browse);
    auto *baseLabel = new QLabel(tr("&Base model:"), this);   // a row of a layout gets no buddy by itself
    baseLabel->setBuddy(m_base);
    form->addRow(baseLabel, baseRow);

    m_files = new QListWidget(this);
    m_files->setObjectName(QStringLiteral("dataFiles"));
    m_files->setToolTip(tr("JSONL or CSV (optionally .gz): per-aspect scores (labels, flat columns, HelpSteer2) or "
                           "preference pairs ({prompt, chosen, rejected}, HH-RLHF), shown as FILE:ASPECT"));
    auto *add = new QPushButton(tr("&Add…"), this);
    auto *remove = new QPushButton(tr("&Remove"), this);
    auto *fileButtons = new QVBoxLayout;
    fileButtons->addWidget(add);
    fileButtons->addWidget(remove);
    fileButtons->addStretch(1);
    auto *filesRow = new QHBoxLayout;
    filesRow->addWidget(m_files, 1);
    filesRow->addLayout(fileButtons);
    auto *filesLabel = new QLabel(tr("&Data files:"), this);
    filesLabel->setBuddy(m_files);
    form->addRow(filesLabel, filesRow);

    m_labels = new QCheckBox(tr("Also this workspace's &human labels"), this);
    m_labels->setObjectName(QStringLiteral("workspaceLabels"));
    m_labels->setChecked(hasLabels);
    m_labels->setEnabled(hasLabels);
    form->addRow(QString(), m_labels);

    m_aspects = new QLineEdit(this);
    m_aspects->setObjectName(QStringLiteral("aspectsEdit"));
    m_aspects->setPlaceholderText(tr("as found in the data"));
    m_aspects->setToolTip(tr("NAME[:MIN:MAX],… — the aspects the model scores and their ranges"));
    form->addRow(tr("As&pects:"), m_aspects);
    m_found = new QLabel(this);
    m_found->setObjectName(QStringLiteral("foundLabel"));
    m_found->setWordWrap(true);
    m_found->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(QString(), m_found);

    m_lora = new QCheckBox(tr("&LoRA adapters on the base (else every weight trains)"), this);
    m_lora->setChecked(true);
    form->addRow(tr("Training:"), m_lora);
    m_epochs = new QSpinBox(this);
    m_epochs->setRange(1, 100);
    m_epochs->setValue(3);
    form->addRow(tr("&Epochs (at most):"), m_epochs);
    m_ensemble = new QSpinBox(this);
    m_ensemble->setObjectName(QStringLiteral("ensembleSizeSpin"));
    m_ensemble->setRange(1, 16);
    m_ensemble->setValue(1);
    m_ensemble->setToolTip(tr("Heads on the one backbone, each trained on its own bootstrap resample of the data: "
                              "2 or more give every score a spread, the model's uncertainty"));
    form->addRow(tr("Ensemble &heads:"), m_ensemble);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Train"));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    resize(640, 460);

    connect(browse, &QPushButton::clicked, this, &NewRewardModelDialog::browseBase);
    connect(add, &QPushButton::clicked, this, &NewRewardModelDialog::addFiles);
    connect(remove, &QPushButton::clicked, this, &NewRewardModelDialog::removeFile);
    connect(m_labels, &QCheckBox::toggled, this, &NewRewardModelDialog::inspect);
    connect(m_base, &QLineEdit::textChanged, this, &NewRewardModelDialog::inspect);
    connect(m_aspects, &QLineEdit::textEdited, this, [this] {
        m_aspectsEdited = true;
        inspect();
    });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    inspect();
}

void NewRewardModelDialog::browseBase()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Base model folder"), m_base->text());
    if (!dir.isEmpty())
        m_base->setText(dir);
}

void NewRewardModelDialog::addFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Reward-model data"), QString(),
        tr("Data files (*.jsonl *.jsonl.gz *.json *.csv *.csv.gz *.gz);;All files (*)"));
    for (const QString &f : files) {
        QString entry = f;
        // A preference file needs the aspect it supervises: ask when the file reads as pairs.
        try {
            loadRewardData({{ss(f), ""}}, {}, std::nullopt);
        } catch (const std::exception &e) {
            if (QString::fromUtf8(e.what()).contains(QStringLiteral("need the aspect"))) {
                bool ok = false;
                const QString aspect = QInputDialog::getText(
                    this, tr("Preference pairs"),
                    tr("%1 holds preference pairs. Which aspect do they supervise?").arg(QFileInfo(f).fileName()),
                    QLineEdit::Normal, QStringLiteral("safety"), &ok);
                if (!ok || aspect.trimmed().isEmpty())
                    continue;
                entry += QLatin1Char(':') + aspect.trimmed();
            }
        }
        m_files->addItem(entry);
    }
    inspect();
}

void NewRewardModelDialog::removeFile()
{
    delete m_files->currentItem();
    inspect();
}

void NewRewardModelDialog::inspect()
{
    const NewRewardModelRequest r = request();
    QString problem;
    if (r.base.trimmed().isEmpty())
        problem = tr("Choose a base model folder.");
    else if (!QFileInfo::exists(r.base + QStringLiteral("/tokenizer.json")))
        problem = tr("%1 has no tokenizer.json.").arg(r.base);
    else if (r.data.isEmpty() && !r.workspaceLabels)
        problem = tr("Add a data file, or use this workspace's labels.");
    QString found;
    if (!r.data.isEmpty()) {
        try {
            std::vector<RewardDataFile> files;
            for (const QString &d : r.data)
                files.push_back(parseRewardDataArgument(ss(d)));
            const auto requested = r.aspects.trimmed().isEmpty() ? std::vector<AspectRequest>() : parseAspectList(ss(r.aspects));
            const RewardDataset data = loadRewardData(files, requested, workspaceAspects(ss(m_db)));
            QStringList aspects, lines;
            for (const auto &a : data.schema.aspects())
                aspects << QStringLiteral("%1:%2:%3").arg(qs(a.name)).arg(a.min).arg(a.max);
            for (const auto &f : data.files)
                lines << tr("%1: %2, %3 records").arg(QFileInfo(qs(f.path)).fileName(), qs(f.layout)).arg(f.records);
            for (const auto &w : data.warnings)
                lines << qs(w);
            found = lines.join(QLatin1Char('\n'));
            if (!m_aspectsEdited)
                m_aspects->setText(aspects.join(QLatin1Char(',')));
        } catch (const std::exception &e) {
            problem = QString::fromUtf8(e.what());
        }
    }
    m_found->setStyleSheet(problem.isEmpty() ? QString() : QStringLiteral("color: #b00020;"));
    m_found->setText(problem.isEmpty() ? found : problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

NewRewardModelRequest NewRewardModelDialog::request() const
{
    NewRewardModelRequest r;
    r.db = m_db;
    r.base = m_base->text().trimmed();
    for (int i = 0; i < m_files->count(); ++i)
        r.data << m_files->item(i)->text();
    r.aspects = m_aspects->text();
    r.useLora = m_lora->isChecked();
    r.workspaceLabels = m_labels->isChecked();
    r.epochs = m_epochs->value();
    r.ensembleSize = m_ensemble->value();
    return r;
}

SampleForLabellingDialog::SampleForLabellingDialog(const QString &policy, QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Sample for labelling"));
    auto *form = new QFormLayout;
    auto *note = new QLabel(tr("Completions of %1 for the workspace's prompts, with no reward model and no training. "
                               "Label them in the Sample inspector, then train the first reward model from them "
                               "(Reward model ▸ New…).")
                                .arg(policy.isEmpty() ? tr("the policy") : policy),
                            this);
    note->setWordWrap(true);
    m_prompts = new QSpinBox(this);
    m_prompts->setRange(1, 100000);
    m_prompts->setValue(32);
    m_generations = new QSpinBox(this);
    m_generations->setRange(1, 64);
    m_generations->setValue(4);
    m_tokens = new QSpinBox(this);
    m_tokens->setRange(1, 8192);
    m_tokens->setValue(128);
    form->addRow(tr("&Prompts:"), m_prompts);
    form->addRow(tr("&Completions per prompt:"), m_generations);
    form->addRow(tr("&Tokens per completion (at most):"), m_tokens);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Sample"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(!policy.isEmpty());
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addLayout(form);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

int SampleForLabellingDialog::prompts() const { return m_prompts->value(); }
int SampleForLabellingDialog::generations() const { return m_generations->value(); }
int SampleForLabellingDialog::maxCompletionLength() const { return m_tokens->value(); }

} // namespace awb
