/**
 * The off-heap mm model: mm_struct and vm_area_struct at their 5.12 x86_64 layouts, anon_vma and
 * anon_vma_chain, a minimal file/inode/address_space model, and the code of 5.12 that a fork
 * exercises, one class per kernel file: {@link org.kfork.kernel.mm.Mmap} (mm/mmap.c),
 * {@link org.kfork.kernel.mm.Mprotect}, {@link org.kfork.kernel.mm.Madvise},
 * {@link org.kfork.kernel.mm.Mlock}, {@link org.kfork.kernel.mm.Rmap} (the anon_vma half of
 * mm/rmap.c), {@link org.kfork.kernel.mm.AnonVmaIntervalTree} (mm/interval_tree.c); the mm half
 * of kernel/fork.c is {@link org.kfork.kernel.fork.ForkMm}. {@link org.kfork.kernel.mm.Mm} is
 * the handle the {@code AddressSpace} API goes through (the big lock, the per-handle vmacache,
 * delegation); {@link org.kfork.kernel.mm.MmTypes} reads the struct fields everyone reads.
 *
 * <p>Entry points: {@link org.kfork.kernel.mm.OffHeapMmSystem#boot} and its
 * {@link org.kfork.kernel.mm.OffHeapMmSystem#mmAlloc}; the fork path is
 * {@link org.kfork.kernel.fork.ForkMm#dupMm} / {@link org.kfork.kernel.fork.ForkMm#mmput},
 * static over addresses and free of Java allocation. {@link org.kfork.mm.DupMode#APPEND} is the
 * kernel's dup_mmap; {@link org.kfork.mm.DupMode#STRUCTURAL} is the O(n) tree clone.
 *
 * <p>Out of scope (hooks): page tables (copy_page_range is counted, rss counters stay 0), NUMA
 * policies, userfaultfd, KSM, khugepaged, uprobes, rlimits (unlimited), the stack's [stack] name
 * (shown for VM_GROWSDOWN areas).
 */
package org.kfork.kernel.mm;
