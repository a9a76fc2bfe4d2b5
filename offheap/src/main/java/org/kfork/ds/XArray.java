package org.kfork.ds;

import static org.kfork.ds.Idr.XA_FLAGS;
import static org.kfork.ds.Idr.XA_HEAD;
import static org.kfork.ds.Idr.XA_LOCK;
import static org.kfork.lib.IdrRules.IDR_FREE;
import static org.kfork.lib.IdrRules.IDR_RT_MARKER;
import static org.kfork.lib.IdrRules.INT_MAX;
import static org.kfork.lib.IdrRules.isInternal;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.uapi.Errno.EBUSY;
import static org.kfork.uapi.Errno.EINVAL;
import static org.kfork.uapi.Errno.ENOSPC;

import java.util.Objects;

/**
 * The few calls of include/linux/xarray.h the page cache makes (xa_init, xa_load, xa_insert,
 * xa_find, xa_destroy), over a bare {@code struct xarray} of 16 bytes (address_space.i_pages)
 * rather than a {@code struct idr}: no idr_base or idr_next after it, indexes from 0.
 *
 * <p>Deviation: 5.12's xarray is lib/xarray.c; this runs on the IDR's radix tree
 * ({@link RadixTree}), whose nodes are laid out as xa_node and which finds a free slot through
 * the IDR_FREE tag. The root therefore carries ROOT_IS_IDR and the IDR_FREE root tag in
 * xa_flags ({@link #xaInit}) where the page cache's xarray has XA_FLAGS_LOCK_IRQ and
 * XA_FLAGS_ACCOUNT. Indexes stop at INT_MAX, as the IDR's ids do. The caller serialises writers;
 * the invariants are {@link Idr}'s.
 */
public final class XArray {
    private final RadixTree tree;

    /** An xarray implementation whose trees take their nodes from {@code nodes}. */
    public XArray(Idr.NodeAllocator nodes) {
        this.tree = new RadixTree(Objects.requireNonNull(nodes));
    }

    /** xa_init: an empty xarray at {@code xa} (in the IDR's form: see the class comment). */
    public static void xaInit(long xa) {
        putInt(xa + XA_LOCK, 0);
        putInt(xa + XA_FLAGS, IDR_RT_MARKER);
        putLong(xa + XA_HEAD, 0);
    }

    /** xa_load: the entry at {@code index}, or NULL. */
    public static long xaLoad(long xa, long index) {
        if (index < 0 || index > INT_MAX) {
            return 0;
        }
        return RadixTree.radixTreeLookup(xa, index);
    }

    /**
     * xa_insert: stores {@code entry} (not NULL) at {@code index} if it is empty.
     *
     * @return 0, -EBUSY when the index holds an entry, -ENOMEM when a node cannot be allocated
     *     (the xarray unchanged), -EINVAL for NULL, an internal entry or an index past INT_MAX
     */
    public int xaInsert(long xa, long index, long entry) {
        if (entry == 0 || isInternal(entry) || index < 0 || index > INT_MAX) {
            return -EINVAL;
        }
        final long ret = tree.idrGetFree(xa, index, index, entry);
        if (ret == -ENOSPC) {
            return -EBUSY;
        }
        return ret < 0 ? (int) ret : 0;
    }

    /** xa_erase: empties {@code index}; returns the entry it held, or NULL. */
    public long xaErase(long xa, long index) {
        if (index < 0 || index > INT_MAX) {
            return 0;
        }
        return tree.radixTreeDeleteItem(xa, index);
    }

    /** xa_find: the lowest index at or above {@code index} that holds an entry, or -1. */
    public static long xaFind(long xa, long index) {
        if (index < 0 || index > INT_MAX) {
            return -1;
        }
        final long next = RadixTree.radixTreeNextChunk(xa, index);
        return next > INT_MAX ? -1 : next;
    }

    /** xa_destroy: frees every node; the xarray is empty (and initialised) afterwards. */
    public void xaDestroy(long xa) {
        final long head = getLong(xa + XA_HEAD);
        if (isInternal(head)) {
            tree.radixTreeFreeNodes(head);
        }
        putLong(xa + XA_HEAD, 0);
        RadixTree.rootTagSet(xa, IDR_FREE);
    }

    /** Whether {@code xa} holds no entry (xa_empty). */
    public static boolean xaEmpty(long xa) {
        return getLong(xa + XA_HEAD) == 0;
    }

    /**
     * Checks the tree's invariants (those of {@link Idr#validate}).
     *
     * @return the number of entries
     */
    public static long validate(long xa) {
        return RadixTree.validate(xa);
    }
}
