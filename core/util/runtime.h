#pragma once
// Process-wide compute settings: the device every tensor goes to, the dtype
// and the number of intra-op threads. Chosen once at start-up (GUI settings,
// CLI flags) and passed down explicitly; nothing below hard-codes a device.
// Core-only header (it includes c10): app/ and widgets/ must not include it.

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace awb {

struct RuntimeOptions
{
    std::string device = "auto";   // "auto" (CUDA when this LibTorch has it, else CPU), "cpu", "cuda", "cuda:N"
    std::string dtype = "auto";    // "auto" (fp32 on CPU, bf16 on CUDA), "float32", "bfloat16", "float16"
    int threads = 0;               // intra-op threads; 0 means all cores
    // A frozen base (LoRA training, inference): "stored" keeps weights stored as
    // bfloat16 in bfloat16 (half the memory; widened in the kernels), "float32"
    // converts them at load as full fine-tuning does.
    std::string frozenBase = "stored";
};

struct Runtime
{
    c10::Device device = c10::Device(c10::kCPU);
    c10::ScalarType dtype = c10::kFloat;
    int threads = 1;
    bool keepStoredBf16 = true;   // RuntimeOptions::frozenBase == "stored"
};

// Validates the options and applies the thread count: to OpenBLAS's pool when
// OpenBLAS is the BLAS (LibTorch's own pool then gets one thread, see the .cpp),
// else to at::set_num_threads; and to the pool of the inference kernels
// (model/kernels.h).
// Throws Error with the offending value, e.g. a CUDA device on a CPU-only build.
Runtime applyRuntime(const RuntimeOptions &options);

// Sets OpenBLAS's own thread pool when OpenBLAS is the BLAS in use; returns the
// count set, or 0 when the BLAS has no such control.
int setBlasThreads(int threads);

// The number of cores the scheduler lets this process use.
int availableCores();

// A memory figure of this process in MiB from /proc/self/status: "VmRSS" (resident
// now) or "VmHWM" (the peak); 0 when the system has no such figure.
double processMemoryMb(const std::string &field);

// LibTorch's version as "major.minor.patch", and whether it was built with CUDA.
std::string torchVersion();
bool torchHasCuda();

} // namespace awb
