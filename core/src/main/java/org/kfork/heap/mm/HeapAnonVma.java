package org.kfork.heap.mm;

import org.kfork.heap.ds.HeapRbRootCached;

/**
 * The heap twin of {@code struct anon_vma} (mm/rmap.c): root, refcount, degree, parent and the
 * interval tree of the anon_vma_chains that link VMAs to it. The rwsem is not modelled (the heap
 * twin is single-threaded under the mmap lock).
 */
public final class HeapAnonVma {
    /** root: the root of this anon_vma hierarchy. */
    HeapAnonVma root;
    /** refcount. */
    int refcount;
    /** degree: VMAs using it as their anon_vma plus child anon_vmas (plus 1 for a root's self link). */
    int degree;
    /** parent. */
    HeapAnonVma parent;
    /** rb_root: the avcs of every VMA that may map its pages. */
    final HeapRbRootCached rbRoot = new HeapRbRootCached();

    HeapAnonVma() {
    }
}
