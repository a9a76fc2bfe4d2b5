package org.kfork.ds;

/**
 * The small test-side adapter through which one suite drives both implementations of the
 * containers: the off-heap one ({@link OffHeapVariant}) and the heap twin ({@link HeapVariant}).
 *
 * <p>Nodes are 200-byte {@code vm_area_struct}s named by an int handle in {@code [0, capacity)};
 * -1 stands for NULL. Handle {@code h + capacity/2} is the clone of {@code h}. Trees: {@code which}
 * 0 is the tree under test, 1 the clone. {@code shared} picks the interval-tree node
 * ({@code shared.rb}) instead of {@code vm_rb}. Lists use the handles' {@code list_head} and
 * {@code hlist_node}/{@code hlist_head} fields.
 */
interface Variant extends AutoCloseable {
    int capacity();

    /** Set vm_start, vm_end, vm_pgoff and clear all links of node h. */
    void setVma(int h, long start, long end, long pgoff);

    long vmStart(int h);

    long vmEnd(int h);

    long vmPgoff(int h);

    // ---- plain cached rb-tree over vm_rb keyed by vm_start (tree 0 or 1) ----
    void rbInsert(int h);

    void rbErase(int h);

    int rbFind(long key);

    int rbFirst();

    int rbFirstCached();

    int rbLast();

    int rbNext(int h);

    int rbPrev(int h);

    int rbFirstPostorder();

    int rbNextPostorder(int h);

    void rbReplace(int victim, int with);

    boolean rbEmptyRoot();

    boolean rbEmptyNode(int h);

    void rbClearNode(int h);

    /** Plain structural clone of tree 0 into tree 1 (node h maps to h + capacity/2). */
    void rbClone();

    int rbValidate(int which);

    // ---- augmented rb-tree over vm_rb (tree 0 or 1): the subtree maximum of vm_end - vm_start ----
    /** Insert h, keyed by vm_start, into augmented tree 0 (RbAugmented.insert, non-cached). */
    void augInsert(int h);

    void augErase(int h);

    /** The stored subtree maximum of h. */
    long augmented(int h);

    /** Validate tree {@code which} and every stored maximum; returns the node count. */
    int augValidate(int which);

    /** Augmented structural clone of tree 0 into tree 1. */
    void augClone();

    // ---- shape access for either tree ----
    int root(int which, boolean shared);

    int left(int h, boolean shared);

    int right(int h, boolean shared);

    boolean black(int h, boolean shared);

    // ---- interval tree over shared.rb in an rb_root_cached ----
    void itInsert(int h);

    void itInsertAfter(int h, int prev);

    void itRemove(int h);

    int itFirst(long start, long last);

    int itNext(int h, long start, long last);

    long subtreeLast(int h);

    int itValidate(int which);

    void itClone();

    // ---- list_head (heads are ordinary handles' list fields) ----
    void listInit(int h);

    void listAdd(int e, int head);

    void listAddTail(int e, int head);

    void listAddRcu(int e, int head);

    void listDel(int e);

    void listDelRcu(int e);

    void listDelInit(int e);

    void listMoveTail(int e, int head);

    void listSpliceInit(int list, int head);

    boolean listEmpty(int head);

    int listNext(int h);

    int listPrev(int h);

    int listValidate(int head);

    // ---- hlist ----
    void hlistInitHead(int h);

    void hlistInitNode(int h);

    void hlistAddHead(int n, int head);

    void hlistDelInit(int n);

    boolean hlistEmpty(int head);

    boolean hlistUnhashed(int n);

    int hlistFirst(int head);

    int hlistNext(int n);

    int hlistValidate(int head);

    @Override
    void close();
}
