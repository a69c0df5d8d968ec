#pragma once
// One block of host memory for a model's weights, backed by 2 MB pages where
// the kernel allows it (Linux transparent huge pages, madvise mode included).
//
// Decoding one sequence streams every weight from memory once per token; with
// 4 KB pages that is a TLB miss every 4 KB, each a page walk (two-level under
// a hypervisor), and it caps the read bandwidth the matrix-vector products
// reach. With 2 MB pages the same bytes need 512 times fewer translations.
//
// Core-only header (ATen): app/ and widgets/ must not include it.

#include <ATen/core/Tensor.h>

#include <vector>

namespace awb {

// Moves the CPU tensors *tensors[i] into one shared block, in the given order
// (the order a forward pass reads them), each 64-byte aligned, and points them
// there: same shapes, dtypes, values and requires_grad, contiguous. Undefined
// tensors, tensors not on the CPU and tensors already in a block are skipped; handles of one tensor (tied
// embeddings: lm_head = embed) are copied once and keep sharing, but distinct
// views of one storage become independent copies. The block is freed with the last tensor using it.
// One tensor at a time is copied and its old storage released, so the peak
// memory grows by about one tensor, not by the whole model.
// Must run before anything else holds views of these tensors (load time).
void moveToWeightArena(const std::vector<at::Tensor *> &tensors);

// True when `t`'s memory lies in a block made by moveToWeightArena (tests).
bool inWeightArena(const at::Tensor &t);

} // namespace awb
