#include "model/weight_arena.h"

#include "io/mapped_file.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace awb {

namespace {

constexpr std::size_t kHugePage = std::size_t(2) << 20;
constexpr std::size_t kAlign = 64;

std::size_t roundUp(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// The block: mapped (Linux) or allocated, and released when the last tensor
// that points into it is gone.
class Block
{
public:
    explicit Block(std::size_t bytes)
    {
        m_size = roundUp(std::max<std::size_t>(bytes, 1), kHugePage);
#if defined(__linux__)
        // Over-allocate by one huge page to start on a 2 MB boundary: only whole,
        // aligned 2 MB ranges can be backed by huge pages.
        m_mapSize = m_size + kHugePage;
        void *p = ::mmap(nullptr, m_mapSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            throw Error("weights: could not map " + std::to_string(m_mapSize >> 20) + " MB of memory");
        m_map = p;
        m_data = reinterpret_cast<char *>(roundUp(reinterpret_cast<std::uintptr_t>(p), kHugePage));
#if defined(MADV_HUGEPAGE)
        ::madvise(m_data, m_size, MADV_HUGEPAGE);   // advice only: without THP, 4 KB pages
#endif
#else
        m_owned.reset(new char[m_size + kHugePage]);
        m_data = reinterpret_cast<char *>(roundUp(reinterpret_cast<std::uintptr_t>(m_owned.get()), kHugePage));
#endif
        registry().add(m_data, m_size);
    }

    ~Block()
    {
        registry().remove(m_data);
#if defined(__linux__)
        ::munmap(m_map, m_mapSize);
#endif
    }

    Block(const Block &) = delete;
    Block &operator=(const Block &) = delete;

    char *data() const { return m_data; }

    static bool contains(const void *p) { return registry().contains(p); }

private:
    // Address ranges of the live blocks, for inWeightArena().
    class Registry
    {
    public:
        void add(const char *p, std::size_t n)
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_ranges.emplace(p, p + n);
        }
        void remove(const char *p)
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            for (auto it = m_ranges.begin(); it != m_ranges.end(); ++it)
                if (it->first == p) {
                    m_ranges.erase(it);
                    return;
                }
        }
        bool contains(const void *p)
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            const char *c = static_cast<const char *>(p);
            for (const auto &[b, e] : m_ranges)
                if (c >= b && c < e)
                    return true;
            return false;
        }

    private:
        std::mutex m_mutex;
        std::set<std::pair<const char *, const char *>> m_ranges;
    };

    static Registry &registry()
    {
        static Registry r;
        return r;
    }

    char *m_data = nullptr;
    std::size_t m_size = 0;
#if defined(__linux__)
    void *m_map = nullptr;
    std::size_t m_mapSize = 0;
#else
    std::unique_ptr<char[]> m_owned;
#endif
};

} // namespace

void moveToWeightArena(const std::vector<at::Tensor *> &tensors)
{
    // Each distinct tensor once, in order of first appearance.
    std::vector<at::Tensor *> toMove;
    std::vector<const void *> seen;
    std::size_t bytes = 0;
    for (at::Tensor *t : tensors) {
        if (!t || !t->defined() || !t->device().is_cpu() || t->numel() == 0 || inWeightArena(*t))
            continue;
        const void *key = t->unsafeGetTensorImpl();
        if (std::find(seen.begin(), seen.end(), key) != seen.end())
            continue;
        seen.push_back(key);
        toMove.push_back(t);
        bytes += roundUp(static_cast<std::size_t>(t->nbytes()), kAlign);
    }
    if (toMove.empty())
        return;
    auto block = std::make_shared<Block>(bytes);
    std::size_t offset = 0;
    for (at::Tensor *t : toMove) {
        const void *key = t->unsafeGetTensorImpl();
        // The bytes the tensor held before: a checkpoint's mapping when it borrowed them.
        const void *oldBytes = t->storage().data();
        const std::size_t oldSize = t->storage().nbytes();
        at::Tensor src = t->detach().contiguous();
        char *dst = block->data() + offset;
        std::memcpy(dst, src.data_ptr(), static_cast<std::size_t>(src.nbytes()));
        offset += roundUp(static_cast<std::size_t>(src.nbytes()), kAlign);
        at::Tensor moved = at::from_blob(
            dst, src.sizes(), [block](void *) {}, src.options().requires_grad(false));
        moved.set_requires_grad(t->requires_grad());
        // Handles of the same tensor (tied weights) keep sharing it.
        for (at::Tensor *u : tensors)
            if (u && u != t && u->defined() && u->unsafeGetTensorImpl() == key)
                *u = moved;
        *t = moved;
        src = at::Tensor();
        MappedFile::releasePages(oldBytes, oldSize);
#if defined(__GLIBC__)
        // The old storage may sit inside the heap, where free() keeps it; hand its
        // pages back now, or the peak would hold the model twice.
        ::malloc_trim(0);
#endif
    }
}

bool inWeightArena(const at::Tensor &t) { return t.defined() && Block::contains(t.data_ptr()); }

} // namespace awb
