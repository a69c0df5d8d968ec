#pragma once
// Small value types the views take. app/ converts core records (store rows,
// StepReport) into these on the GUI thread; widgets never see core or torch.
// Aspect values are indexed like the aspect list the view was given.

#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVector>

#include <algorithm>
#include <cmath>
#include <limits>

namespace awb::view {

inline double missing() { return std::numeric_limits<double>::quiet_NaN(); }
inline bool isMissing(double v) { return std::isnan(v); }

// One step's means, as plotted by the curves and the Pareto trajectory.
struct StepPoint
{
    qint64 runId = 0;
    int step = 0;
    double rewardMean = missing();
    double rewardStd = missing();
    double kl = missing();
    double loss = missing();
    QVector<double> aspectMeans;   // reward model (proxy) mean per aspect
    QVector<double> goldMeans;     // gold judge mean per aspect; empty when the run has no judge
    double goldObjective = missing();
    double valueLoss = missing();  // PPO's value-model loss (loss/value_avg); missing for other algorithms
    double rewardMargin = missing();    // DPO's rewards/margins
    double rewardAccuracy = missing();  // DPO's rewards/accuracies
    double seconds = missing();    // the step's wall-clock time (time/step)
    double tokens = missing();     // completion tokens generated in the step (tokens/generated)
    // The mean KL of a completion from the reference, summed over its tokens (the step's
    // per-token kl times its mean completion length): the over-optimisation view's
    // x axis is its square root (Gao et al. 2022).
    double sequenceKl = missing();
    // Mean human label per aspect over the step's labelled samples (missing() where none):
    // the stand-in for gold off the demo. Empty when the step has no labels.
    QVector<double> labelMeans;
    // Constraints, by aspect index (missing() where an aspect has none; empty when the run has none):
    // the step's Lagrange multiplier, the share of its completions that broke the bound, the bound.
    QVector<double> lambdas;
    QVector<double> violationRates;
    QVector<double> bounds;
    // A steerable run's groups by weight region: regionMeans[j][k] is the mean proxy score of
    // aspect k over the groups whose largest weight was aspect j (regionGold likewise, gold);
    // empty for other runs, missing() where a region had no group that step.
    QVector<QVector<double>> regionMeans;
    QVector<QVector<double>> regionGold;
};

// A vertical marker on the curves: the weights or the reward-model version changed.
struct StepMarker
{
    qint64 runId = 0;
    int step = 0;
    QString kind;   // "weights", "reward_model", ...
    QString text;   // short label, e.g. "RM v3" or "weights 1/1/2/1"
};

// One sampled completion, as shown by the inspector and the Pareto cloud.
struct SampleRow
{
    qint64 id = 0;          // store id
    qint64 runId = 0;
    int step = 0;
    qint64 promptId = 0;    // 0 when none
    int group = 0;          // which prompt of the step
    int indexInGroup = 0;   // which of the G completions
    QString prompt;
    QString completion;
    QVector<double> scores;   // reward model per aspect
    QVector<double> labels;   // latest human label per aspect; missing() when none
    QVector<double> gold;     // gold judge per aspect; empty when none
    // An ensemble reward model: per aspect the spread (std) across members and each
    // member's score; both empty for a single model.
    QVector<double> scoreStd;
    QVector<QVector<double>> members;
    // The weights this sample's group was trained with (a steerable run); empty otherwise.
    QVector<double> weights;
    double reward = missing();
    double advantage = missing();
    qint64 rewardModelVersion = 0;
    int completionTokens = 0;
    QString finish;

    bool labelled() const
    {
        for (double v : labels)
            if (!isMissing(v))
                return true;
        return false;
    }
    // Largest spread across the ensemble's members over `aspects` (every aspect when
    // empty); missing() for a single model.
    double uncertainty(const QVector<int> &aspects = {}) const
    {
        double best = missing();
        for (int i = 0; i < scoreStd.size(); ++i)
            if ((aspects.isEmpty() || aspects.contains(i)) && !isMissing(scoreStd[i]))
                best = isMissing(best) ? scoreStd[i] : std::max(best, scoreStd[i]);
        return best;
    }
    // Largest |score - label| over labelled aspects; missing() when unlabelled.
    double disagreement() const
    {
        double best = missing();
        for (int i = 0; i < labels.size() && i < scores.size(); ++i)
            if (!isMissing(labels[i]) && !isMissing(scores[i]))
                best = isMissing(best) ? std::abs(scores[i] - labels[i]) : std::max(best, std::abs(scores[i] - labels[i]));
        return best;
    }
};

// An aspect as the views show it: name and range.
struct AspectSpec
{
    QString name;
    double min = 0.0;
    double max = 1.0;
};

// A run's constraint on one aspect ("constraints": {"safety": ">= 0.9"}): the
// weights panel shows its bound and edits it live.
struct ConstraintSpec
{
    QString aspect;
    bool atLeast = true;   // ">=" (else "<=")
    double bound = 0.0;
};

// One knob of a form generated from an options struct (the GRPO options are
// described by core's visitGrpoOptions; app/ turns each into an OptionSpec).
struct OptionSpec
{
    enum class Kind { Bool, Int, Double, String, Choice, Path };
    QString key;          // the JSON/CLI name, e.g. "learning_rate"
    QString help;         // one line, shown as tool tip
    Kind kind = Kind::String;
    QVariant value;       // current value (bool, qlonglong, double or QString)
    QStringList choices;  // for Kind::Choice
};

} // namespace awb::view
