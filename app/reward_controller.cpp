#include "reward_controller.h"

#include "core_views.h"
#include "reward/reward_data.h"
#include "reward/reward_exchange.h"
#include "reward/reward_from_data.h"
#include "reward/reward_model.h"
#include "reward/reward_retrain.h"
#include "train/labelling_sampler.h"
#include "training_controller.h"

#include <QPointer>
#include <QThread>

namespace awb {

RewardModelController::RewardModelController(QObject *parent) : QObject(parent) {}

RewardModelController::~RewardModelController()
{
    if (m_cancel)
        m_cancel->store(true);
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

bool RewardModelController::isActive() const { return m_thread && m_thread->isRunning(); }

bool RewardModelController::wait(int timeoutMs)
{
    if (!m_thread)
        return true;
    return timeoutMs < 0 ? m_thread->wait() : m_thread->wait(QDeadlineTimer(timeoutMs));
}

void RewardModelController::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

bool RewardModelController::launch(std::function<void(const Post &, const std::shared_ptr<std::atomic<bool>> &)> job)
{
    if (isActive())
        return false;
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    auto cancel = m_cancel;
    QPointer<RewardModelController> self = this;
    Post post = [self](std::function<void(RewardModelController *)> f) {
        QMetaObject::invokeMethod(
            self.data(), [self, f] {
                if (self)
                    f(self.data());
            },
            Qt::QueuedConnection);
    };
    m_thread = QThread::create([job = std::move(job), post, cancel] { job(post, cancel); });
    m_thread->setObjectName(QStringLiteral("reward-model"));
    m_thread->start();
    return true;
}

bool RewardModelController::startImport(const QString &db, const QString &folder)
{
    return launch([db, folder](const Post &post, const std::shared_ptr<std::atomic<bool>> &) {
        try {
            const RewardModelTransfer t = importRewardModel(ss(db), ss(folder));
            std::shared_ptr<RewardModel> model = RewardModel::load(t.path);
            const QString message = tr("Reward model v%1 imported from %2 (%3 aspects, trained on %4 labels)")
                                        .arg(t.version)
                                        .arg(folder)
                                        .arg(t.aspects.size())
                                        .arg(t.labelCount);
            const qint64 version = t.version;
            post([=](RewardModelController *c) { c->publishVersion(model, version, message, {}, {}); });
        } catch (const std::exception &e) {
            const QString message = tr("No reward model was imported: %1").arg(QString::fromUtf8(e.what()));
            post([=](RewardModelController *c) { emit c->finished(false, message, 0, {}, {}); });
        }
    });
}

bool RewardModelController::start(const RetrainRequest &given)
{
    RetrainRequest request = given;
    if (m_training && !request.sharedBase) {
        request.sharedBase = m_training->policyBase();
        request.sharedBaseFolder = m_training->policyFolder();
    }
    return launch([request](const Post &post, const std::shared_ptr<std::atomic<bool>> &cancel) {
        RewardRetrainOptions o;
        o.sharedBase = request.sharedBase;
        o.sharedBaseFolder = ss(request.sharedBaseFolder);
        o.db = ss(request.db);
        o.baseModelDir = ss(request.baseModelDir);
        o.replayLabelsPath = ss(request.replayLabelsPath);
        o.epochs = request.epochs;
        o.ensembleSize = request.ensembleSize;
        try {
            double epochSum = 0;
            std::int64_t epochCount = 0;
            const RewardRetrainResult r = retrainRewardModel(
                o,
                [&](std::int64_t epoch, std::int64_t epochs, std::int64_t batch, std::int64_t batches, double loss) {
                    epochSum += loss;
                    ++epochCount;
                    const int e = static_cast<int>(epoch), es = static_cast<int>(epochs);
                    const int b = static_cast<int>(batch), bs = static_cast<int>(batches);
                    post([=](RewardModelController *c) { emit c->progress(e, es, b, bs, loss); });
                    if (batch == batches) {
                        const double mean = epochSum / static_cast<double>(std::max<std::int64_t>(epochCount, 1));
                        epochSum = 0;
                        epochCount = 0;
                        post([=](RewardModelController *c) { emit c->epochFinished(e, mean); });
                    }
                },
                [cancel] { return cancel->load(); });
            const QVector<double> train(r.trainLoss.begin(), r.trainLoss.end());
            const QVector<double> val(r.validationLoss.begin(), r.validationLoss.end());
            if (r.cancelled) {
                post([=](RewardModelController *c) {
                    emit c->finished(false, tr("Retraining cancelled; nothing was saved."), 0, train, val);
                });
                return;
            }
            QStringList parts;
            for (const auto &m : r.validation)
                parts << QStringLiteral("%1 %2/%3").arg(qs(m.aspect)).arg(m.rmse, 0, 'f', 3).arg(m.pearson, 0, 'f', 2);
            QString message = tr("Reward model v%1 trained on %2 labelled samples (+%3 replayed). "
                                 "Validation RMSE/Pearson: %4")
                                  .arg(r.version)
                                  .arg(r.humanExamples)
                                  .arg(r.replayExamples)
                                  .arg(parts.join(QStringLiteral(", ")));
            if (r.sharesBase)
                message += tr(" It shares the running policy's base weights.");
            const qint64 version = r.version;
            auto model = r.model;
            post([=](RewardModelController *c) { c->publishVersion(model, version, message, train, val); });
        } catch (const std::exception &e) {
            const QString message = QString::fromUtf8(e.what());
            post([=](RewardModelController *c) { emit c->finished(false, message, 0, {}, {}); });
        }
    });
}

void RewardModelController::publishVersion(const std::shared_ptr<RewardModel> &model, qint64 version,
                                           const QString &message, const QVector<double> &trainLoss,
                                           const QVector<double> &validationLoss)
{
    if (m_training && m_training->isActive())
        m_training->publishRewardModel(model, version);
    emit finished(true, message, version, trainLoss, validationLoss);
}

bool RewardModelController::startFromData(const NewRewardModelRequest &request)
{
    return launch([request](const Post &post, const std::shared_ptr<std::atomic<bool>> &cancel) {
        try {
            RewardFromDataOptions o;
            o.db = ss(request.db);
            o.base = ss(request.base);
            for (const QString &d : request.data)
                o.data.push_back(parseRewardDataArgument(ss(d)));
            if (!request.aspects.trimmed().isEmpty())
                o.aspects = parseAspectList(ss(request.aspects));
            o.useLora = request.useLora;
            o.workspaceLabels = request.workspaceLabels;
            o.epochs = request.epochs;
            o.ensembleSize = request.ensembleSize;
            const RewardFromDataResult r = trainRewardModelFromData(
                o, {},
                [&](std::int64_t epoch, std::int64_t epochs, std::int64_t batch, std::int64_t batches, double loss) {
                    const int e = static_cast<int>(epoch), es = static_cast<int>(epochs);
                    const int b = static_cast<int>(batch), bs = static_cast<int>(batches);
                    post([=](RewardModelController *c) { emit c->progress(e, es, b, bs, loss); });
                },
                [cancel] { return cancel->load(); });
            const QVector<double> train(r.trainLoss.begin(), r.trainLoss.end());
            const QVector<double> val(r.validationLoss.begin(), r.validationLoss.end());
            if (r.cancelled) {
                post([=](RewardModelController *c) {
                    emit c->finished(false, tr("Training cancelled; nothing was saved."), 0, train, val);
                });
                return;
            }
            QStringList parts;
            for (const auto &a : r.dataset.schema.aspects()) {
                const auto m = r.metrics.find(a.name);
                if (m == r.metrics.end())
                    continue;
                if (m->contains("pairwise_accuracy") && (*m)["pairwise_accuracy"].is_number())
                    parts << tr("%1 pairwise accuracy %2").arg(qs(a.name)).arg((*m)["pairwise_accuracy"].get<double>(), 0, 'f', 3);
                if ((*m)["rmse"].is_number())
                    parts << tr("%1 RMSE %2").arg(qs(a.name)).arg((*m)["rmse"].get<double>(), 0, 'f', 3);
            }
            const QString message = tr("Reward model v%1 trained on %2 scored examples and %3 preference pairs. "
                                       "Validation: %4")
                                        .arg(r.version)
                                        .arg(r.trainExamples + r.validationExamples)
                                        .arg(r.trainPairs + r.validationPairs)
                                        .arg(parts.join(QStringLiteral(", ")));
            const qint64 version = r.version;
            auto model = r.model;
            post([=](RewardModelController *c) { c->publishVersion(model, version, message, train, val); });
        } catch (const std::exception &e) {
            const QString message = tr("No reward model was trained: %1").arg(QString::fromUtf8(e.what()));
            post([=](RewardModelController *c) { emit c->finished(false, message, 0, {}, {}); });
        }
    });
}

bool RewardModelController::startSampling(const LabellingRequest &request)
{
    return launch([request](const Post &post, const std::shared_ptr<std::atomic<bool>> &cancel) {
        try {
            LabellingSampleOptions o;
            o.db = ss(request.db);
            o.model = ss(request.model);
            o.promptSetId = request.promptSetId;
            o.prompts = request.prompts;
            o.numGenerations = request.generations;
            o.maxCompletionLength = request.maxCompletionLength;
            const LabellingSampleResult r = sampleForLabelling(
                o,
                [&](std::int64_t done, std::int64_t total) {
                    post([=](RewardModelController *c) {
                        emit c->samplingProgress(static_cast<int>(done), static_cast<int>(total));
                    });
                },
                [cancel] { return cancel->load(); });
            const QString message = r.cancelled ? tr("Sampling stopped: %1 samples kept in run %2").arg(r.samples).arg(r.runId)
                                                : tr("%1 samples of %2 prompts ready for labelling (run %3)")
                                                      .arg(r.samples)
                                                      .arg(r.prompts)
                                                      .arg(r.runId);
            const qint64 run = r.runId;
            post([=](RewardModelController *c) { emit c->samplingFinished(!r.cancelled, message, run); });
        } catch (const std::exception &e) {
            const QString message = tr("Sampling for labelling failed: %1").arg(QString::fromUtf8(e.what()));
            post([=](RewardModelController *c) { emit c->samplingFinished(false, message, 0); });
        }
    });
}

} // namespace awb
