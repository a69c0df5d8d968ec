#pragma once
// Learning-rate schedules as transformers' get_scheduler builds them for the
// Trainer (lr_scheduler_type): a multiplier of the base learning rate at each
// optimiser step. The Trainer steps its LambdaLR once after every optimiser
// step, so optimiser step s (0-based: the first update is s = 0) runs at
// base_lr * lrMultiplier(schedule, s).
//
// Pure functions: any thread may call them.

#include <cstdint>
#include <string>

namespace awb {

enum class LrSchedulerType {
    Constant,             // "constant": get_constant_schedule, 1 throughout (no warm-up)
    ConstantWithWarmup,   // "constant_with_warmup": linear warm-up, then 1
    Linear,               // "linear" (transformers' default): warm-up, then linear decay to 0 at totalSteps
    Cosine,               // "cosine": warm-up, then half a cosine to 0 at totalSteps (numCycles 0.5)
};

const char *lrSchedulerName(LrSchedulerType type);
// Throws Error naming lr_scheduler_type and the bad value.
LrSchedulerType parseLrScheduler(const std::string &name);

struct LrSchedule
{
    LrSchedulerType type = LrSchedulerType::Linear;   // lr_scheduler_type
    std::int64_t warmupSteps = 0;                     // num_warmup_steps (see warmupStepsForRatio)
    std::int64_t totalSteps = 0;                      // num_training_steps (max_steps); Linear/Cosine need it
    double numCycles = 0.5;                           // cosine only: 0.5 is one half-wave down to 0
};

// The multiplier at optimiser step `step` (0-based), as transformers' lr_lambda:
//   warm-up (step < warmupSteps):  step / max(1, warmupSteps)
//   linear: max(0, (totalSteps - step) / max(1, totalSteps - warmupSteps))
//   cosine: progress = (step - warmupSteps) / max(1, totalSteps - warmupSteps),
//           max(0, 0.5 * (1 + cos(pi * numCycles * 2 * progress)))
// Throws Error for a negative step or warm-up.
double lrMultiplier(const LrSchedule &schedule, std::int64_t step);

// TrainingArguments.get_warmup_steps: warmup_steps when positive, otherwise
// ceil(totalSteps * warmupRatio).
std::int64_t warmupStepsForRatio(std::int64_t totalSteps, double warmupRatio, std::int64_t warmupSteps = 0);

} // namespace awb
