#include "util/runtime.h"

#include "model/kernels.h"
#include "util/error.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <dlfcn.h>
#include <fstream>
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

double processMemoryMb(const std::string &field)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string key = field + ":";
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0)
            return std::stod(line.substr(key.size())) / 1024.0;
    return 0.0;
}

int setBlasThreads(int threads)
{
    // LibTorch hands matrix products to the system BLAS. OpenBLAS keeps its own
    // thread pool, which at::set_num_threads does not reach; set it by name so
    // the build does not depend on which BLAS the alternatives system picked.
    using SetThreads = void (*)(int);
    if (auto *fn = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
        fn(threads);
        return threads;
    }
    return 0;
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

    if (options.frozenBase == "stored")
        rt.keepStoredBf16 = true;
    else if (options.frozenBase == "float32" || options.frozenBase == "fp32")
        rt.keepStoredBf16 = false;
    else
        throw Error("frozen base \"" + options.frozenBase + "\" is not supported (stored, float32)");

    if (options.threads < 0)
        throw Error("threads must be 0 (all cores) or a positive count, got " + std::to_string(options.threads));
    rt.threads = options.threads == 0 ? availableCores() : options.threads;
    // With OpenBLAS's own pool doing the matrix products, LibTorch's OpenMP pool
    // must not run beside it: its spinning threads steal the cores OpenBLAS
    // needs (measured here: batch-32 decoding 4x slower with both at 2 threads).
    // The thread count then belongs to OpenBLAS, and element-wise ops run on one.
    if (setBlasThreads(rt.threads) > 0)
        at::set_num_threads(1);
    else
        at::set_num_threads(rt.threads);
    // The inference kernels' own pool (model/kernels.h); it never runs beside the
    // BLAS pool, each waits for the other's work to finish.
    kernels::setThreads(rt.threads);
    return rt;
}

} // namespace awb
