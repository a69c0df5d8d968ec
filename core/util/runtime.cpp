#include "util/runtime.h"

#include "util/error.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <sched.h>
#include <thread>

namespace awb {

int availableCores()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n > 0)
            return n;
    }
    const unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? static_cast<int>(hw) : 1;
}

std::string torchVersion() { return TORCH_VERSION; }

bool torchHasCuda() { return at::hasCUDA(); }

Runtime applyRuntime(const RuntimeOptions &options)
{
    Runtime rt;
    if (options.device == "auto") {
        rt.device = torchHasCuda() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
    } else {
        try {
            rt.device = c10::Device(options.device);
        } catch (const std::exception &) {
            throw Error("device \"" + options.device + "\" is not a device name (auto, cpu, cuda, cuda:N)");
        }
        if (rt.device.is_cuda() && !torchHasCuda())
            throw Error("device \"" + options.device
                        + "\": this LibTorch was built without CUDA or no GPU is visible; use cpu");
        if (!rt.device.is_cpu() && !rt.device.is_cuda())
            throw Error("device \"" + options.device + "\" is not supported (cpu and cuda are)");
    }

    if (options.dtype == "auto")
        rt.dtype = rt.device.is_cuda() ? c10::kBFloat16 : c10::kFloat;
    else if (options.dtype == "float32" || options.dtype == "fp32")
        rt.dtype = c10::kFloat;
    else if (options.dtype == "bfloat16" || options.dtype == "bf16")
        rt.dtype = c10::kBFloat16;
    else if (options.dtype == "float16" || options.dtype == "fp16")
        rt.dtype = c10::kHalf;
    else
        throw Error("dtype \"" + options.dtype + "\" is not supported (auto, float32, bfloat16, float16)");

    if (options.threads < 0)
        throw Error("threads must be 0 (all cores) or a positive count, got " + std::to_string(options.threads));
    rt.threads = options.threads == 0 ? availableCores() : options.threads;
    at::set_num_threads(rt.threads);
    return rt;
}

} // namespace awb
