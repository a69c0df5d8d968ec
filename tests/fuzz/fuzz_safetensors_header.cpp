// libFuzzer entry point for the safetensors header parser: any byte string must
// either parse into a self-consistent header or raise FormatError, never crash,
// leak or read out of bounds (ASan and UBSan watch).
#include "io/safetensors_header.h"
#include "util/error.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    try {
        const awb::SafetensorsHeader h = awb::parseSafetensorsHeader(data, size, size, "fuzz");
        // Invariants a successful parse guarantees to its callers.
        std::uint64_t cursor = 0;
        for (const auto &e : h.entries) {
            if (e.begin != cursor || e.end < e.begin || h.dataStart + e.end > size)
                std::abort();
            if (static_cast<std::uint64_t>(e.numel()) * awb::dtypeSize(e.dtype) != e.byteSize())
                std::abort();
            cursor = e.end;
        }
        if (h.dataStart + cursor != size)
            std::abort();
        // The writer must accept what the parser accepted and produce a parsable header.
        std::vector<awb::SafetensorsTensorSpec> specs;
        for (const auto &e : h.entries)
            specs.push_back({e.name, e.dtype, e.shape});
        const std::string header = awb::serializeSafetensorsHeader(awb::layoutSafetensors(specs), h.metadata);
        std::string file = header + std::string(reinterpret_cast<const char *>(data + h.dataStart), size - h.dataStart);
        const auto again = awb::parseSafetensorsHeader(reinterpret_cast<const std::uint8_t *>(file.data()),
                                                       file.size(), file.size(), "fuzz-rewritten");
        if (again.entries.size() != h.entries.size())
            std::abort();
    } catch (const awb::FormatError &) {
    }
    return 0;
}
