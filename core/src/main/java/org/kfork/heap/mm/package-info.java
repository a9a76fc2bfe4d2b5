/**
 * The heap twin of the mm model: {@link org.kfork.heap.mm.HeapMm} (mm_struct and the address-space
 * operations), {@link org.kfork.heap.mm.HeapVma}, {@link org.kfork.heap.mm.HeapFile},
 * {@link org.kfork.heap.mm.HeapAnonVma} and {@link org.kfork.heap.mm.HeapAnonVmaChain}, over the heap
 * containers of {@code org.kfork.heap.ds}. It runs the same steps as the off-heap port
 * ({@code org.kfork.kernel.mm}) and is the oracle of the differential tests.
 *
 * <p>dup_mm has two modes ({@link org.kfork.mm.DupMode}): APPEND is the kernel's 5.12 dup_mmap;
 * STRUCTURAL clones the tree's shape in O(n) (the idea of 6.8's __mt_dup), with identical results.
 */
package org.kfork.heap.mm;
