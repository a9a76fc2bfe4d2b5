package org.kfork.ds;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;

/** {@link Variant} over modeled memory: 200-byte VMAs carved out of one block of pages. */
final class OffHeapVariant implements Variant {
    static final int VMA_SIZE = 200;
    static final int VM_PGOFF = VmaIntervalTree.VM_PGOFF;
    /** anon_vma_chain's place: a list_head to test lists with. */
    static final int LIST = 120;
    /** An hlist_node (16 bytes) and an hlist_head (8 bytes) in fields the tests do not otherwise use. */
    static final int HNODE = 168;
    static final int HHEAD = 184;

    private final Machine machine;
    private final int capacity;
    private final int order;
    private final long base;
    /** Two rb_root_cached: the tree under test and the clone. */
    private final long roots;
    private final int half;

    OffHeapVariant(Machine machine, int capacity) {
        this.machine = machine;
        this.capacity = capacity;
        this.half = capacity / 2;
        long bytes = (long) capacity * VMA_SIZE + 2 * RbTree.SIZEOF_RB_ROOT_CACHED;
        int o = 0;
        while ((4096L << o) < bytes) {
            o++;
        }
        this.order = o;
        this.base = machine.pages().allocPages(o);
        if (base == 0) {
            throw new IllegalStateException("out of pages for " + capacity + " nodes");
        }
        Mem.zero(base, 4096L << o);
        this.roots = base + (long) capacity * VMA_SIZE;
    }

    long addr(int h) {
        return h < 0 ? 0 : base + (long) h * VMA_SIZE;
    }

    int handle(long vma) {
        return vma == 0 ? -1 : (int) ((vma - base) / VMA_SIZE);
    }

    private int rbHandle(long rb) {
        return rb == 0 ? -1 : handle(rb - VmAreaStruct.VM_RB);
    }

    private int sharedHandle(long rb) {
        return rb == 0 ? -1 : handle(rb - VmaIntervalTree.SHARED_RB);
    }

    long root(int which) {
        return roots + (long) which * RbTree.SIZEOF_RB_ROOT_CACHED;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void setVma(int h, long start, long end, long pgoff) {
        long v = addr(h);
        Mem.zero(v, VMA_SIZE);
        putLong(v + VmAreaStruct.VM_START, start);
        putLong(v + VmAreaStruct.VM_END, end);
        putLong(v + VM_PGOFF, pgoff);
        RbTree.clearNode(v + VmAreaStruct.VM_RB);
        RbTree.clearNode(v + VmaIntervalTree.SHARED_RB);
    }

    @Override
    public long vmStart(int h) {
        return getLong(addr(h) + VmAreaStruct.VM_START);
    }

    @Override
    public long vmEnd(int h) {
        return getLong(addr(h) + VmAreaStruct.VM_END);
    }

    @Override
    public long vmPgoff(int h) {
        return getLong(addr(h) + VM_PGOFF);
    }

    // ---- plain rb-tree ----

    @Override
    public void rbInsert(int h) {
        long vma = addr(h);
        long root = root(0);
        long key = getLong(vma + VmAreaStruct.VM_START);
        long link = root + RbTree.RB_ROOT_NODE;
        long parent = 0;
        boolean leftmost = true;
        long cur;
        while ((cur = getLong(link)) != 0) {
            parent = cur;
            if (key < getLong(cur - VmAreaStruct.VM_RB + VmAreaStruct.VM_START)) {
                link = cur + RbTree.RB_LEFT;
            } else {
                link = cur + RbTree.RB_RIGHT;
                leftmost = false;
            }
        }
        RbTree.linkNode(vma + VmAreaStruct.VM_RB, parent, link);
        RbTree.insertColorCached(vma + VmAreaStruct.VM_RB, root, leftmost);
    }

    @Override
    public void rbErase(int h) {
        RbTree.eraseCached(addr(h) + VmAreaStruct.VM_RB, root(0));
    }

    @Override
    public int rbFind(long key) {
        long n = RbTree.rootNode(root(0));
        while (n != 0) {
            long k = getLong(n - VmAreaStruct.VM_RB + VmAreaStruct.VM_START);
            if (key < k) {
                n = RbTree.left(n);
            } else if (key > k) {
                n = RbTree.right(n);
            } else {
                return rbHandle(n);
            }
        }
        return -1;
    }

    @Override
    public int rbFirst() {
        return rbHandle(RbTree.first(root(0)));
    }

    @Override
    public int rbFirstCached() {
        return rbHandle(RbTree.firstCached(root(0)));
    }

    @Override
    public int rbLast() {
        return rbHandle(RbTree.last(root(0)));
    }

    @Override
    public int rbNext(int h) {
        return rbHandle(RbTree.next(addr(h) + VmAreaStruct.VM_RB));
    }

    @Override
    public int rbPrev(int h) {
        return rbHandle(RbTree.prev(addr(h) + VmAreaStruct.VM_RB));
    }

    @Override
    public int rbFirstPostorder() {
        return rbHandle(RbTree.firstPostorder(root(0)));
    }

    @Override
    public int rbNextPostorder(int h) {
        return rbHandle(RbTree.nextPostorder(addr(h) + VmAreaStruct.VM_RB));
    }

    @Override
    public void rbReplace(int victim, int with) {
        RbTree.replaceNodeCached(addr(victim) + VmAreaStruct.VM_RB, addr(with) + VmAreaStruct.VM_RB, root(0));
    }

    @Override
    public boolean rbEmptyRoot() {
        return RbTree.emptyRoot(root(0));
    }

    @Override
    public boolean rbEmptyNode(int h) {
        return RbTree.emptyNode(addr(h) + VmAreaStruct.VM_RB);
    }

    @Override
    public void rbClearNode(int h) {
        RbTree.clearNode(addr(h) + VmAreaStruct.VM_RB);
    }

    /** Old rb_node to new rb_node: the copy is the node half the capacity further on; copy the key too. */
    private long mapCopy(long oldRb, long nodeOffset) {
        long oldVma = oldRb - nodeOffset;
        long newVma = oldVma + (long) half * VMA_SIZE;
        Mem.copy(oldVma, newVma, VMA_SIZE); // dup_mmap's *new = *old
        return newVma + nodeOffset;
    }

    @Override
    public void rbClone() {
        RbTree.cloneStructure(root(0), root(1), true, rb -> mapCopy(rb, VmAreaStruct.VM_RB));
    }

    @Override
    public int rbValidate(int which) {
        return RbTree.validate(root(which), true);
    }

    // ---- shape ----

    private int node(long rb, boolean shared) {
        return shared ? sharedHandle(rb) : rbHandle(rb);
    }

    private long rb(int h, boolean shared) {
        return addr(h) + (shared ? VmaIntervalTree.SHARED_RB : VmAreaStruct.VM_RB);
    }

    @Override
    public int root(int which, boolean shared) {
        return node(RbTree.rootNode(root(which)), shared);
    }

    @Override
    public int left(int h, boolean shared) {
        return node(RbTree.left(rb(h, shared)), shared);
    }

    @Override
    public int right(int h, boolean shared) {
        return node(RbTree.right(rb(h, shared)), shared);
    }

    @Override
    public boolean black(int h, boolean shared) {
        return RbTree.isBlack(rb(h, shared));
    }

    // ---- augmented rb-tree: the largest VMA of each subtree, stored in the rb_subtree_gap word ----

    /** A test augmentation: the subtree maximum of vm_end - vm_start. */
    static final RbAugmentMax SIZE_MAX = new RbAugmentMax((int) VmAreaStruct.VM_RB, (int) VmAreaStruct.RB_SUBTREE_GAP) {
        @Override
        protected long compute(long vma) {
            return getLong(vma + VmAreaStruct.VM_END) - getLong(vma + VmAreaStruct.VM_START);
        }
    };

    @Override
    public void augInsert(int h) {
        long vma = addr(h);
        long key = getLong(vma + VmAreaStruct.VM_START);
        long link = root(0);
        long parent = 0;
        long cur;
        while ((cur = getLong(link)) != 0) {
            parent = cur;
            link = key < getLong(cur - VmAreaStruct.VM_RB + VmAreaStruct.VM_START) ? cur + RbTree.RB_LEFT : cur + RbTree.RB_RIGHT;
        }
        RbTree.linkNode(vma + VmAreaStruct.VM_RB, parent, link);
        putLong(vma + VmAreaStruct.RB_SUBTREE_GAP, 0);
        SIZE_MAX.propagate(vma + VmAreaStruct.VM_RB, 0);
        RbAugmented.insert(vma + VmAreaStruct.VM_RB, root(0), SIZE_MAX);
    }

    @Override
    public void augErase(int h) {
        RbAugmented.erase(addr(h) + VmAreaStruct.VM_RB, root(0), SIZE_MAX);
    }

    @Override
    public long augmented(int h) {
        return getLong(addr(h) + VmAreaStruct.RB_SUBTREE_GAP);
    }

    @Override
    public int augValidate(int which) {
        int n = RbTree.validate(root(which), false);
        SIZE_MAX.validate(root(which));
        return n;
    }

    @Override
    public void augClone() {
        RbAugmented.cloneStructure(root(0), root(1), false, rb -> mapCopy(rb, VmAreaStruct.VM_RB), SIZE_MAX);
    }

    // ---- interval tree ----

    @Override
    public void itInsert(int h) {
        VmaIntervalTree.insert(addr(h), root(0));
    }

    @Override
    public void itInsertAfter(int h, int prev) {
        VmaIntervalTree.insertAfter(addr(h), addr(prev), root(0));
    }

    @Override
    public void itRemove(int h) {
        VmaIntervalTree.remove(addr(h), root(0));
    }

    @Override
    public int itFirst(long start, long last) {
        return handle(VmaIntervalTree.iterFirst(root(0), start, last));
    }

    @Override
    public int itNext(int h, long start, long last) {
        return handle(VmaIntervalTree.iterNext(addr(h), start, last));
    }

    @Override
    public long subtreeLast(int h) {
        return VmaIntervalTree.subtreeLast(addr(h));
    }

    @Override
    public int itValidate(int which) {
        return VmaIntervalTree.validate(root(which));
    }

    @Override
    public void itClone() {
        RbAugmented.cloneStructure(root(0), root(1), true, rb -> mapCopy(rb, VmaIntervalTree.SHARED_RB),
                VmaIntervalTree.CALLBACKS);
    }

    // ---- lists ----

    private int listHandle(long entry) {
        return handle(entry - LIST);
    }

    @Override
    public void listInit(int h) {
        IntrusiveList.init(addr(h) + LIST);
    }

    @Override
    public void listAdd(int e, int head) {
        IntrusiveList.add(addr(e) + LIST, addr(head) + LIST);
    }

    @Override
    public void listAddTail(int e, int head) {
        IntrusiveList.addTail(addr(e) + LIST, addr(head) + LIST);
    }

    @Override
    public void listAddRcu(int e, int head) {
        IntrusiveList.addRcu(addr(e) + LIST, addr(head) + LIST);
    }

    @Override
    public void listDel(int e) {
        IntrusiveList.del(addr(e) + LIST);
        if (IntrusiveList.next(addr(e) + LIST) != IntrusiveList.LIST_POISON1
                || IntrusiveList.prev(addr(e) + LIST) != IntrusiveList.LIST_POISON2) {
            throw new AssertionError("list_del did not poison the entry");
        }
    }

    @Override
    public void listDelRcu(int e) {
        long next = IntrusiveList.next(addr(e) + LIST);
        IntrusiveList.delRcu(addr(e) + LIST);
        if (IntrusiveList.next(addr(e) + LIST) != next || IntrusiveList.prev(addr(e) + LIST) != IntrusiveList.LIST_POISON2) {
            throw new AssertionError("list_del_rcu must keep next and poison prev");
        }
    }

    @Override
    public void listDelInit(int e) {
        IntrusiveList.delInit(addr(e) + LIST);
    }

    @Override
    public void listMoveTail(int e, int head) {
        IntrusiveList.moveTail(addr(e) + LIST, addr(head) + LIST);
    }

    @Override
    public void listSpliceInit(int list, int head) {
        IntrusiveList.spliceInit(addr(list) + LIST, addr(head) + LIST);
    }

    @Override
    public boolean listEmpty(int head) {
        return IntrusiveList.empty(addr(head) + LIST);
    }

    @Override
    public int listNext(int h) {
        return listHandle(IntrusiveList.nextRcu(addr(h) + LIST));
    }

    @Override
    public int listPrev(int h) {
        return listHandle(IntrusiveList.prev(addr(h) + LIST));
    }

    @Override
    public int listValidate(int head) {
        return IntrusiveList.validate(addr(head) + LIST, capacity);
    }

    // ---- hlist ----

    private int hnodeHandle(long n) {
        return n == 0 ? -1 : handle(n - HNODE);
    }

    @Override
    public void hlistInitHead(int h) {
        HList.initHead(addr(h) + HHEAD);
    }

    @Override
    public void hlistInitNode(int h) {
        HList.initNode(addr(h) + HNODE);
    }

    @Override
    public void hlistAddHead(int n, int head) {
        HList.addHead(addr(n) + HNODE, addr(head) + HHEAD);
    }

    @Override
    public void hlistDelInit(int n) {
        HList.delInit(addr(n) + HNODE);
    }

    @Override
    public boolean hlistEmpty(int head) {
        return HList.empty(addr(head) + HHEAD);
    }

    @Override
    public boolean hlistUnhashed(int n) {
        return HList.unhashed(addr(n) + HNODE);
    }

    @Override
    public int hlistFirst(int head) {
        return hnodeHandle(HList.first(addr(head) + HHEAD));
    }

    @Override
    public int hlistNext(int n) {
        return hnodeHandle(HList.next(addr(n) + HNODE));
    }

    @Override
    public int hlistValidate(int head) {
        return HList.validate(addr(head) + HHEAD, capacity);
    }

    @Override
    public void close() {
        machine.pages().freePages(base, order);
    }

    @Override
    public String toString() {
        return "off-heap";
    }
}
