package org.kfork.ds;

import static org.kfork.lib.IdrRules.IDR_FREE;
import static org.kfork.lib.IdrRules.IDR_RT_MARKER;
import static org.kfork.lib.IdrRules.INT_MAX;
import static org.kfork.lib.IdrRules.ROOT_IS_IDR;
import static org.kfork.lib.IdrRules.isInternal;
import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.getLongAcquire;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.uapi.Errno.EINVAL;
import static org.kfork.uapi.Errno.ENOENT;

import java.util.Objects;

import org.kfork.lib.IdrRules;
import org.kfork.machine.Mem;

/**
 * The IDR of Linux 5.12 (lib/idr.c, include/linux/idr.h), on the part of lib/radix-tree.c it
 * needs (RadixTree, in this package), over a {@code struct idr} at a modeled address and
 * {@link XaNode} nodes from a caller's {@link NodeAllocator}. It maps ids, non-negative ints, to
 * 64-bit modeled pointers: kernel/pid.c keeps one per pid namespace, from pid numbers to
 * {@code struct pid}s.
 *
 * <pre>
 *   struct idr (24 bytes)                     an IDR holding ids 1, 2 and 300
 *   +0  idr_rt.xa_lock   spinlock_t             xa_head -> [shift 6, count 2]
 *   +4  idr_rt.xa_flags  ROOT_IS_IDR | tags                  slot 0 -> [shift 0] ids 0..63:  1, 2
 *   +8  idr_rt.xa_head   node | 2, or NULL                   slot 4 -> [shift 0] ids 256..319: 300
 *   +16 idr_base         first id
 *   +20 idr_next         idr_alloc_cyclic's cursor
 * </pre>
 * A node of shift s covers 64 &lt;&lt; s indices; slot i of an inner node points at the child
 * covering indices {@code i << s} onwards (as an internal entry, the address with bit 1 set), and
 * slot i of a leaf holds the pointer for index i. Index = id - idr_base. The tree is as tall as
 * its largest id needs and no taller: ids up to 63 take one level, up to 4095 two, PID_MAX_LIMIT
 * (2^22) four, INT_MAX six. The struct offsets are compile-time constants here, as the rb-tree's
 * are, because the containers sit below org.kfork.kernel.struct; IdrLayoutTest pins them to
 * reference/layouts-5.12.csv.
 *
 * <h2>Invariants ({@link #validate} checks every one)</h2>
 * <ol>
 *   <li>xa_head is NULL or a node; never an entry (5.12 always puts id 0 in a leaf, and never
 *       shrinks a leaf into the head, so that {@link #idrReplace} may store any pointer).</li>
 *   <li>Each node's children have shift - 6, their {@code parent} is the node and their
 *       {@code offset} is their slot; every node's {@code array} is the tree; the head's parent is
 *       NULL.</li>
 *   <li>IDR_FREE: in a leaf, a slot's tag is clear exactly when its id is allocated; in an inner
 *       node, set exactly when the slot is empty or the child has a tag set; the root's tag (in
 *       xa_flags) is set exactly when the tree is empty or the head has a tag set.</li>
 *   <li>{@code count}: in a leaf, the ids allocated (NULL entries included); in an inner node, the
 *       children. No node in the tree has count 0; {@code nr_values} counts value entries (odd
 *       pointers).</li>
 *   <li>Minimal height: a head above the leaves does not have a single child in slot 0.</li>
 * </ol>
 *
 * <h2>NULL entries</h2>
 * An id may be allocated with a NULL pointer (alloc_pid does, and publishes the struct pid later
 * with {@link #idrReplace}): its IDR_FREE tag is clear, so it counts and is not handed out again.
 * {@link #idrFind} returns NULL for it, as for a free id; {@link #idrGetNext} skips it;
 * {@link #idrRemove} frees it and returns NULL; {@link #idrReplace} accepts it.
 *
 * <h2>Memory and concurrency</h2>
 * The caller serialises writers, as 5.12's callers do (pidmap_lock). Lookups may run alongside a
 * writer as under rcu_read_lock: a writer publishes each slot with a release store
 * (rcu_assign_pointer) and readers load with acquire. Nodes come from the {@link NodeAllocator}
 * and go back to it as soon as they leave the tree; a user with lockless readers defers that free
 * past a grace period, as 5.12's radix_tree_node_free does with call_rcu. Nothing here allocates
 * on the Java heap.
 *
 * <h2>Deviations from 5.12</h2>
 * <ul>
 *   <li>When a node allocation fails, 5.12 leaves the nodes it already linked in (empty, all
 *       free; harmless and reused later). Here {@link #idrAlloc} unlinks and frees them, so that a
 *       failed allocation leaves the IDR exactly as it found it. There is no idr_preload: a caller
 *       that must not fail keeps a reserve of {@link IdrRules#IDR_PRELOAD_SIZE} nodes in its
 *       allocator.</li>
 *   <li>A pointer that looks like an internal entry (low bits 10) is refused with -EINVAL, as
 *       idr_replace's documentation promises and 5.12's code does not check; so no retry or
 *       sibling entry can appear, and the lookups have no retry path.</li>
 *   <li>{@link #idrGetNext} returns the id it found, not the entry (a Java method returns one
 *       value; {@link #idrFind} gives the entry).</li>
 *   <li>A range whose end lies below idr_base fails with -ENOSPC; 5.12 computes its last index
 *       in unsigned arithmetic, which wraps and lets the allocation go past the end.</li>
 * </ul>
 */
public final class Idr {
    /** {@code offsetof(struct xarray, xa_lock)}: spinlock_t, initialised, not used by the IDR (its callers lock). */
    public static final int XA_LOCK = 0;
    /** {@code offsetof(struct xarray, xa_flags)}: gfp_t, ROOT_IS_IDR and the root tags. */
    public static final int XA_FLAGS = 4;
    /** {@code offsetof(struct xarray, xa_head)}: the head node as an internal entry, or NULL. */
    public static final int XA_HEAD = 8;
    /** {@code sizeof(struct xarray)}. */
    public static final int SIZEOF_XARRAY = 16;
    /** {@code offsetof(struct idr, idr_rt)}: the radix tree root, a struct xarray. */
    public static final int IDR_RT = 0;
    /** {@code offsetof(struct idr, idr_base)}: the id of index 0. */
    public static final int IDR_BASE = 16;
    /** {@code offsetof(struct idr, idr_next)}: the cursor of idr_alloc_cyclic. */
    public static final int IDR_NEXT = 20;
    /** {@code sizeof(struct idr)}. */
    public static final int SIZEOF_IDR = 24;

    /**
     * Where the radix tree's nodes come from: a "radix_tree_node" kmem_cache, in the kernel.
     */
    public interface NodeAllocator {
        /**
         * A node of {@link XaNode#SIZEOF} bytes whose slots and tags are zero (the IDR sets every
         * other field), or 0 when memory runs out (the IDR then returns -ENOMEM).
         */
        long allocNode();

        /**
         * Takes back a node that has left the tree. Its slots and tags are left as they were:
         * lockless readers may still be walking it, so a user with such readers frees it after
         * a grace period, and zeroes it before handing it out again.
         */
        void freeNode(long node);
    }

    private final RadixTree tree;

    /**
     * An IDR implementation whose trees take their nodes from {@code nodes}; one instance serves
     * any number of {@code struct idr}s.
     */
    public Idr(NodeAllocator nodes) {
        this.tree = new RadixTree(Objects.requireNonNull(nodes));
    }

    // ---------------------------------------------------------------------------------------
    // include/linux/idr.h and lib/idr.c: the API
    // ---------------------------------------------------------------------------------------

    /** idr_init: an empty IDR at {@code idr} whose ids start at 0. */
    public void idrInit(long idr) {
        idrInitBase(idr, 0);
    }

    /** idr_init_base: an empty IDR at {@code idr} whose ids start at {@code base}. */
    public void idrInitBase(long idr, int base) {
        putInt(idr + IDR_RT + XA_LOCK, 0);
        putInt(idr + IDR_RT + XA_FLAGS, IDR_RT_MARKER);
        putLong(idr + IDR_RT + XA_HEAD, 0);
        putInt(idr + IDR_BASE, base);
        putInt(idr + IDR_NEXT, 0);
    }

    /**
     * idr_alloc: allocates the lowest free id in {@code [start, end)} ({@code end <= 0} means up to
     * INT_MAX) and stores {@code ptr} (NULL allowed) under it.
     *
     * @return the id, or -ENOSPC when the range is full, -ENOMEM when a node cannot be allocated
     *     (the IDR unchanged), -EINVAL for a negative start or a pointer with low bits 10
     */
    public int idrAlloc(long idr, long ptr, int start, int end) {
        final int bad = IdrRules.idrAllocCheck(start);
        if (bad != 0) {
            return bad;
        }
        return idrAllocU32(idr, ptr, start, IdrRules.idrAllocMax(end));
    }

    /**
     * idr_alloc_cyclic: as {@link #idrAlloc}, but the search starts at the cursor (idr_next, or
     * {@code start} if the cursor is below it) and wraps to {@code start} once; on success the
     * cursor moves past the id handed out.
     */
    public int idrAllocCyclic(long idr, long ptr, int start, int end) {
        int id = IdrRules.idrCyclicFirst(getInt(idr + IDR_NEXT), start);
        final int max = IdrRules.idrAllocMax(end);
        int ret = idrAllocU32(idr, ptr, id, max);
        if (IdrRules.idrCyclicWraps(ret, id, start)) {
            id = start;
            ret = idrAllocU32(idr, ptr, id, max);
        }
        if (ret < 0) {
            return ret;
        }
        putInt(idr + IDR_NEXT, ret + 1);
        return ret;
    }

    /**
     * idr_alloc_u32: the lowest free id from {@code id} (unsigned) up to {@code max} inclusive.
     * Returns the id rather than writing it through a pointer; ids never exceed INT_MAX.
     */
    private int idrAllocU32(long idr, long ptr, int id, long max) {
        if (isInternal(ptr)) {
            return -EINVAL;
        }
        final long root = idr + IDR_RT;
        final int flags = getInt(root + XA_FLAGS);
        if ((flags & ROOT_IS_IDR) == 0) {
            // 5.12 warns and repairs a root that was never idr_init'ed (all zero).
            putInt(root + XA_FLAGS, flags | IDR_RT_MARKER);
        }
        final int base = getInt(idr + IDR_BASE);
        final long index = tree.idrGetFree(root, IdrRules.idrFirstIndex(id, base), IdrRules.idrMaxIndex(max, base), ptr);
        if (index < 0) {
            return (int) index;
        }
        return (int) (index + Integer.toUnsignedLong(base));
    }

    /**
     * idr_remove: frees {@code id}.
     *
     * @return the pointer it held, or NULL if it was not allocated (or held NULL)
     */
    public long idrRemove(long idr, long id) {
        return tree.radixTreeDeleteItem(idr + IDR_RT, IdrRules.idrIndex(id, getInt(idr + IDR_BASE)));
    }

    /**
     * idr_find: the pointer stored under {@code id}, or NULL when the id is free or holds NULL.
     * Safe alongside a writer (see the class comment).
     */
    public long idrFind(long idr, long id) {
        return RadixTree.radixTreeLookup(idr + IDR_RT, IdrRules.idrIndex(id, getInt(idr + IDR_BASE)));
    }

    /**
     * idr_get_next: the lowest id at or above {@code id} whose pointer is not NULL (ids
     * allocated with NULL are skipped), or -ENOENT. 5.12 returns the pointer and writes the id
     * back through its argument; this returns the id, and {@link #idrFind} gives the pointer.
     */
    public int idrGetNext(long idr, int id) {
        final int base = getInt(idr + IDR_BASE);
        final long index = RadixTree.radixTreeNextChunk(idr + IDR_RT, IdrRules.idrNextIndex(id, base));
        if (index < 0) {
            return -ENOENT;
        }
        final long next = index + Integer.toUnsignedLong(base);
        return next > INT_MAX ? -ENOENT : (int) next;
    }

    /**
     * idr_replace: stores {@code ptr} under an allocated {@code id}.
     *
     * @return the pointer it replaced (possibly NULL), or ERR_PTR(-ENOENT) when the id is not
     *     allocated, ERR_PTR(-EINVAL) for a pointer with low bits 10 (test with Errno.isError)
     */
    public long idrReplace(long idr, long ptr, long id) {
        if (isInternal(ptr)) {
            return -EINVAL;
        }
        final long root = idr + IDR_RT;
        final long index = IdrRules.idrIndex(id, getInt(idr + IDR_BASE));
        final long node = RadixTree.radixTreeLookupNode(root, index);
        if (node == RadixTree.NO_SLOT) {
            return -ENOENT;
        }
        final int offset = RadixTree.slotOffset(node, index);
        // 5.12 asks radix_tree_tag_get, which walks again; the tag of the slot itself answers the
        // same (a set tag implies set tags above it, invariant 3).
        if (RadixTree.nodeTagGet(root, node, IDR_FREE, offset)) {
            return -ENOENT;
        }
        final long entry = getLong(RadixTree.slotAddr(root, node, offset));
        tree.radixTreeReplace(root, node, offset, ptr);
        return entry;
    }

    /** idr_destroy: frees every node; the IDR is empty afterwards (its cursor is kept, as in 5.12). */
    public void idrDestroy(long idr) {
        final long root = idr + IDR_RT;
        final long head = getLong(root + XA_HEAD);
        if (isInternal(head)) {
            tree.radixTreeFreeNodes(head);
        }
        putLong(root + XA_HEAD, 0);
        RadixTree.rootTagSet(root, IDR_FREE);
    }

    /** idr_is_empty: no id is allocated. */
    public boolean idrIsEmpty(long idr) {
        return getLongAcquire(idr + IDR_RT + XA_HEAD) == 0 && RadixTree.rootTagGet(idr + IDR_RT, IDR_FREE);
    }

    /** idr_get_cursor: where the next idr_alloc_cyclic starts looking (READ_ONCE). */
    public int idrGetCursor(long idr) {
        return Mem.getIntVolatile(idr + IDR_NEXT);
    }

    /** idr_set_cursor: moves the cyclic cursor (WRITE_ONCE). */
    public void idrSetCursor(long idr, int val) {
        Mem.putIntVolatile(idr + IDR_NEXT, val);
    }

    /**
     * Checks every invariant of the class comment, throwing IllegalStateException naming the
     * first one broken.
     *
     * @return the number of ids allocated (NULL entries included)
     */
    public long validate(long idr) {
        return RadixTree.validate(idr + IDR_RT);
    }
}
