#pragma once
// The dialog behind File ▸ Export trained policy and Export reward model:
// pick what to export (a run's checkpoint, or a reward-model version), the
// layout (policies only: a merged model folder, or LoRA adapters when the
// checkpoint has them), the precision of a merged folder, and a new folder. It only collects the choice; the
// controller does the export. GUI thread only.

#include <QDialog>
#include <QString>
#include <QVector>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QRadioButton;

namespace awb {

class ModelExportDialog : public QDialog
{
    Q_OBJECT

public:
    struct Source
    {
        QString text;          // shown in the list
        QString path;          // checkpoint or reward-model folder
        QString folderName;    // suggested name of the folder to create
        bool lora = false;     // adapters can be exported alone
        bool atWeights = false;   // a run with conditioning "lora": written at the aspect weights typed
    };
    enum class Kind { Policy, RewardModel };

    ModelExportDialog(Kind kind, const QVector<Source> &sources, const QString &parentFolder,
                      QWidget *parent = nullptr);

    Source source() const;
    bool adapters() const;     // policy: LoRA adapters only (PEFT layout)
    QString dtype() const;     // policy, merged: "float32", "bfloat16" or "float16"
    QString folder() const;    // the folder to create
    QString aspectWeights() const;   // "a=1,b=2" for a source with atWeights; empty: uniform

private:
    void sourceChanged();
    void browse();
    void validate();

    Kind m_kind;
    QVector<Source> m_sources;
    QComboBox *m_source = nullptr;
    QRadioButton *m_merged = nullptr;
    QRadioButton *m_adapters = nullptr;
    QComboBox *m_dtype = nullptr;
    QLineEdit *m_aspectWeights = nullptr;
    QLineEdit *m_folder = nullptr;
    QLabel *m_note = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QString m_parentFolder;
};

} // namespace awb
