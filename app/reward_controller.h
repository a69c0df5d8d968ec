#pragma once
// Retrains the reward model from the workspace's human labels on a worker
// thread (retrainRewardModel), reports progress as queued signals, and hands
// the new version to the running GRPO job, which switches at its next step.
// Cancel() is honoured between batches; the destructor cancels and joins.
// Create and call on the GUI thread. No torch in this header.

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace awb {

class CausalLM;

class RewardModel;
class TrainingController;

struct RetrainRequest
{
    QString db;
    QString baseModelDir;       // empty: the workspace's newest version
    QString replayLabelsPath;   // e.g. the demo's labels.jsonl; empty: none
    int epochs = 3;
    int ensembleSize = 1;       // heads of the new version (reward_retrain.h); 0: as the version it starts from
    // Filled by start() from a running LoRA run: the base a LoRA reward model on its folder borrows.
    std::shared_ptr<const CausalLM> sharedBase;
    QString sharedBaseFolder;
};

// A reward model from data files (core/reward/reward_from_data.h).
struct NewRewardModelRequest
{
    QString db;
    QString base;               // Hugging Face model folder with its tokenizer
    QStringList data;           // "FILE" or "FILE:ASPECT" (preference files)
    QString aspects;            // "NAME[:MIN:MAX],..."; empty: the workspace's, else the data's
    bool useLora = true;
    bool workspaceLabels = false;   // also the workspace's human labels (the cold start)
    int epochs = 3;
    int ensembleSize = 1;       // heads, each on its own bootstrap resample (reward_from_data.h)
};

// The annotators' cold start (core/train/labelling_sampler.h).
struct LabellingRequest
{
    QString db;
    QString model;              // policy folder
    qint64 promptSetId = 0;     // 0: the newest
    int prompts = 32;
    int generations = 4;
    int maxCompletionLength = 128;
};

// The annotation side's background jobs: retraining, training from data,
// importing, and sampling for labelling; one at a time.
class RewardModelController : public QObject
{
    Q_OBJECT

public:
    explicit RewardModelController(QObject *parent = nullptr);
    ~RewardModelController() override;

    // The job that receives each new version (may be null or idle).
    void setTrainingController(TrainingController *training) { m_training = training; }

    bool start(const RetrainRequest &request);   // false while one is running
    bool startFromData(const NewRewardModelRequest &request);   // reported like start()
    bool startSampling(const LabellingRequest &request);        // reported by sampling*()
    // Registers a reward-model folder as the workspace's next version
    // (core/reward/reward_exchange.h) and hands it to the running job, which
    // switches at its next step; reported through finished(). False while busy.
    bool startImport(const QString &db, const QString &folder);
    void cancel();
    bool isActive() const;
    bool wait(int timeoutMs = -1);

signals:
    void samplingProgress(int promptsDone, int promptsTotal);
    // ok=false: failed or cancelled, with the reason; runId is the labelling run (0 when none was written).
    void samplingFinished(bool ok, const QString &message, qint64 runId);
    // Per batch: epoch (1-based) of epochs, batch of batches, the batch's loss.
    void progress(int epoch, int epochs, int batch, int batches, double loss);
    void epochFinished(int epoch, double meanTrainLoss);
    // ok=false: failed or cancelled, with the reason. On success, the new
    // version with per-epoch losses and "aspect: rmse/pearson/spearman" text.
    void finished(bool ok, const QString &message, qint64 version, const QVector<double> &trainLoss,
                  const QVector<double> &validationLoss);

private:
    using Post = std::function<void(std::function<void(RewardModelController *)>)>;
    // Runs job(post, cancel) on a new worker thread; post() runs a function on
    // the GUI thread while this controller lives. False while one is running.
    bool launch(std::function<void(const Post &, const std::shared_ptr<std::atomic<bool>> &)> job);

    // GUI thread: hands a new version to the running job (which switches at its next step) and reports it.
    void publishVersion(const std::shared_ptr<RewardModel> &model, qint64 version, const QString &message,
                        const QVector<double> &trainLoss, const QVector<double> &validationLoss);

    QThread *m_thread = nullptr;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    TrainingController *m_training = nullptr;
};

} // namespace awb
