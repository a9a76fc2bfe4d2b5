package org.kfork.ds;

import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIntervalNode;
import org.kfork.heap.ds.HeapIntervalTree;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.ds.HeapRbAugmentMax;
import org.kfork.heap.ds.HeapRbAugmented;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.heap.ds.HeapRbRoot;
import org.kfork.heap.ds.HeapRbRootCached;
import org.kfork.heap.ds.HeapRbTree;

/** {@link Variant} over the heap twins in org.kfork.heap.ds. */
final class HeapVariant implements Variant {
    /** A test VMA: vm_rb by inheritance, the other nodes by composition with a back pointer. */
    static final class Vma extends HeapRbNode {
        final int index;
        long vmStart;
        long vmEnd;
        /** The augmented value: the largest vm_end - vm_start in this node's subtree. */
        long sizeMax;
        long pgoff;
        final Shared shared = new Shared(this);
        final ListNode list = new ListNode(this);
        final HNode hnode = new HNode(this);
        final HeapHList.Head hhead = new HeapHList.Head();

        Vma(int index) {
            this.index = index;
        }
    }

    static final class Shared extends HeapIntervalNode {
        final Vma vma;

        Shared(Vma vma) {
            this.vma = vma;
        }

        @Override
        public long start() {
            return vma.pgoff;
        }

        @Override
        public long last() {
            return vma.pgoff + ((vma.vmEnd - vma.vmStart) >>> 12) - 1;
        }
    }

    static final class ListNode extends HeapIntrusiveList {
        final Vma vma;

        ListNode(Vma vma) {
            this.vma = vma;
        }
    }

    static final class HNode extends HeapHList.Node {
        final Vma vma;

        HNode(Vma vma) {
            this.vma = vma;
        }
    }

    private final int capacity;
    private final int half;
    private final Vma[] nodes;
    private final HeapRbRootCached[] roots = {new HeapRbRootCached(), new HeapRbRootCached()};
    private final HeapRbRoot[] augRoots = {new HeapRbRoot(), new HeapRbRoot()};

    HeapVariant(int capacity) {
        this.capacity = capacity;
        this.half = capacity / 2;
        this.nodes = new Vma[capacity];
        for (int i = 0; i < capacity; i++) {
            nodes[i] = new Vma(i);
        }
    }

    private static int h(HeapRbNode n) {
        return n == null ? -1 : ((Vma) n).index;
    }

    private static int hs(HeapRbNode n) {
        return n == null ? -1 : ((Shared) n).vma.index;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void setVma(int h, long start, long end, long pgoff) {
        Vma fresh = new Vma(h);
        fresh.vmStart = start;
        fresh.vmEnd = end;
        fresh.pgoff = pgoff;
        nodes[h] = fresh;
    }

    @Override
    public long vmStart(int h) {
        return nodes[h].vmStart;
    }

    @Override
    public long vmEnd(int h) {
        return nodes[h].vmEnd;
    }

    @Override
    public long vmPgoff(int h) {
        return nodes[h].pgoff;
    }

    @Override
    public void rbInsert(int h) {
        Vma vma = nodes[h];
        HeapRbRootCached root = roots[0];
        long key = vma.vmStart;
        HeapRbNode parent = null;
        HeapRbNode cur = root.node();
        boolean left = false;
        boolean leftmost = true;
        while (cur != null) {
            parent = cur;
            if (key < ((Vma) cur).vmStart) {
                left = true;
                cur = cur.left();
            } else {
                left = false;
                cur = cur.right();
                leftmost = false;
            }
        }
        HeapRbTree.linkNode(vma, parent, left, root);
        HeapRbTree.insertColorCached(vma, root, leftmost);
    }

    @Override
    public void rbErase(int h) {
        HeapRbTree.eraseCached(nodes[h], roots[0]);
    }

    @Override
    public int rbFind(long key) {
        HeapRbNode n = roots[0].node();
        while (n != null) {
            long k = ((Vma) n).vmStart;
            if (key < k) {
                n = n.left();
            } else if (key > k) {
                n = n.right();
            } else {
                return h(n);
            }
        }
        return -1;
    }

    @Override
    public int rbFirst() {
        return h(HeapRbTree.first(roots[0]));
    }

    @Override
    public int rbFirstCached() {
        return h(HeapRbTree.firstCached(roots[0]));
    }

    @Override
    public int rbLast() {
        return h(HeapRbTree.last(roots[0]));
    }

    @Override
    public int rbNext(int x) {
        return h(HeapRbTree.next(nodes[x]));
    }

    @Override
    public int rbPrev(int x) {
        return h(HeapRbTree.prev(nodes[x]));
    }

    @Override
    public int rbFirstPostorder() {
        return h(HeapRbTree.firstPostorder(roots[0]));
    }

    @Override
    public int rbNextPostorder(int x) {
        return h(HeapRbTree.nextPostorder(nodes[x]));
    }

    @Override
    public void rbReplace(int victim, int with) {
        HeapRbTree.replaceNodeCached(nodes[victim], nodes[with], roots[0]);
    }

    @Override
    public boolean rbEmptyRoot() {
        return HeapRbTree.emptyRoot(roots[0]);
    }

    @Override
    public boolean rbEmptyNode(int x) {
        return HeapRbTree.emptyNode(nodes[x]);
    }

    @Override
    public void rbClearNode(int x) {
        HeapRbTree.clearNode(nodes[x]);
    }

    /** dup_mmap's {@code *new = *old} for the fields the twin has. */
    private Vma copyOf(Vma old) {
        Vma n = nodes[old.index + half];
        n.vmStart = old.vmStart;
        n.vmEnd = old.vmEnd;
        n.pgoff = old.pgoff;
        n.sizeMax = old.sizeMax;
        return n;
    }

    @Override
    public void rbClone() {
        HeapRbTree.cloneStructure(roots[0], roots[1], o -> copyOf((Vma) o), null);
    }

    @Override
    public int rbValidate(int which) {
        return HeapRbTree.validate(roots[which]);
    }

    @Override
    public int root(int which, boolean shared) {
        if (shared) {
            return hs(roots[which].node());
        }
        HeapRbNode n = augRoots[which].node() != null ? augRoots[which].node() : roots[which].node();
        return h(n);
    }

    @Override
    public int left(int x, boolean shared) {
        return shared ? hs(nodes[x].shared.left()) : h(nodes[x].left());
    }

    @Override
    public int right(int x, boolean shared) {
        return shared ? hs(nodes[x].shared.right()) : h(nodes[x].right());
    }

    @Override
    public boolean black(int x, boolean shared) {
        return shared ? nodes[x].shared.isBlack() : nodes[x].isBlack();
    }

    /** A test augmentation: the subtree maximum of vm_end - vm_start. */
    static final HeapRbAugmentMax<Vma> SIZE_MAX = new HeapRbAugmentMax<>() {
        @Override
        protected long compute(Vma node) {
            return node.vmEnd - node.vmStart;
        }

        @Override
        protected long augmented(Vma node) {
            return node.sizeMax;
        }

        @Override
        protected void setAugmented(Vma node, long value) {
            node.sizeMax = value;
        }
    };

    @Override
    public void augInsert(int x) {
        Vma vma = nodes[x];
        HeapRbNode cur = augRoots[0].node();
        HeapRbNode parent = null;
        boolean left = false;
        while (cur != null) {
            parent = cur;
            left = vma.vmStart < ((Vma) cur).vmStart;
            cur = left ? cur.left() : cur.right();
        }
        HeapRbTree.linkNode(vma, parent, left, augRoots[0]);
        vma.sizeMax = 0;
        SIZE_MAX.propagate(vma, null);
        HeapRbAugmented.insert(vma, augRoots[0], SIZE_MAX);
    }

    @Override
    public void augErase(int x) {
        HeapRbAugmented.erase(nodes[x], augRoots[0], SIZE_MAX);
    }

    @Override
    public long augmented(int x) {
        return nodes[x].sizeMax;
    }

    @Override
    public int augValidate(int which) {
        int n = HeapRbTree.validate(augRoots[which]);
        SIZE_MAX.validate(augRoots[which]);
        return n;
    }

    @Override
    public void augClone() {
        HeapRbTree.cloneStructure(augRoots[0], augRoots[1], o -> copyOf((Vma) o), SIZE_MAX);
    }

    @Override
    public void itInsert(int x) {
        HeapIntervalTree.insert(nodes[x].shared, roots[0]);
    }

    @Override
    public void itInsertAfter(int x, int prev) {
        HeapIntervalTree.insertAfter(nodes[x].shared, nodes[prev].shared, roots[0]);
    }

    @Override
    public void itRemove(int x) {
        HeapIntervalTree.remove(nodes[x].shared, roots[0]);
    }

    @Override
    public int itFirst(long start, long last) {
        return hs(HeapIntervalTree.iterFirst(roots[0], start, last));
    }

    @Override
    public int itNext(int x, long start, long last) {
        return hs(HeapIntervalTree.iterNext(nodes[x].shared, start, last));
    }

    @Override
    public long subtreeLast(int x) {
        return nodes[x].shared.subtreeLast();
    }

    @Override
    public int itValidate(int which) {
        return HeapIntervalTree.validate(roots[which]);
    }

    @Override
    public void itClone() {
        HeapRbTree.cloneStructure(roots[0], roots[1], o -> copyOf(((Shared) o).vma).shared, HeapIntervalTree.CALLBACKS);
    }

    private static int hl(HeapIntrusiveList l) {
        return l == null ? -1 : ((ListNode) l).vma.index;
    }

    @Override
    public void listInit(int x) {
        HeapIntrusiveList.init(nodes[x].list);
    }

    @Override
    public void listAdd(int e, int head) {
        HeapIntrusiveList.listAdd(nodes[e].list, nodes[head].list);
    }

    @Override
    public void listAddTail(int e, int head) {
        HeapIntrusiveList.listAddTail(nodes[e].list, nodes[head].list);
    }

    @Override
    public void listAddRcu(int e, int head) {
        HeapIntrusiveList.listAdd(nodes[e].list, nodes[head].list);
    }

    @Override
    public void listDel(int e) {
        HeapIntrusiveList.listDel(nodes[e].list);
    }

    @Override
    public void listDelRcu(int e) {
        HeapIntrusiveList.listDel(nodes[e].list);
    }

    @Override
    public void listDelInit(int e) {
        HeapIntrusiveList.listDelInit(nodes[e].list);
    }

    @Override
    public void listMoveTail(int e, int head) {
        HeapIntrusiveList.listMoveTail(nodes[e].list, nodes[head].list);
    }

    @Override
    public void listSpliceInit(int list, int head) {
        HeapIntrusiveList.listSpliceInit(nodes[list].list, nodes[head].list);
    }

    @Override
    public boolean listEmpty(int head) {
        return HeapIntrusiveList.listEmpty(nodes[head].list);
    }

    @Override
    public int listNext(int x) {
        return hl(nodes[x].list.next());
    }

    @Override
    public int listPrev(int x) {
        return hl(nodes[x].list.prev());
    }

    @Override
    public int listValidate(int head) {
        return HeapIntrusiveList.validate(nodes[head].list, capacity);
    }

    private static int hn(HeapHList.Node n) {
        return n == null ? -1 : ((HNode) n).vma.index;
    }

    @Override
    public void hlistInitHead(int x) {
        // a fresh Vma's head is empty; re-init by unlinking everything is not needed in tests
        if (!HeapHList.empty(nodes[x].hhead)) {
            throw new IllegalStateException("hlist head " + x + " not empty");
        }
    }

    @Override
    public void hlistInitNode(int x) {
        if (!HeapHList.unhashed(nodes[x].hnode)) {
            throw new IllegalStateException("hlist node " + x + " hashed");
        }
    }

    @Override
    public void hlistAddHead(int n, int head) {
        HeapHList.addHead(nodes[n].hnode, nodes[head].hhead);
    }

    @Override
    public void hlistDelInit(int n) {
        HeapHList.delInit(nodes[n].hnode);
    }

    @Override
    public boolean hlistEmpty(int head) {
        return HeapHList.empty(nodes[head].hhead);
    }

    @Override
    public boolean hlistUnhashed(int n) {
        return HeapHList.unhashed(nodes[n].hnode);
    }

    @Override
    public int hlistFirst(int head) {
        return hn(nodes[head].hhead.first());
    }

    @Override
    public int hlistNext(int n) {
        return hn(nodes[n].hnode.next());
    }

    @Override
    public int hlistValidate(int head) {
        return HeapHList.validate(nodes[head].hhead, capacity);
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "heap";
    }
}
