#pragma once
// Helpers shared by the store tests: building samples and steps, catching an
// expected exception's message, comparing records field by field.

#include "store/store.h"

#include <QtTest>

#include <cmath>
#include <functional>

namespace storetest {

inline awb::SampleRecord sample(const std::string &prompt, const std::string &completion, int group, int index,
                                std::map<std::string, double> scores, double reward = 0.0)
{
    awb::SampleRecord s;
    s.prompt = prompt;
    s.completion = completion;
    s.group = group;
    s.indexInGroup = index;
    s.completionTokens = static_cast<std::int64_t>(completion.size());
    s.finish = "eos";
    s.scores = std::move(scores);
    s.reward = reward;
    s.advantage = reward - 0.5;
    return s;
}

// A step of `n` samples with predictable contents: sample i of step k has
// completion "s<k>-<i>", reward k + i/100 and politeness score i/n.
inline awb::StepRecord step(std::int64_t runId, std::int64_t k, int n, double loss)
{
    awb::StepRecord r;
    r.runId = runId;
    r.step = k;
    r.metrics = {{"loss", loss}, {"reward", {{"mean", 0.5 * static_cast<double>(k)}}}};
    r.weights = {{"politeness", 0.25}, {"safety", 0.75}};
    r.aggregation = "sum_then_normalize";
    r.rewardModelVersion = 1;
    for (int i = 0; i < n; ++i) {
        r.samples.push_back(sample("prompt " + std::to_string(i / 8), "s" + std::to_string(k) + "-" + std::to_string(i),
                                   i / 8, i % 8, {{"politeness", static_cast<double>(i) / n}, {"safety", 0.5}},
                                   static_cast<double>(k) + i / 100.0));
    }
    return r;
}

// The message of the exception of type E that `f` throws; fails the test
// (returns "") when it throws nothing or something else.
template <class E>
QString messageOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const E &e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception &e) {
        qWarning("unexpected exception type: %s", e.what());
        return {};
    }
    qWarning("no exception thrown");
    return {};
}

inline bool sameDouble(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

inline bool sameMap(const std::map<std::string, double> &a, const std::map<std::string, double> &b)
{
    if (a.size() != b.size())
        return false;
    for (const auto &[k, v] : a) {
        const auto it = b.find(k);
        if (it == b.end() || !sameDouble(v, it->second))
            return false;
    }
    return true;
}

// Every field written by writeStep; id, runId, step and discarded are the store's.
inline bool sameSample(const awb::SampleRecord &a, const awb::SampleRecord &b)
{
    return a.promptId == b.promptId && a.prompt == b.prompt && a.completion == b.completion && a.group == b.group
           && a.indexInGroup == b.indexInGroup && a.completionTokens == b.completionTokens && a.finish == b.finish
           && sameMap(a.scores, b.scores) && sameMap(a.gold, b.gold) && sameDouble(a.reward, b.reward)
           && sameDouble(a.advantage, b.advantage) && a.rewardModelVersion == b.rewardModelVersion
           && sameMap(a.weights, b.weights) && a.members == b.members && sameMap(a.scoreStd, b.scoreStd);
}

inline QString q(const std::string &s) { return QString::fromStdString(s); }

} // namespace storetest
