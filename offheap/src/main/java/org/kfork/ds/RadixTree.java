package org.kfork.ds;

import static org.kfork.ds.Idr.XA_FLAGS;
import static org.kfork.ds.Idr.XA_HEAD;
import static org.kfork.lib.IdrRules.IDR_FREE;
import static org.kfork.lib.IdrRules.IDR_MAX_PATH;
import static org.kfork.lib.IdrRules.RADIX_TREE_INTERNAL_NODE;
import static org.kfork.lib.IdrRules.RADIX_TREE_MAP_MASK;
import static org.kfork.lib.IdrRules.RADIX_TREE_MAP_SHIFT;
import static org.kfork.lib.IdrRules.RADIX_TREE_MAP_SIZE;
import static org.kfork.lib.IdrRules.ROOT_IS_IDR;
import static org.kfork.lib.IdrRules.ROOT_TAG_SHIFT;
import static org.kfork.lib.IdrRules.XA_MAX_MARKS;
import static org.kfork.lib.IdrRules.isInternal;
import static org.kfork.lib.IdrRules.isValue;
import static org.kfork.lib.IdrRules.shiftMaxindex;
import static org.kfork.machine.Mem.getByte;
import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.getLongAcquire;
import static org.kfork.machine.Mem.putByte;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.machine.Mem.putLongRelease;
import static org.kfork.uapi.Errno.ENOMEM;
import static org.kfork.uapi.Errno.ENOSPC;

import org.kfork.machine.Kasan;

/**
 * The part of 5.12's lib/radix-tree.c that the IDR runs on, for radix trees whose root has
 * ROOT_IS_IDR: node allocation, tags, growing (radix_tree_extend) and shrinking
 * (radix_tree_shrink, delete_node), lookup, replace, delete, the untagged chunk walk, and
 * idr_get_free, which 5.12 keeps in this file too. {@link Idr} is the API; the invariants are in
 * its class comment and {@link #validate} checks them.
 *
 * <p>A slot is named by (node, offset), node 0 meaning {@code root->xa_head}: where 5.12 passes
 * a {@code void **slot}, this passes the pair, as the heap twin must. {@code root} is the address
 * of the {@code struct xarray} ({@code idr->idr_rt}).
 */
final class RadixTree {
    private final Idr.NodeAllocator nodes;

    RadixTree(Idr.NodeAllocator nodes) {
        this.nodes = nodes;
    }

    // ---------------------------------------------------------------------------------------
    // Node fields and tags
    // ---------------------------------------------------------------------------------------

    /** A slot reference: (node, offset), node 0 meaning root->xa_head. Returned when there is none. */
    static final long NO_SLOT = 1;

    static long entryToNode(long entry) {
        return entry & ~RADIX_TREE_INTERNAL_NODE;
    }

    static long nodeToEntry(long node) {
        return node | RADIX_TREE_INTERNAL_NODE;
    }

    static int shift(long node) {
        return getByte(node + XaNode.SHIFT) & 0xff;
    }

    static int offsetInParent(long node) {
        return getByte(node + XaNode.OFFSET) & 0xff;
    }

    static int count(long node) {
        return getByte(node + XaNode.COUNT) & 0xff;
    }

    private static void addCount(long node, int delta) {
        putByte(node + XaNode.COUNT, (byte) (count(node) + delta));
    }

    static int nrValues(long node) {
        return getByte(node + XaNode.NR_VALUES) & 0xff;
    }

    static long parent(long node) {
        return getLong(node + XaNode.PARENT);
    }

    static long slot(long node, int offset) {
        return node + XaNode.SLOTS + ((long) offset << 3);
    }

    static long slotAddr(long root, long node, int offset) {
        return node == 0 ? root + XA_HEAD : slot(node, offset);
    }

    /** The slot {@code index} falls in, in the node that {@link #radixTreeLookupNode} returned. */
    static int slotOffset(long node, long index) {
        return node == 0 ? 0 : (int) (index >>> shift(node)) & RADIX_TREE_MAP_MASK;
    }

    static long tags(long node, int tag) {
        return getLong(node + XaNode.TAGS + ((long) tag << 3));
    }

    private static void setTags(long node, int tag, long word) {
        putLong(node + XaNode.TAGS + ((long) tag << 3), word);
    }

    private static boolean tagGet(long node, int tag, int offset) {
        return (tags(node, tag) >>> offset & 1) != 0;
    }

    private static void tagSet(long node, int tag, int offset) {
        setTags(node, tag, tags(node, tag) | 1L << offset);
    }

    private static void tagClear(long node, int tag, int offset) {
        setTags(node, tag, tags(node, tag) & ~(1L << offset));
    }

    private static boolean anyTagSet(long node, int tag) {
        return tags(node, tag) != 0;
    }

    private static void allTagSet(long node, int tag) {
        setTags(node, tag, -1L);
    }

    static boolean rootTagGet(long root, int tag) {
        return (getInt(root + XA_FLAGS) & 1 << (tag + ROOT_TAG_SHIFT)) != 0;
    }

    static void rootTagSet(long root, int tag) {
        putInt(root + XA_FLAGS, getInt(root + XA_FLAGS) | 1 << (tag + ROOT_TAG_SHIFT));
    }

    private static void rootTagClear(long root, int tag) {
        putInt(root + XA_FLAGS, getInt(root + XA_FLAGS) & ~(1 << (tag + ROOT_TAG_SHIFT)));
    }

    static boolean nodeTagGet(long root, long node, int tag, int offset) {
        return node != 0 ? tagGet(node, tag, offset) : rootTagGet(root, tag);
    }

    /** radix_tree_find_next_bit: the first tagged slot at or after {@code offset}, or 64. */
    private static int findNextBit(long node, int tag, int offset) {
        if (offset < RADIX_TREE_MAP_SIZE) {
            final long rest = tags(node, tag) >>> offset;
            if (rest != 0) {
                return Long.numberOfTrailingZeros(rest) + offset;
            }
        }
        return RADIX_TREE_MAP_SIZE;
    }

    private static long nodeMaxindex(long node) {
        return shiftMaxindex(shift(node));
    }

    /** next_index: the first index of slot {@code offset} of {@code node}, on the path of {@code index}. */
    private static long nextIndex(long index, long node, int offset) {
        return (index & ~nodeMaxindex(node)) + ((long) offset << shift(node));
    }

    /** node_tag_set: tags the slot and every ancestor up to the first already tagged, or the root. */
    private static void nodeTagSet(long root, long node, int tag, int offset) {
        while (node != 0) {
            if (tagGet(node, tag, offset)) {
                return;
            }
            tagSet(node, tag, offset);
            offset = offsetInParent(node);
            node = parent(node);
        }
        if (!rootTagGet(root, tag)) {
            rootTagSet(root, tag);
        }
    }

    /** node_tag_clear: clears the slot's tag, and each ancestor's while a node is left with none. */
    private static void nodeTagClear(long root, long node, int tag, int offset) {
        while (node != 0) {
            if (!tagGet(node, tag, offset)) {
                return;
            }
            tagClear(node, tag, offset);
            if (anyTagSet(node, tag)) {
                return;
            }
            offset = offsetInParent(node);
            node = parent(node);
        }
        if (rootTagGet(root, tag)) {
            rootTagClear(root, tag);
        }
    }

    // ---------------------------------------------------------------------------------------
    // lib/radix-tree.c: nodes, growing and shrinking
    // ---------------------------------------------------------------------------------------

    /** radix_tree_node_alloc: a node with its header set, or 0. */
    private long radixTreeNodeAlloc(long parent, long root, int shift, int offset, int count, int nrValues) {
        final long node = nodes.allocNode();
        if (node == 0) {
            return 0;
        }
        if (Kasan.ENABLED) {
            checkZeroed(node);
        }
        putByte(node + XaNode.SHIFT, (byte) shift);
        putByte(node + XaNode.OFFSET, (byte) offset);
        putByte(node + XaNode.COUNT, (byte) count);
        putByte(node + XaNode.NR_VALUES, (byte) nrValues);
        putLong(node + XaNode.PARENT, parent);
        putLong(node + XaNode.ARRAY, root);
        // What the cache's constructor (radix_tree_node_ctor) leaves: an empty private_list.
        putLong(node + XaNode.PRIVATE_LIST, node + XaNode.PRIVATE_LIST);
        putLong(node + XaNode.PRIVATE_LIST + 8, node + XaNode.PRIVATE_LIST);
        return node;
    }

    private static void checkZeroed(long node) {
        for (long off = XaNode.SLOTS; off < XaNode.SIZEOF; off += 8) {
            if (getLong(node + off) != 0) {
                throw new IllegalStateException(String.format(
                    "radix_tree_node allocator returned node 0x%x with a non-zero slot or tag at +%d", node, off));
            }
        }
    }

    /** radix_tree_node_free: back to the allocator (which defers it past readers, if it has any). */
    private void radixTreeNodeFree(long node) {
        nodes.freeNode(node);
    }

    /**
     * radix_tree_extend for an IDR: adds levels on top until {@code index} fits; a tree with no
     * node gets none (the descent builds it). Returns the new height in bits, or -ENOMEM after
     * taking back the levels it added.
     */
    private int radixTreeExtend(long root, long index, int shift) {
        int maxshift = shift;
        while (index > shiftMaxindex(maxshift)) {
            maxshift += RADIX_TREE_MAP_SHIFT;
        }
        final long head = getLong(root + XA_HEAD);
        long entry = head;
        if (entry == 0 && rootTagGet(root, IDR_FREE)) {
            return maxshift + RADIX_TREE_MAP_SHIFT;
        }
        final boolean rootWasFree = rootTagGet(root, IDR_FREE);
        do {
            final long node = radixTreeNodeAlloc(0, root, shift, 0, 1, 0);
            if (node == 0) {
                undoExtend(root, head, rootWasFree);
                return -ENOMEM;
            }
            // Every slot but the old tree's is empty, so free; the old tree's tag is the root's.
            allTagSet(node, IDR_FREE);
            if (!rootTagGet(root, IDR_FREE)) {
                tagClear(node, IDR_FREE, 0);
                rootTagSet(root, IDR_FREE);
            }
            if (isInternal(entry)) {
                putLong(entryToNode(entry) + XaNode.PARENT, node);
            } else if (isValue(entry)) {
                putByte(node + XaNode.NR_VALUES, (byte) 1);
            }
            putLong(slot(node, 0), entry);
            entry = nodeToEntry(node);
            putLongRelease(root + XA_HEAD, entry);
            shift += RADIX_TREE_MAP_SHIFT;
        } while (shift <= maxshift);
        return maxshift + RADIX_TREE_MAP_SHIFT;
    }

    /** Takes back the levels radixTreeExtend put above {@code oldHead}: the head and root tag as they were. */
    private void undoExtend(long root, long oldHead, boolean rootWasFree) {
        long entry = getLong(root + XA_HEAD);
        if (entry == oldHead) {
            return;
        }
        putLongRelease(root + XA_HEAD, oldHead);
        if (isInternal(oldHead)) {
            putLong(entryToNode(oldHead) + XaNode.PARENT, 0);
        }
        if (!rootWasFree) {
            rootTagClear(root, IDR_FREE);
        }
        while (entry != oldHead) {
            final long node = entryToNode(entry);
            entry = getLong(slot(node, 0));
            radixTreeNodeFree(node);
        }
    }

    /**
     * radix_tree_shrink: while the head is an inner node with one child, in slot 0, that child
     * becomes the head. An IDR never shrinks a leaf into the head, and so never leaves the retry
     * entry 5.12 writes into a shrunk leaf's slot.
     */
    private boolean radixTreeShrink(long root) {
        boolean shrunk = false;
        for (;;) {
            final long head = getLong(root + XA_HEAD);
            if (!isInternal(head)) {
                break;
            }
            final long node = entryToNode(head);
            if (count(node) != 1) {
                break;
            }
            final long child = getLong(slot(node, 0));
            if (child == 0 || shift(node) == 0) {
                break;
            }
            if (isInternal(child)) {
                putLong(entryToNode(child) + XaNode.PARENT, 0);
            }
            putLongRelease(root + XA_HEAD, child);
            if (!tagGet(node, IDR_FREE, 0)) {
                rootTagClear(root, IDR_FREE);
            }
            putByte(node + XaNode.COUNT, (byte) 0);
            radixTreeNodeFree(node);
            shrunk = true;
        }
        return shrunk;
    }

    /** delete_node: frees {@code node} and its ancestors while they are empty, then shrinks. */
    private boolean deleteNode(long root, long node) {
        boolean deleted = false;
        do {
            if (count(node) != 0) {
                if (nodeToEntry(node) == getLong(root + XA_HEAD)) {
                    deleted |= radixTreeShrink(root);
                }
                return deleted;
            }
            final long parent = parent(node);
            if (parent != 0) {
                putLongRelease(slot(parent, offsetInParent(node)), 0);
                addCount(parent, -1);
            } else {
                // An IDR keeps its root tags: the now empty tree is all free.
                putLongRelease(root + XA_HEAD, 0);
            }
            radixTreeNodeFree(node);
            deleted = true;
            node = parent;
        } while (node != 0);
        return deleted;
    }

    /** radix_tree_free_nodes: frees a whole subtree, children before parents, without unlinking. */
    void radixTreeFreeNodes(long top) {
        final long first = entryToNode(top);
        long child = first;
        int offset = 0;
        for (;;) {
            final long entry = getLong(slot(child, offset));
            if (isInternal(entry) && shift(child) != 0) {
                child = entryToNode(entry);
                offset = 0;
                continue;
            }
            offset++;
            while (offset == RADIX_TREE_MAP_SIZE) {
                final long old = child;
                offset = offsetInParent(child) + 1;
                child = parent(child);
                radixTreeNodeFree(old);
                if (old == first) {
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // lib/radix-tree.c: lookup, replace, delete, iterate, and the IDR's free-slot search
    // ---------------------------------------------------------------------------------------

    /**
     * radix_tree_lookup: the entry at {@code index} (NULL when free or beyond the tree), with the
     * acquire loads of a reader that may run alongside a writer.
     */
    static long radixTreeLookup(long root, long index) {
        long entry = getLongAcquire(root + XA_HEAD);
        if (!isInternal(entry)) {
            return index == 0 ? entry : 0;
        }
        long node = entryToNode(entry);
        if (Long.compareUnsigned(index, nodeMaxindex(node)) > 0) {
            return 0;
        }
        for (;;) {
            final int shift = shift(node);
            entry = getLongAcquire(slot(node, (int) (index >>> shift) & RADIX_TREE_MAP_MASK));
            if (shift == 0 || !isInternal(entry)) {
                return entry;
            }
            node = entryToNode(entry);
        }
    }

    /**
     * __radix_tree_lookup, for writers: the node whose slot {@code index} ends in (a leaf, or an
     * inner node with an empty slot on the path; 0 for xa_head), or {@link #NO_SLOT} when the
     * index is beyond the tree. {@link #slotOffset} gives the slot.
     */
    static long radixTreeLookupNode(long root, long index) {
        final long head = getLong(root + XA_HEAD);
        if (!isInternal(head)) {
            return index == 0 ? 0 : NO_SLOT;
        }
        long node = entryToNode(head);
        if (Long.compareUnsigned(index, nodeMaxindex(node)) > 0) {
            return NO_SLOT;
        }
        for (;;) {
            final int shift = shift(node);
            final long entry = getLong(slot(node, (int) (index >>> shift) & RADIX_TREE_MAP_MASK));
            if (shift == 0 || !isInternal(entry)) {
                return node;
            }
            node = entryToNode(entry);
        }
    }

    /**
     * __radix_tree_replace: stores {@code item} in slot (node, offset), keeping count and
     * nr_values (calculate_count: an IDR counts a slot once it is allocated, NULL or not).
     */
    void radixTreeReplace(long root, long node, int offset, long item) {
        final long slot = slotAddr(root, node, offset);
        final long old = getLong(slot);
        final int values = (isValue(item) ? 1 : 0) - (isValue(old) ? 1 : 0);
        int count = 0;
        if (nodeTagGet(root, node, IDR_FREE, offset)) {
            count = old == 0 ? 1 : (item != 0 ? 1 : 0) - 1;
        }
        replaceSlot(slot, item, node, count, values);
        if (node != 0) {
            deleteNode(root, node);
        }
    }

    /** replace_slot. */
    private static void replaceSlot(long slot, long item, long node, int count, int values) {
        if (node != 0 && (count != 0 || values != 0)) {
            addCount(node, count);
            putByte(node + XaNode.NR_VALUES, (byte) (nrValues(node) + values));
        }
        putLongRelease(slot, item);
    }

    /** radix_tree_delete_item(root, index, NULL) for an IDR: frees the id and returns its entry. */
    long radixTreeDeleteItem(long root, long index) {
        final long node = radixTreeLookupNode(root, index);
        if (node == NO_SLOT) {
            return 0;
        }
        final int offset = slotOffset(node, index);
        final long entry = getLong(slotAddr(root, node, offset));
        if (entry == 0 && nodeTagGet(root, node, IDR_FREE, offset)) {
            return 0;
        }
        radixTreeDelete(root, node, offset);
        return entry;
    }

    /** __radix_tree_delete for an IDR: the slot becomes free (tagged) and empty. */
    private boolean radixTreeDelete(long root, long node, int offset) {
        final long slot = slotAddr(root, node, offset);
        final int values = isValue(getLong(slot)) ? -1 : 0;
        nodeTagSet(root, node, IDR_FREE, offset);
        replaceSlot(slot, 0, node, -1, values);
        return node != 0 && deleteNode(root, node);
    }

    /**
     * radix_tree_next_chunk without tags, as idr_get_next_ul's radix_tree_for_each_slot calls it:
     * the lowest index at or above {@code index} whose slot is not empty, or -1. Its slot always
     * holds a pointer, not NULL and not internal, so the loop in idr_get_next_ul ends at once.
     */
    static long radixTreeNextChunk(long root, long index) {
        restart:
        for (;;) {
            final long head = getLongAcquire(root + XA_HEAD);
            if (head == 0) {
                return -1;
            }
            if (!isInternal(head)) {
                return index == 0 ? 0 : -1;
            }
            long child = head;
            long node;
            int offset;
            if (Long.compareUnsigned(index, nodeMaxindex(entryToNode(head))) > 0) {
                return -1;
            }
            do {
                node = entryToNode(child);
                final int shift = shift(node);
                offset = (int) (index >>> shift) & RADIX_TREE_MAP_MASK;
                child = getLongAcquire(slot(node, offset));
                if (child == 0) {
                    // A hole: the next non-empty slot of this node, else on to the next node's range.
                    while (++offset < RADIX_TREE_MAP_SIZE) {
                        if (getLongAcquire(slot(node, offset)) != 0) {
                            break;
                        }
                    }
                    index &= ~nodeMaxindex(node);
                    index += (long) offset << shift;
                    if (index == 0) {
                        return -1;
                    }
                    if (offset == RADIX_TREE_MAP_SIZE) {
                        continue restart;
                    }
                    child = getLongAcquire(slot(node, offset));
                    if (child == 0) {
                        continue restart;  // emptied by a writer since we looked
                    }
                }
            } while (shift(node) != 0 && isInternal(child));
            return (index & ~nodeMaxindex(node)) | offset;
        }
    }

    /**
     * idr_get_free, together with the store and tag clear that idr_alloc_u32 does on its result
     * (a Java method cannot hand back a slot): finds the lowest free index in {@code [start, max]},
     * growing the tree and adding nodes on the way, stores {@code ptr} there and returns the index.
     * Returns -ENOSPC, or -ENOMEM after unlinking and freeing every node this call added.
     */
    long idrGetFree(long root, long start, long max, long ptr) {
        long node = 0;
        int offset = 0;
        long error = 0;
        // What this call linked in, to take back on failure.
        long headBefore = 0;
        boolean rootWasFree = false;
        boolean extended = false;
        long chainParent = 0;
        int chainOffset = 0;
        long chainTop = 0;
        grow:
        for (;;) {
            final long head = getLong(root + XA_HEAD);
            long child = head;
            long maxindex = 0;
            int shift = 0;
            if (isInternal(head)) {
                maxindex = nodeMaxindex(entryToNode(head));
                shift = shift(entryToNode(head)) + RADIX_TREE_MAP_SHIFT;
            }
            if (!rootTagGet(root, IDR_FREE)) {
                start = Math.max(start, maxindex + 1);
            }
            if (start > max) {
                error = -ENOSPC;
                break;
            }
            if (start > maxindex) {
                if (!extended) {
                    headBefore = head;
                    rootWasFree = rootTagGet(root, IDR_FREE);
                }
                final int height = radixTreeExtend(root, start, shift);
                if (height < 0) {
                    error = height;
                    break;
                }
                shift = height;
                child = getLong(root + XA_HEAD);
                extended |= child != head;
            }
            if (start == 0 && shift == 0) {
                shift = RADIX_TREE_MAP_SHIFT;  // id 0 goes in a leaf, never in xa_head
            }
            while (shift > 0) {
                shift -= RADIX_TREE_MAP_SHIFT;
                if (child == 0) {
                    child = radixTreeNodeAlloc(node, root, shift, offset, 0, 0);
                    if (child == 0) {
                        error = -ENOMEM;
                        break grow;
                    }
                    allTagSet(child, IDR_FREE);
                    if (chainTop == 0) {
                        // Below a new node every level is new: what this call adds is one chain.
                        chainTop = child;
                        chainParent = node;
                        chainOffset = offset;
                    }
                    putLongRelease(slotAddr(root, node, offset), nodeToEntry(child));
                    if (node != 0) {
                        addCount(node, 1);
                    }
                } else if (!isInternal(child)) {
                    break;
                }
                node = entryToNode(child);
                offset = (int) (start >>> shift(node)) & RADIX_TREE_MAP_MASK;
                child = getLong(slot(node, offset));
                if (!tagGet(node, IDR_FREE, offset)) {
                    // Taken: the next free slot here, or climb to the next free one above.
                    offset = findNextBit(node, IDR_FREE, offset + 1);
                    start = nextIndex(start, node, offset);
                    if (start > max || start == 0) {
                        error = -ENOSPC;
                        break grow;
                    }
                    while (offset == RADIX_TREE_MAP_SIZE) {
                        offset = offsetInParent(node) + 1;
                        node = parent(node);
                        if (node == 0) {
                            continue grow;
                        }
                        shift = shift(node);
                    }
                    child = getLong(slot(node, offset));
                }
            }
            // idr_alloc_u32: radix_tree_iter_replace, then radix_tree_iter_tag_clear.
            radixTreeReplace(root, node, offset, ptr);
            nodeTagClear(root, node, IDR_FREE, offset);
            return start;
        }
        // Only a failed allocation can follow additions (new nodes are all free, so the search
        // never moves on from them), but whatever was added goes back.
        undoGetFree(root, start, chainParent, chainOffset, chainTop, extended, headBefore, rootWasFree);
        return error;
    }

    /** Unlinks and frees what a failed idrGetFree added: its descent chain, then its new levels. */
    private void undoGetFree(long root, long index, long chainParent, int chainOffset, long chainTop,
                             boolean extended, long headBefore, boolean rootWasFree) {
        if (chainTop != 0) {
            putLongRelease(slotAddr(root, chainParent, chainOffset), 0);
            if (chainParent != 0) {
                addCount(chainParent, -1);
            }
            long node = chainTop;
            while (node != 0) {
                final int shift = shift(node);
                final long entry = shift == 0 ? 0 : getLong(slot(node, (int) (index >>> shift) & RADIX_TREE_MAP_MASK));
                radixTreeNodeFree(node);
                node = entry == 0 ? 0 : entryToNode(entry);
            }
        }
        if (extended) {
            undoExtend(root, headBefore, rootWasFree);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Checking
    // ---------------------------------------------------------------------------------------

    /**
     * Checks every invariant of the IDR (listed in {@link Idr}'s class comment), throwing
     * IllegalStateException naming the first one broken.
     *
     * @return the number of ids allocated (NULL entries included)
     */
    static long validate(long root) {
        final int flags = getInt(root + XA_FLAGS);
        if ((flags & ROOT_IS_IDR) == 0) {
            throw broken("xa_flags 0x%x lacks ROOT_IS_IDR", flags);
        }
        if ((flags >>> ROOT_TAG_SHIFT & ~(1 << IDR_FREE)) != 0) {
            throw broken("xa_flags 0x%x has a root tag other than IDR_FREE", flags);
        }
        final long head = getLong(root + XA_HEAD);
        final boolean rootFree = rootTagGet(root, IDR_FREE);
        if (head == 0) {
            if (!rootFree) {
                throw broken("an empty IDR without the root IDR_FREE tag");
            }
            return 0;
        }
        if (!isInternal(head)) {
            throw broken("xa_head 0x%x is an entry, not a node", head);
        }
        final long top = entryToNode(head);
        if (parent(top) != 0 || offsetInParent(top) != 0) {
            throw broken("head node 0x%x has a parent or an offset", top);
        }
        if (rootFree != anyTagSet(top, IDR_FREE)) {
            throw broken("root IDR_FREE tag %s, head's tags 0x%x", rootFree, tags(top, IDR_FREE));
        }
        if (shift(top) != 0 && count(top) == 1 && getLong(slot(top, 0)) != 0) {
            throw broken("head node 0x%x (shift %d) has one child, in slot 0: the tree should have shrunk", top, shift(top));
        }
        return validateNode(root, top);
    }

    private static long validateNode(long root, long node) {
        final int shift = shift(node);
        if (shift % RADIX_TREE_MAP_SHIFT != 0 || shift > RADIX_TREE_MAP_SHIFT * (IDR_MAX_PATH - 1)) {
            throw broken("node 0x%x has shift %d", node, shift);
        }
        if (getLong(node + XaNode.ARRAY) != root) {
            throw broken("node 0x%x belongs to array 0x%x", node, getLong(node + XaNode.ARRAY));
        }
        if (getLong(node + XaNode.PRIVATE_LIST) != node + XaNode.PRIVATE_LIST) {
            throw broken("node 0x%x has a non-empty private_list", node);
        }
        for (int tag = 0; tag < XA_MAX_MARKS; tag++) {
            if (tag != IDR_FREE && tags(node, tag) != 0) {
                throw broken("node 0x%x has tag %d set", node, tag);
            }
        }
        long ids = 0;
        int used = 0;
        int values = 0;
        for (int i = 0; i < RADIX_TREE_MAP_SIZE; i++) {
            final long entry = getLong(slot(node, i));
            final boolean free = tagGet(node, IDR_FREE, i);
            if (shift == 0) {
                if (isInternal(entry)) {
                    throw broken("leaf 0x%x slot %d holds internal entry 0x%x", node, i, entry);
                }
                if (entry != 0 && free) {
                    throw broken("leaf 0x%x slot %d holds 0x%x but is tagged free", node, i, entry);
                }
                if (!free) {
                    used++;
                    ids++;
                }
                if (isValue(entry)) {
                    values++;
                }
            } else if (entry == 0) {
                if (!free) {
                    throw broken("node 0x%x slot %d is empty but not tagged free", node, i);
                }
            } else {
                if (!isInternal(entry)) {
                    throw broken("node 0x%x (shift %d) slot %d holds entry 0x%x, not a node", node, shift, i, entry);
                }
                final long child = entryToNode(entry);
                if (parent(child) != node || offsetInParent(child) != i) {
                    throw broken("node 0x%x: child 0x%x in slot %d has parent 0x%x, offset %d",
                        node, child, i, parent(child), offsetInParent(child));
                }
                if (shift(child) != shift - RADIX_TREE_MAP_SHIFT) {
                    throw broken("node 0x%x (shift %d): child 0x%x has shift %d", node, shift, child, shift(child));
                }
                if (free != anyTagSet(child, IDR_FREE)) {
                    throw broken("node 0x%x slot %d tagged %s, child's tags 0x%x", node, i, free, tags(child, IDR_FREE));
                }
                used++;
                ids += validateNode(root, child);
            }
        }
        if (count(node) != used) {
            throw broken("node 0x%x (shift %d) has count %d, holds %d", node, shift, count(node), used);
        }
        if (used == 0) {
            throw broken("node 0x%x (shift %d) is empty but still in the tree", node, shift);
        }
        if (nrValues(node) != values) {
            throw broken("node 0x%x has nr_values %d, holds %d", node, nrValues(node), values);
        }
        return ids;
    }

    /** The exception naming a broken invariant (formatted only when something is broken). */
    private static IllegalStateException broken(String format, Object... args) {
        return new IllegalStateException("idr: " + String.format(format, args));
    }
}
