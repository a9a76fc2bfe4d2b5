package org.kfork.ds;

import static org.kfork.machine.Mem.getByte;
import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.kfork.alloc.KmemCache;
import org.kfork.heap.ds.HeapIdr;
import org.kfork.heap.ds.HeapIdrRoot;
import org.kfork.heap.ds.HeapXaNode;
import org.kfork.lib.IdrRules;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;

/**
 * The test-side adapter through which one suite drives both IDRs: {@link Idr} over a struct idr
 * in modeled RAM with nodes from a "radix_tree_node" kmem_cache, and {@link HeapIdr}. Pointers are
 * longs (0 is NULL); the heap variant stores them as Longs (null for 0).
 *
 * <p>Both count node allocations through their allocator, can make the k-th one fail (failslab),
 * and can defer frees to an explicit {@link #rcuBarrier} as 5.12 defers radix_tree_node frees past
 * a grace period. {@link #snapshot} describes the whole structure, node identities included, so
 * that "exactly as before" can be asserted.
 */
abstract class IdrVariant implements AutoCloseable {
    private long countdown;
    private long allocations;
    private long live;
    final boolean deferFree;

    IdrVariant(boolean deferFree) {
        this.deferFree = deferFree;
    }

    /** Make the k-th node allocation from now fail (k >= 1); 0 disarms. */
    final void failNth(long k) {
        countdown = k;
        allocations = 0;
    }

    /** Node allocations asked for since the last {@link #failNth}. */
    final long nodeAllocations() {
        return allocations;
    }

    /** Nodes handed out and not yet given back through freeNode. */
    final long liveNodes() {
        return live;
    }

    /** The allocator's hook: true when this allocation must fail. */
    final boolean allocFails() {
        allocations++;
        if (countdown > 0 && --countdown == 0) {
            return true;
        }
        live++;
        return false;
    }

    final void freed() {
        live--;
    }

    abstract void init(int base);

    /** Destroys the IDR, then makes the struct idr all zero, as memory that was never idr_init'ed. */
    abstract void zeroRoot();

    abstract int alloc(long ptr, int start, int end);

    abstract int allocCyclic(long ptr, int start, int end);

    abstract long remove(long id);

    abstract long find(long id);

    abstract int getNext(int id);

    /** The old pointer, or -ENOENT / -EINVAL (ERR_PTR). */
    abstract long replace(long ptr, long id);

    abstract void destroy();

    abstract boolean isEmpty();

    abstract int getCursor();

    abstract void setCursor(int val);

    abstract long validate();

    /** Nodes reachable from the head. */
    abstract int reachableNodes();

    /** The whole structure: root fields and every node, with identities. */
    abstract String snapshot();

    /** Ends the grace period: deferred frees happen. */
    abstract void rcuBarrier();

    /** Destroys the IDR, runs the deferred frees and checks that every node came back. */
    @Override
    public void close() {
        destroy();
        rcuBarrier();
        if (live != 0) {
            throw new AssertionError(live + " radix tree nodes not freed");
        }
    }

    // ---------------------------------------------------------------------------------------

    /** {@link Idr} over modeled memory. */
    static final class OffHeap extends IdrVariant implements Idr.NodeAllocator {
        private final Machine machine;
        private final KmemCache cache;
        private final long page;
        final long idr;
        final Idr ops;
        private final List<Long> pending = new ArrayList<>();

        OffHeap(Machine machine, KmemCache cache, boolean deferFree) {
            super(deferFree);
            this.machine = machine;
            this.cache = cache;
            this.page = machine.pages().allocPage();
            this.idr = page + 64;  // anywhere 8-aligned; not at the page start, to catch offset slips
            this.ops = new Idr(this);
            ops.idrInit(idr);
        }

        @Override
        public long allocNode() {
            return allocFails() ? 0 : cache.zalloc();
        }

        @Override
        public void freeNode(long node) {
            freed();
            if (deferFree) {
                pending.add(node);
            } else {
                cache.free(node);
            }
        }

        @Override
        void rcuBarrier() {
            for (long node : pending) {
                cache.free(node);
            }
            pending.clear();
        }

        @Override
        public void close() {
            super.close();
            machine.pages().freePage(page);
        }

        @Override
        void init(int base) {
            ops.idrInitBase(idr, base);
        }

        @Override
        void zeroRoot() {
            ops.idrDestroy(idr);
            Mem.zero(idr, Idr.SIZEOF_IDR);
        }

        @Override
        int alloc(long ptr, int start, int end) {
            return ops.idrAlloc(idr, ptr, start, end);
        }

        @Override
        int allocCyclic(long ptr, int start, int end) {
            return ops.idrAllocCyclic(idr, ptr, start, end);
        }

        @Override
        long remove(long id) {
            return ops.idrRemove(idr, id);
        }

        @Override
        long find(long id) {
            return ops.idrFind(idr, id);
        }

        @Override
        int getNext(int id) {
            return ops.idrGetNext(idr, id);
        }

        @Override
        long replace(long ptr, long id) {
            return ops.idrReplace(idr, ptr, id);
        }

        @Override
        void destroy() {
            ops.idrDestroy(idr);
        }

        @Override
        boolean isEmpty() {
            return ops.idrIsEmpty(idr);
        }

        @Override
        int getCursor() {
            return ops.idrGetCursor(idr);
        }

        @Override
        void setCursor(int val) {
            ops.idrSetCursor(idr, val);
        }

        @Override
        long validate() {
            return ops.validate(idr);
        }

        @Override
        int reachableNodes() {
            final long head = getLong(idr + Idr.XA_HEAD);
            return IdrRules.isInternal(head) ? count(head & ~2L) : 0;
        }

        private int count(long node) {
            int n = 1;
            if (RadixTree.shift(node) != 0) {
                for (int i = 0; i < 64; i++) {
                    final long e = getLong(RadixTree.slot(node, i));
                    if (e != 0) {
                        n += count(e & ~2L);
                    }
                }
            }
            return n;
        }

        @Override
        String snapshot() {
            final StringBuilder sb = new StringBuilder();
            sb.append(String.format("idr lock %d flags 0x%x base %d next %d head 0x%x%n", getInt(idr + Idr.XA_LOCK),
                getInt(idr + Idr.XA_FLAGS), getInt(idr + Idr.IDR_BASE), getInt(idr + Idr.IDR_NEXT), getLong(idr + Idr.XA_HEAD)));
            final long head = getLong(idr + Idr.XA_HEAD);
            if (IdrRules.isInternal(head)) {
                describe(sb, head & ~2L);
            }
            return sb.toString();
        }

        private void describe(StringBuilder sb, long node) {
            sb.append(String.format("node 0x%x shift %d offset %d count %d values %d parent 0x%x array 0x%x list 0x%x/0x%x"
                    + " tags 0x%x 0x%x 0x%x:", node, getByte(node + XaNode.SHIFT), getByte(node + XaNode.OFFSET),
                getByte(node + XaNode.COUNT), getByte(node + XaNode.NR_VALUES), getLong(node + XaNode.PARENT),
                getLong(node + XaNode.ARRAY), getLong(node + XaNode.PRIVATE_LIST), getLong(node + XaNode.PRIVATE_LIST + 8),
                getLong(node + XaNode.TAGS), getLong(node + XaNode.TAGS + 8), getLong(node + XaNode.TAGS + 16)));
            for (int i = 0; i < 64; i++) {
                final long e = getLong(RadixTree.slot(node, i));
                if (e != 0) {
                    sb.append(String.format(" [%d]=0x%x", i, e));
                }
            }
            sb.append('\n');
            if (getByte(node + XaNode.SHIFT) != 0) {
                for (int i = 0; i < 64; i++) {
                    final long e = getLong(RadixTree.slot(node, i));
                    if (e != 0) {
                        describe(sb, e & ~2L);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------

    /** {@link HeapIdr} over a {@link HeapIdrRoot} of Longs. */
    static final class Heap extends IdrVariant implements HeapIdr.NodeAllocator {
        HeapIdrRoot<Long> idr = new HeapIdrRoot<>();
        final HeapIdr ops;
        private final List<HeapXaNode> pending = new ArrayList<>();
        /** Stable names for node identities across snapshots. */
        private final Map<HeapXaNode, Integer> names = new IdentityHashMap<>();

        Heap(boolean deferFree) {
            super(deferFree);
            this.ops = new HeapIdr(this);
            ops.idrInit(idr);
        }

        @Override
        public HeapXaNode allocNode() {
            return allocFails() ? null : new HeapXaNode();
        }

        @Override
        public void freeNode(HeapXaNode node) {
            freed();
            if (deferFree) {
                pending.add(node);
            }
        }

        @Override
        void rcuBarrier() {
            pending.clear();
        }

        private static Long box(long ptr) {
            return ptr == 0 ? null : ptr;
        }

        private static long unbox(Object o) {
            return o == null ? 0 : (Long) o;
        }

        @Override
        void init(int base) {
            ops.idrInitBase(idr, base);
        }

        @Override
        void zeroRoot() {
            ops.idrDestroy(idr);
            idr = new HeapIdrRoot<>();  // all fields zero, as never-initialised memory
        }

        @Override
        int alloc(long ptr, int start, int end) {
            return ops.idrAlloc(idr, box(ptr), start, end);
        }

        @Override
        int allocCyclic(long ptr, int start, int end) {
            return ops.idrAllocCyclic(idr, box(ptr), start, end);
        }

        @Override
        long remove(long id) {
            return unbox(ops.idrRemove(idr, id));
        }

        @Override
        long find(long id) {
            return unbox(ops.idrFind(idr, id));
        }

        @Override
        int getNext(int id) {
            return ops.idrGetNext(idr, id);
        }

        @Override
        long replace(long ptr, long id) {
            final Object r = ops.idrReplace(idr, box(ptr), id);
            return HeapIdr.isErr(r) ? -((HeapIdr.ErrPtr) r).errno() : unbox(r);
        }

        @Override
        void destroy() {
            ops.idrDestroy(idr);
        }

        @Override
        boolean isEmpty() {
            return ops.idrIsEmpty(idr);
        }

        @Override
        int getCursor() {
            return ops.idrGetCursor(idr);
        }

        @Override
        void setCursor(int val) {
            ops.idrSetCursor(idr, val);
        }

        @Override
        long validate() {
            return ops.validate(idr);
        }

        @Override
        int reachableNodes() {
            return idr.xaHead() instanceof HeapXaNode ? count((HeapXaNode) idr.xaHead()) : 0;
        }

        private int count(HeapXaNode node) {
            int n = 1;
            if (node.shift() != 0) {
                for (int i = 0; i < 64; i++) {
                    if (node.slot(i) != null) {
                        n += count((HeapXaNode) node.slot(i));
                    }
                }
            }
            return n;
        }

        private int name(Object node) {
            return names.computeIfAbsent((HeapXaNode) node, k -> names.size() + 1);
        }

        @Override
        String snapshot() {
            final StringBuilder sb = new StringBuilder();
            final Object head = idr.xaHead();
            sb.append(String.format("idr flags 0x%x base %d next %d head %s%n", idr.xaFlags(), idr.idrBase(),
                ops.idrGetCursor(idr), head == null ? "NULL" : "#" + name(head)));
            if (head instanceof HeapXaNode) {
                describe(sb, (HeapXaNode) head);
            }
            return sb.toString();
        }

        private void describe(StringBuilder sb, HeapXaNode node) {
            sb.append(String.format("node #%d shift %d offset %d count %d values %d parent %s array %s tags 0x%x 0x%x 0x%x:",
                name(node), node.shift(), node.offset(), node.count(), node.nrValues(),
                node.parent() == null ? "NULL" : "#" + name(node.parent()), node.array() == idr ? "idr" : node.array(),
                node.tags(0), node.tags(1), node.tags(2)));
            for (int i = 0; i < 64; i++) {
                final Object e = node.slot(i);
                if (e != null) {
                    sb.append(String.format(" [%d]=%s", i, e instanceof HeapXaNode ? "#" + name(e) : e));
                }
            }
            sb.append('\n');
            if (node.shift() != 0) {
                for (int i = 0; i < 64; i++) {
                    if (node.slot(i) != null) {
                        describe(sb, (HeapXaNode) node.slot(i));
                    }
                }
            }
        }
    }
}
