#pragma once
// The dialogs of the annotation cold start and of reward models from data:
// NewRewardModelDialog (Reward model ▸ New…, File ▸ New reward model from
// data) collects a base folder, data files (a preference file with the aspect
// it supervises), the aspects with their ranges as found in the files, LoRA or
// full fine-tuning and the epochs; SampleForLabellingDialog collects N prompts
// x G completions. They only collect the choice; the controller runs the job.
// GUI thread only.

#include "reward_controller.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace awb {

class NewRewardModelDialog : public QDialog
{
    Q_OBJECT

public:
    // `base`: the folder to offer first (the run panel's policy); `hasLabels`: the workspace has human labels.
    NewRewardModelDialog(const QString &db, const QString &base, bool hasLabels, QWidget *parent = nullptr);

    NewRewardModelRequest request() const;

private:
    void addFiles();
    void removeFile();
    void browseBase();
    void inspect();   // reads the files: the aspects found, their ranges, and what is wrong

    QString m_db;
    QLineEdit *m_base = nullptr;
    QListWidget *m_files = nullptr;
    QCheckBox *m_labels = nullptr;
    QLineEdit *m_aspects = nullptr;
    QCheckBox *m_lora = nullptr;
    QSpinBox *m_epochs = nullptr;
    QSpinBox *m_ensemble = nullptr;
    QLabel *m_found = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    bool m_aspectsEdited = false;
};

class SampleForLabellingDialog : public QDialog
{
    Q_OBJECT

public:
    SampleForLabellingDialog(const QString &policy, QWidget *parent = nullptr);

    int prompts() const;
    int generations() const;
    int maxCompletionLength() const;

private:
    QSpinBox *m_prompts = nullptr;
    QSpinBox *m_generations = nullptr;
    QSpinBox *m_tokens = nullptr;
};

} // namespace awb
