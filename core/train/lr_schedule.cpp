#include "train/lr_schedule.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>

namespace awb {

namespace {

constexpr double kPi = 3.14159265358979323846;

} // namespace

const char *lrSchedulerName(LrSchedulerType type)
{
    switch (type) {
    case LrSchedulerType::Constant: return "constant";
    case LrSchedulerType::ConstantWithWarmup: return "constant_with_warmup";
    case LrSchedulerType::Linear: return "linear";
    case LrSchedulerType::Cosine: return "cosine";
    }
    return "?";
}

LrSchedulerType parseLrScheduler(const std::string &name)
{
    for (auto type : {LrSchedulerType::Constant, LrSchedulerType::ConstantWithWarmup, LrSchedulerType::Linear,
                      LrSchedulerType::Cosine}) {
        if (name == lrSchedulerName(type))
            return type;
    }
    throw Error("lr_scheduler_type: unknown value '" + name +
                "' (expected constant, constant_with_warmup, linear or cosine)");
}

double lrMultiplier(const LrSchedule &schedule, std::int64_t step)
{
    if (step < 0)
        throw Error("lrMultiplier: negative step " + std::to_string(step));
    if (schedule.warmupSteps < 0)
        throw Error("lrMultiplier: negative warmup_steps " + std::to_string(schedule.warmupSteps));
    const auto s = static_cast<double>(step);
    const auto warmup = static_cast<double>(schedule.warmupSteps);
    const auto total = static_cast<double>(schedule.totalSteps);
    if (schedule.type == LrSchedulerType::Constant)
        return 1.0;
    if (step < schedule.warmupSteps)
        return s / std::max(1.0, warmup);
    switch (schedule.type) {
    case LrSchedulerType::Constant:
    case LrSchedulerType::ConstantWithWarmup:
        return 1.0;
    case LrSchedulerType::Linear:
        return std::max(0.0, (total - s) / std::max(1.0, total - warmup));
    case LrSchedulerType::Cosine: {
        const double progress = (s - warmup) / std::max(1.0, total - warmup);
        return std::max(0.0, 0.5 * (1.0 + std::cos(kPi * schedule.numCycles * 2.0 * progress)));
    }
    }
    return 1.0;
}

std::int64_t warmupStepsForRatio(std::int64_t totalSteps, double warmupRatio, std::int64_t warmupSteps)
{
    if (warmupSteps > 0)
        return warmupSteps;
    if (!(warmupRatio >= 0.0))
        throw Error("warmup_ratio must be non-negative");
    return static_cast<std::int64_t>(std::ceil(static_cast<double>(totalSteps) * warmupRatio));
}

} // namespace awb
