#pragma once
// Conversions between core's records and the views' value types
// (widgets/view_types.h). Pure functions; any thread. No torch.

#include "view_types.h"

#include "store/store.h"
#include "store/store_records.h"
#include "train/grpo_options.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <map>
#include <string>
#include <vector>

namespace awb {

QString qs(const std::string &text);
std::string ss(const QString &text);
// metrics[key] when it is a number, else view::missing() (absent, null for NaN, or not a number).
double jsonNumber(const nlohmann::json &metrics, const std::string &key);

// The aspects of a stored run (its config's "aspect_schema"); runs written
// before the schema was stored fall back to the aspect names in the step metrics.
// The aspects of an aspect schema ({"aspects": [{"name", "min", "max"}, ...]}, as aspects.json).
QVector<view::AspectSpec> aspectSpecs(const nlohmann::json &schema);
QVector<view::AspectSpec> runAspects(const Store::RunInfo &run, const std::vector<std::string> &metricNames);
QStringList aspectNames(const QVector<view::AspectSpec> &aspects);

// One step's metrics (TRL names, as GrpoTrainer writes them) as a plot point.
view::StepPoint stepPointFromMetrics(qint64 runId, int step, const nlohmann::json &metrics, const QStringList &aspects);

view::SampleRow sampleRow(const SampleRecord &record, const std::map<std::string, double> &labels,
                          const QStringList &aspects);

// "weights" and "reward_model" events as plot markers.
QVector<view::StepMarker> stepMarkers(qint64 runId, const std::vector<Store::Event> &events, const QStringList &aspects);
QString weightsText(const std::map<std::string, double> &weights, const QStringList &aspects);

// The options of options.algorithm as form fields (knobs of other algorithms
// left out), from the same visitor as the CLI flags and the JSON config
// (train/grpo_options.h); and the form's values back to JSON.
QVector<view::OptionSpec> grpoOptionSpecs(const GrpoOptions &options);
nlohmann::json grpoOverridesFromForm(const QVariantMap &values, const GrpoOptions &defaults);

// The form after the user picks another algorithm: `base` (the form's
// library or demo defaults) switched with setAlgorithm becomes the new
// defaults, and the knobs the user had changed from `formDefaults` that the
// new algorithm also has are carried over (key -> value, to setValue).
struct AlgorithmForm
{
    QVector<view::OptionSpec> specs;
    QVariantMap carried;
};
AlgorithmForm switchFormAlgorithm(const QVariantMap &values, const GrpoOptions &formDefaults, GrpoOptions base,
                                  const std::string &algorithm);

std::map<std::string, double> toStdMap(const QMap<QString, double> &map);
QMap<QString, double> toQMap(const std::map<std::string, double> &map);

} // namespace awb
