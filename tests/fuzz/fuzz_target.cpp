// One libFuzzer executable per target: AWB_FUZZ_TARGET names its entry in
// fuzz_entries.h. An awb::Error is caught inside the entry; anything else that
// escapes (another exception, a Finding) terminates the run and libFuzzer
// keeps the input as a crash, as it does for ASan and UBSan reports.
#include "fuzz_entries.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const awb::fuzz::Entry entry = awb::fuzz::entryFor(AWB_FUZZ_TARGET);
    entry(data, size);
    return 0;
}
