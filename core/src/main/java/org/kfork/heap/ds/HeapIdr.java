package org.kfork.heap.ds;

import static org.kfork.lib.IdrRules.IDR_FREE;
import static org.kfork.lib.IdrRules.IDR_RT_MARKER;
import static org.kfork.lib.IdrRules.INT_MAX;
import static org.kfork.lib.IdrRules.ROOT_IS_IDR;
import static org.kfork.uapi.Errno.EINVAL;
import static org.kfork.uapi.Errno.ENOENT;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

import org.kfork.lib.IdrRules;

/**
 * The heap twin of {@code org.kfork.ds.Idr}: 5.12's IDR (lib/idr.c, include/linux/idr.h) over a
 * {@link HeapIdrRoot} and {@link HeapXaNode}s, with the same radix tree
 * ({@link HeapRadixTree}), the same methods in the same order and the same steps. The class
 * comment of the off-heap Idr gives the picture, the invariants ({@link #validate} checks them),
 * the handling of null entries and the deviations from 5.12; they hold here word for word, with
 * objects for pointers:
 * <ul>
 *   <li>null is NULL: an id may hold null (reserved, as alloc_pid does before idr_replace).</li>
 *   <li>What is refused off-heap as an internal entry (a pointer with low bits 10) is refused here
 *       as a {@link HeapXaNode} given as the object to store: -EINVAL.</li>
 *   <li>idr_replace's ERR_PTR results are the {@link ErrPtr} objects {@link #ENOENT_PTR} and
 *       {@link #EINVAL_PTR}; {@link #isErr} is IS_ERR.</li>
 *   <li>Nodes come from a {@link NodeAllocator} that may fail (for fault injection); the default
 *       {@link #NEW_NODES} is {@code new}, with the GC as the RCU-deferred free.</li>
 * </ul>
 */
public final class HeapIdr {
    /**
     * Where the radix tree's nodes come from: the twin of the "radix_tree_node" kmem_cache.
     */
    public interface NodeAllocator {
        /** A node with empty slots and clear tags (the IDR sets the rest), or null: -ENOMEM. */
        HeapXaNode allocNode();

        /** Takes back a node that has left the tree (readers may still hold it; the GC waits for them). */
        void freeNode(HeapXaNode node);
    }

    /** Nodes from {@code new}; freeing leaves them to the GC. */
    public static final NodeAllocator NEW_NODES = new NodeAllocator() {
        @Override
        public HeapXaNode allocNode() {
            return new HeapXaNode();
        }

        @Override
        public void freeNode(HeapXaNode node) {
            // The GC is the free list, and waits for readers as RCU would.
        }
    };

    /** ERR_PTR on the heap: a result of {@link #idrReplace} that carries an errno instead of an object. */
    public static final class ErrPtr {
        private final int errno;

        private ErrPtr(int errno) {
            this.errno = errno;
        }

        /** The (positive) errno. */
        public int errno() {
            return errno;
        }

        @Override
        public String toString() {
            return "ERR_PTR(-" + errno + ")";
        }
    }

    /** ERR_PTR(-ENOENT). */
    public static final ErrPtr ENOENT_PTR = new ErrPtr(ENOENT);
    /** ERR_PTR(-EINVAL). */
    public static final ErrPtr EINVAL_PTR = new ErrPtr(EINVAL);

    /** IS_ERR for a result of {@link #idrReplace}. */
    public static boolean isErr(Object result) {
        return result instanceof ErrPtr;
    }

    private static final VarHandle IDR_NEXT;

    static {
        try {
            IDR_NEXT = MethodHandles.lookup().findVarHandle(HeapIdrRoot.class, "idrNext", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final HeapRadixTree tree;

    /** An IDR implementation whose trees take their nodes from {@code nodes}. */
    public HeapIdr(NodeAllocator nodes) {
        this.tree = new HeapRadixTree(Objects.requireNonNull(nodes));
    }

    /** An IDR implementation with nodes from {@code new}. */
    public HeapIdr() {
        this(NEW_NODES);
    }

    // ---------------------------------------------------------------------------------------
    // include/linux/idr.h and lib/idr.c: the API
    // ---------------------------------------------------------------------------------------

    /** idr_init: {@code idr} becomes an empty IDR whose ids start at 0. */
    public void idrInit(HeapIdrRoot<?> idr) {
        idrInitBase(idr, 0);
    }

    /** idr_init_base: {@code idr} becomes an empty IDR whose ids start at {@code base}. */
    public void idrInitBase(HeapIdrRoot<?> idr, int base) {
        idr.xaFlags = IDR_RT_MARKER;
        HeapRadixTree.setHead(idr, null);
        idr.idrBase = base;
        idr.idrNext = 0;
    }

    /**
     * idr_alloc: allocates the lowest free id in {@code [start, end)} ({@code end <= 0} means up to
     * INT_MAX) and stores {@code ptr} (null allowed) under it.
     *
     * @return the id, or -ENOSPC, -ENOMEM (the IDR unchanged) or -EINVAL
     */
    public <T> int idrAlloc(HeapIdrRoot<T> idr, T ptr, int start, int end) {
        final int bad = IdrRules.idrAllocCheck(start);
        if (bad != 0) {
            return bad;
        }
        return idrAllocU32(idr, ptr, start, IdrRules.idrAllocMax(end));
    }

    /**
     * idr_alloc_cyclic: as {@link #idrAlloc}, from the cursor, wrapping to {@code start} once; on
     * success the cursor moves past the id handed out.
     */
    public <T> int idrAllocCyclic(HeapIdrRoot<T> idr, T ptr, int start, int end) {
        int id = IdrRules.idrCyclicFirst(idr.idrNext, start);
        final int max = IdrRules.idrAllocMax(end);
        int ret = idrAllocU32(idr, ptr, id, max);
        if (IdrRules.idrCyclicWraps(ret, id, start)) {
            id = start;
            ret = idrAllocU32(idr, ptr, id, max);
        }
        if (ret < 0) {
            return ret;
        }
        idr.idrNext = ret + 1;
        return ret;
    }

    /** idr_alloc_u32: the lowest free id from {@code id} (unsigned) up to {@code max}; returns it. */
    private <T> int idrAllocU32(HeapIdrRoot<T> idr, T ptr, int id, long max) {
        if (ptr instanceof HeapXaNode) {
            return -EINVAL;
        }
        if ((idr.xaFlags & ROOT_IS_IDR) == 0) {
            idr.xaFlags |= IDR_RT_MARKER;  // 5.12 warns and repairs a root never idr_init'ed
        }
        final int base = idr.idrBase;
        final long index = tree.idrGetFree(idr, IdrRules.idrFirstIndex(id, base), IdrRules.idrMaxIndex(max, base), ptr);
        if (index < 0) {
            return (int) index;
        }
        return (int) (index + Integer.toUnsignedLong(base));
    }

    /** idr_remove: frees {@code id}; returns the object it held, or null. */
    public <T> T idrRemove(HeapIdrRoot<T> idr, long id) {
        return cast(tree.radixTreeDeleteItem(idr, IdrRules.idrIndex(id, idr.idrBase)));
    }

    /** idr_find: the object stored under {@code id}, or null when free or holding null. */
    public <T> T idrFind(HeapIdrRoot<T> idr, long id) {
        return cast(HeapRadixTree.radixTreeLookup(idr, IdrRules.idrIndex(id, idr.idrBase)));
    }

    /** idr_get_next: the lowest id at or above {@code id} holding a non-null object, or -ENOENT. */
    public int idrGetNext(HeapIdrRoot<?> idr, int id) {
        final int base = idr.idrBase;
        final long index = HeapRadixTree.radixTreeNextChunk(idr, IdrRules.idrNextIndex(id, base));
        if (index < 0) {
            return -ENOENT;
        }
        final long next = index + Integer.toUnsignedLong(base);
        return next > INT_MAX ? -ENOENT : (int) next;
    }

    /**
     * idr_replace: stores {@code ptr} under an allocated {@code id}.
     *
     * @return the object it replaced (possibly null), or {@link #ENOENT_PTR} when the id is not
     *     allocated, {@link #EINVAL_PTR} for a node given as the object
     */
    public <T> Object idrReplace(HeapIdrRoot<T> idr, T ptr, long id) {
        if (ptr instanceof HeapXaNode) {
            return EINVAL_PTR;
        }
        final long index = IdrRules.idrIndex(id, idr.idrBase);
        final HeapXaNode node = HeapRadixTree.radixTreeLookupNode(idr, index);
        if (node == HeapRadixTree.NO_SLOT) {
            return ENOENT_PTR;
        }
        final int offset = HeapRadixTree.slotOffset(node, index);
        if (HeapRadixTree.nodeTagGet(idr, node, IDR_FREE, offset)) {
            return ENOENT_PTR;
        }
        final Object entry = HeapRadixTree.getSlot(idr, node, offset);
        tree.radixTreeReplace(idr, node, offset, ptr);
        return entry;
    }

    /** idr_destroy: frees every node; the IDR is empty afterwards (its cursor is kept). */
    public void idrDestroy(HeapIdrRoot<?> idr) {
        final Object head = idr.xaHead;
        if (head instanceof HeapXaNode) {
            tree.radixTreeFreeNodes((HeapXaNode) head);
        }
        HeapRadixTree.setHead(idr, null);
        HeapRadixTree.rootTagSet(idr, IDR_FREE);
    }

    /** idr_is_empty: no id is allocated. */
    public boolean idrIsEmpty(HeapIdrRoot<?> idr) {
        return HeapRadixTree.head(idr) == null && HeapRadixTree.rootTagGet(idr, IDR_FREE);
    }

    /** idr_get_cursor (READ_ONCE). */
    public int idrGetCursor(HeapIdrRoot<?> idr) {
        return (int) IDR_NEXT.getVolatile(idr);
    }

    /** idr_set_cursor (WRITE_ONCE). */
    public void idrSetCursor(HeapIdrRoot<?> idr, int val) {
        IDR_NEXT.setVolatile(idr, val);
    }

    /**
     * Checks every invariant, throwing IllegalStateException naming the first one broken.
     *
     * @return the number of ids allocated (null entries included)
     */
    public long validate(HeapIdrRoot<?> idr) {
        return HeapRadixTree.validate(idr);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object entry) {
        return (T) entry;
    }
}
