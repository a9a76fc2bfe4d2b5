/**
 * The heap twin of the mm model, one class per kernel file as off-heap ({@code org.kfork.kernel.mm}),
 * with the {@code Heap} prefix and the same methods in the same order: {@link org.kfork.heap.mm.HeapMmap},
 * {@link org.kfork.heap.mm.HeapMprotect}, {@link org.kfork.heap.mm.HeapMadvise},
 * {@link org.kfork.heap.mm.HeapMlock}, {@link org.kfork.heap.mm.HeapRmap}, and
 * {@link org.kfork.heap.fork.HeapForkMm} for fork.c's mm half. The structs are
 * {@link org.kfork.heap.mm.HeapMmStruct}, {@link org.kfork.heap.mm.HeapVma},
 * {@link org.kfork.heap.mm.HeapVmOperations}, {@link org.kfork.heap.mm.HeapAnonVma} and
 * {@link org.kfork.heap.mm.HeapAnonVmaChain}, over the heap containers of {@code org.kfork.heap.ds}
 * and the files of {@code org.kfork.heap.fs}; {@link org.kfork.heap.mm.HeapMm} is the handle of the
 * {@code AddressSpace} API. The twin is the oracle of the differential tests.
 *
 * <p>dup_mm has two modes ({@link org.kfork.mm.DupMode}): APPEND is the kernel's 5.12 dup_mmap;
 * STRUCTURAL clones the tree's shape in O(n) (the idea of 6.8's __mt_dup), with identical results.
 */
package org.kfork.heap.mm;
