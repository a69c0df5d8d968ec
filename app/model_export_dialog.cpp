#include "model_export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace awb {

ModelExportDialog::ModelExportDialog(Kind kind, const QVector<Source> &sources, const QString &parentFolder,
                                     QWidget *parent)
    : QDialog(parent), m_kind(kind), m_sources(sources), m_parentFolder(parentFolder)
{
    setObjectName(QStringLiteral("modelExportDialog"));
    const bool policy = kind == Kind::Policy;
    setWindowTitle(policy ? tr("Export trained policy") : tr("Export reward model"));

    m_source = new QComboBox(this);
    m_source->setObjectName(QStringLiteral("sourceCombo"));
    for (const Source &s : sources)
        m_source->addItem(s.text);

    auto *form = new QFormLayout;
    form->addRow(policy ? tr("&Checkpoint:") : tr("&Version:"), m_source);
    if (policy) {
        m_merged = new QRadioButton(tr("&Model folder (Hugging Face; LoRA adapters merged in)"), this);
        m_merged->setObjectName(QStringLiteral("mergedRadio"));
        m_adapters = new QRadioButton(tr("LoRA &adapters only (PEFT layout; needs the base model)"), this);
        m_adapters->setObjectName(QStringLiteral("adaptersRadio"));
        m_merged->setChecked(true);
        auto *layout = new QVBoxLayout;
        layout->addWidget(m_merged);
        layout->addWidget(m_adapters);
        form->addRow(tr("Layout:"), layout);
        connect(m_adapters, &QRadioButton::toggled, this, &ModelExportDialog::sourceChanged);
        m_dtype = new QComboBox(this);
        m_dtype->setObjectName(QStringLiteral("dtypeCombo"));
        m_dtype->addItem(tr("float32 (as trained)"), QStringLiteral("float32"));
        m_dtype->addItem(tr("bfloat16 (half the size)"), QStringLiteral("bfloat16"));
        m_dtype->addItem(tr("float16 (half the size)"), QStringLiteral("float16"));
        m_dtype->setToolTip(tr("Precision of the weights written; adapters are always float32"));
        form->addRow(tr("&Weights:"), m_dtype);
        connect(m_dtype, &QComboBox::currentIndexChanged, this, &ModelExportDialog::validate);
        m_aspectWeights = new QLineEdit(this);
        m_aspectWeights->setObjectName(QStringLiteral("aspectWeightsEdit"));
        m_aspectWeights->setPlaceholderText(tr("uniform, or e.g. safety=1,actionability=0.2"));
        m_aspectWeights->setToolTip(tr("A steerable run with conditioning \"lora\" is written at one vector of "
                                       "aspect weights; export again for another trade-off"));
        form->addRow(tr("At as&pect weights:"), m_aspectWeights);
    }
    m_folder = new QLineEdit(this);
    m_folder->setObjectName(QStringLiteral("folderEdit"));
    m_folder->setMinimumWidth(360);
    auto *browse = new QPushButton(tr("&Browse…"), this);
    connect(browse, &QPushButton::clicked, this, &ModelExportDialog::browse);
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);
    auto *folderLabel = new QLabel(tr("New &folder:"), this);
    folderLabel->setBuddy(m_folder);   // a row of a layout gets no buddy by itself
    form->addRow(folderLabel, folderRow);

    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("noteLabel"));
    m_note->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Export"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_note);
    layout->addWidget(m_buttons);

    connect(m_source, &QComboBox::currentIndexChanged, this, &ModelExportDialog::sourceChanged);
    connect(m_folder, &QLineEdit::textChanged, this, &ModelExportDialog::validate);
    sourceChanged();
}

ModelExportDialog::Source ModelExportDialog::source() const
{
    const int i = m_source->currentIndex();
    return i >= 0 && i < m_sources.size() ? m_sources[i] : Source{};
}

bool ModelExportDialog::adapters() const { return m_adapters && m_adapters->isChecked(); }

QString ModelExportDialog::dtype() const
{
    return m_dtype && !adapters() ? m_dtype->currentData().toString() : QStringLiteral("float32");
}

QString ModelExportDialog::folder() const { return m_folder->text().trimmed(); }

QString ModelExportDialog::aspectWeights() const
{
    return m_aspectWeights && source().atWeights ? m_aspectWeights->text().trimmed() : QString();
}

void ModelExportDialog::sourceChanged()
{
    const Source s = source();
    if (m_adapters) {
        m_adapters->setEnabled(s.lora);
        if (!s.lora)
            m_merged->setChecked(true);
        m_dtype->setEnabled(!adapters());
        m_aspectWeights->setEnabled(s.atWeights);
    }
    // Suggest a folder named after the source, beside the last one chosen.
    const QString parent = m_folder->text().isEmpty() ? m_parentFolder : QFileInfo(folder()).absolutePath();
    QString name = s.folderName;
    if (adapters())
        name += QStringLiteral("-adapters");
    m_folder->setText(QDir(parent).filePath(name));
    validate();
}

void ModelExportDialog::browse()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder to create the export in"),
                                                          QFileInfo(folder()).absolutePath());
    if (!dir.isEmpty())
        m_folder->setText(QDir(dir).filePath(QFileInfo(folder()).fileName()));
}

void ModelExportDialog::validate()
{
    QString problem;
    const QFileInfo info(folder());
    if (m_sources.isEmpty())
        problem = m_kind == Kind::Policy ? tr("No run of this workspace has a checkpoint yet.")
                                         : tr("The workspace has no reward model yet.");
    else if (folder().isEmpty())
        problem = tr("Name a folder to create.");
    else if (info.exists() && !(info.isDir() && QDir(info.absoluteFilePath()).isEmpty()))
        problem = tr("%1 exists and is not an empty folder.").arg(info.absoluteFilePath());
    if (problem.isEmpty())
        m_note->setText(m_kind == Kind::Policy
                            ? (adapters() ? tr("Writes adapter_config.json, adapter_model.safetensors and the "
                                               "tokenizer; PEFT loads them onto the base model named inside.")
                                          : tr("Writes config.json, model.safetensors (%1) and the tokenizer: "
                                               "a folder transformers loads as it is.").arg(dtype()))
                            : tr("Writes a self-contained copy (LoRA adapters merged in) that File ▸ Import "
                                 "reward model reads back, here or in another workspace."));
    else
        m_note->setText(problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace awb
