#pragma once
// An allocator for the large images and index arrays of a synthesis. On a virtual machine a page
// fault can cost tens of microseconds, and a 1280x768 RGB float image is 3000 4-KiB pages: the
// faults of a synthesis's fresh buffers then rival its arithmetic. Blocks of 1 MiB or more are
// aligned to 2 MiB and marked MADV_HUGEPAGE, so that Linux backs them with transparent huge
// pages (512 times fewer faults) where it is set to "madvise" or "always"; smaller ones come
// from the usual allocator.
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

namespace genlab::ot {

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t huge_page = size_t{2} << 20, threshold = size_t{1} << 20;

  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < threshold) return std::allocator<T>().allocate(n);
    const size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
    void* block = std::aligned_alloc(huge_page, rounded);
    if (!block) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(block, rounded, MADV_HUGEPAGE);  // advice only: without huge pages the block still works
#endif
    return static_cast<T*>(block);
  }

  void deallocate(T* p, size_t n) noexcept {
    if (n * sizeof(T) < threshold)
      std::allocator<T>().deallocate(p, n);
    else
      std::free(p);
  }

  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace genlab::ot
