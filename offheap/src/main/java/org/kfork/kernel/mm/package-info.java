/**
 * The off-heap mm model: mm_struct and vm_area_struct at their 5.12 x86_64 layouts, anon_vma and
 * anon_vma_chain, a minimal file/inode/address_space model, and the code of 5.12 that a fork
 * exercises: mmap/munmap/mprotect/madvise/mlock with vma_merge and split_vma (mm/mmap.c,
 * mprotect.c, madvise.c, mlock.c), anon_vma_clone/anon_vma_fork/unlink_anon_vmas (mm/rmap.c),
 * overcommit accounting (mm/util.c), and dup_mm/dup_mmap, mmput/mmdrop (sync and async), exe_file
 * and check_mm (kernel/fork.c).
 *
 * <p>Entry points: {@link org.kfork.kernel.mm.OffHeapMmSystem#boot} and its
 * {@link org.kfork.kernel.mm.OffHeapMmSystem#mmAlloc}; the fork path is
 * {@link org.kfork.kernel.mm.Mm#dupMm} / {@link org.kfork.kernel.mm.Mm#mmput(OffHeapMmSystem, long)},
 * static over addresses and free of Java allocation. {@link org.kfork.mm.DupMode#APPEND} is the
 * kernel's dup_mmap; {@link org.kfork.mm.DupMode#STRUCTURAL} is the O(n) tree clone.
 *
 * <p>Out of scope (hooks): page tables (copy_page_range is counted, rss counters stay 0), NUMA
 * policies, userfaultfd, KSM, khugepaged, uprobes, rlimits (unlimited), the stack's [stack] name
 * (shown for VM_GROWSDOWN areas).
 */
package org.kfork.kernel.mm;
