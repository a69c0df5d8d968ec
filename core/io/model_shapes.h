#pragma once
// Named model shapes: the config.json of well-known Hugging Face models, built
// in, so that `awb model init` can write a randomly initialised folder of that
// shape (tests, benchmarks, pretraining from scratch) without downloading it.
// The values are the published files' (the -Instruct repositories, which share
// their base model's shape); parse them with parseModelConfig (model_config.h).
// Plain functions on constant data: any thread.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace awb {

// The known names, e.g. "qwen2.5-0.5b", in a fixed order.
std::vector<std::string> modelShapeNames();

// The config.json of the shape `name` (case-insensitive). Throws Error naming
// `name` and listing the known shapes when there is no such shape.
nlohmann::json modelShapeConfig(const std::string &name);

} // namespace awb
