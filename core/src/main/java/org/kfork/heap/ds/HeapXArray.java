package org.kfork.heap.ds;

import static org.kfork.lib.IdrRules.IDR_FREE;
import static org.kfork.lib.IdrRules.IDR_RT_MARKER;
import static org.kfork.lib.IdrRules.INT_MAX;
import static org.kfork.uapi.Errno.EBUSY;
import static org.kfork.uapi.Errno.EINVAL;
import static org.kfork.uapi.Errno.ENOSPC;

import java.util.Objects;

/**
 * The heap twin of org.kfork.ds.XArray: xa_init, xa_load, xa_insert, xa_erase, xa_find and
 * xa_destroy on the IDR's radix tree, over a {@link HeapIdrRoot} used as a bare xarray (its
 * idr_base and idr_next stay 0 and unused). Same deviation as the off-heap twin: the root
 * carries ROOT_IS_IDR and the IDR_FREE tag, and indexes stop at INT_MAX.
 */
public final class HeapXArray {
    private final HeapRadixTree tree;

    /** An xarray implementation whose trees take their nodes from {@code nodes}. */
    public HeapXArray(HeapIdr.NodeAllocator nodes) {
        this.tree = new HeapRadixTree(Objects.requireNonNull(nodes));
    }

    /** xa_init: {@code xa} becomes an empty xarray. */
    public static void xaInit(HeapIdrRoot<?> xa) {
        xa.xaFlags = IDR_RT_MARKER;
        HeapRadixTree.setHead(xa, null);
        xa.idrBase = 0;
        xa.idrNext = 0;
    }

    /** xa_load: the entry at {@code index}, or null. */
    public static <T> T xaLoad(HeapIdrRoot<T> xa, long index) {
        if (index < 0 || index > INT_MAX) {
            return null;
        }
        @SuppressWarnings("unchecked")
        T entry = (T) HeapRadixTree.radixTreeLookup(xa, index);
        return entry;
    }

    /** xa_insert: 0, -EBUSY when the index holds an entry, -ENOMEM (unchanged), -EINVAL. */
    public <T> int xaInsert(HeapIdrRoot<T> xa, long index, T entry) {
        if (entry == null || entry instanceof HeapXaNode || index < 0 || index > INT_MAX) {
            return -EINVAL;
        }
        final long ret = tree.idrGetFree(xa, index, index, entry);
        if (ret == -ENOSPC) {
            return -EBUSY;
        }
        return ret < 0 ? (int) ret : 0;
    }

    /** xa_erase: empties {@code index}; returns the entry it held, or null. */
    public <T> T xaErase(HeapIdrRoot<T> xa, long index) {
        if (index < 0 || index > INT_MAX) {
            return null;
        }
        @SuppressWarnings("unchecked")
        T entry = (T) tree.radixTreeDeleteItem(xa, index);
        return entry;
    }

    /** xa_find: the lowest index at or above {@code index} that holds an entry, or -1. */
    public static long xaFind(HeapIdrRoot<?> xa, long index) {
        if (index < 0 || index > INT_MAX) {
            return -1;
        }
        final long next = HeapRadixTree.radixTreeNextChunk(xa, index);
        return next > INT_MAX ? -1 : next;
    }

    /** xa_destroy: frees every node; the xarray is empty (and initialised) afterwards. */
    public void xaDestroy(HeapIdrRoot<?> xa) {
        final Object head = HeapRadixTree.head(xa);
        if (head instanceof HeapXaNode) {
            tree.radixTreeFreeNodes((HeapXaNode) head);
        }
        HeapRadixTree.setHead(xa, null);
        HeapRadixTree.rootTagSet(xa, IDR_FREE);
    }

    /** Whether {@code xa} holds no entry (xa_empty). */
    public static boolean xaEmpty(HeapIdrRoot<?> xa) {
        return HeapRadixTree.head(xa) == null;
    }

    /** Checks the tree's invariants; returns the number of entries. */
    public static long validate(HeapIdrRoot<?> xa) {
        return HeapRadixTree.validate(xa);
    }
}
