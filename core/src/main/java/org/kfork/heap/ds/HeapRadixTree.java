package org.kfork.heap.ds;

import static org.kfork.lib.IdrRules.IDR_FREE;
import static org.kfork.lib.IdrRules.IDR_MAX_PATH;
import static org.kfork.lib.IdrRules.RADIX_TREE_MAP_MASK;
import static org.kfork.lib.IdrRules.RADIX_TREE_MAP_SHIFT;
import static org.kfork.lib.IdrRules.RADIX_TREE_MAP_SIZE;
import static org.kfork.lib.IdrRules.ROOT_IS_IDR;
import static org.kfork.lib.IdrRules.ROOT_TAG_SHIFT;
import static org.kfork.lib.IdrRules.XA_MAX_MARKS;
import static org.kfork.lib.IdrRules.shiftMaxindex;
import static org.kfork.uapi.Errno.ENOMEM;
import static org.kfork.uapi.Errno.ENOSPC;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The heap twin of {@code org.kfork.ds.RadixTree}: the part of 5.12's lib/radix-tree.c that the
 * IDR runs on, over {@link HeapXaNode}s, method for method and step for step. A slot is named by
 * (node, offset), node null meaning the root's head. Where the off-heap tree tests an entry's low
 * bits for an internal entry, this tests {@code instanceof HeapXaNode}; where it stores and loads
 * with release and acquire, so does this, through VarHandles on the slot arrays and the head.
 * There are no value entries on the heap, so nr_values stays 0.
 */
final class HeapRadixTree {
    /** The slot reference returned when an index lies beyond the tree. */
    static final HeapXaNode NO_SLOT = new HeapXaNode();

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(HeapIdrRoot.class, "xaHead", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final HeapIdr.NodeAllocator nodes;

    HeapRadixTree(HeapIdr.NodeAllocator nodes) {
        this.nodes = nodes;
    }

    // ---------------------------------------------------------------------------------------
    // Node fields and tags
    // ---------------------------------------------------------------------------------------

    static boolean isNode(Object entry) {
        return entry instanceof HeapXaNode;
    }

    static Object head(HeapIdrRoot<?> root) {
        return HEAD.getAcquire(root);
    }

    static void setHead(HeapIdrRoot<?> root, Object entry) {
        HEAD.setRelease(root, entry);
    }

    private static Object slotAcquire(HeapXaNode node, int offset) {
        return SLOTS.getAcquire(node.slots, offset);
    }

    private static void setSlot(HeapIdrRoot<?> root, HeapXaNode node, int offset, Object item) {
        if (node == null) {
            setHead(root, item);
        } else {
            SLOTS.setRelease(node.slots, offset, item);
        }
    }

    static Object getSlot(HeapIdrRoot<?> root, HeapXaNode node, int offset) {
        return node == null ? root.xaHead : node.slots[offset];
    }

    /** The slot {@code index} falls in, in the node that {@link #radixTreeLookupNode} returned. */
    static int slotOffset(HeapXaNode node, long index) {
        return node == null ? 0 : (int) (index >>> node.shift) & RADIX_TREE_MAP_MASK;
    }

    private static boolean tagGet(HeapXaNode node, int tag, int offset) {
        return (node.tags[tag] >>> offset & 1) != 0;
    }

    private static void tagSet(HeapXaNode node, int tag, int offset) {
        node.tags[tag] |= 1L << offset;
    }

    private static void tagClear(HeapXaNode node, int tag, int offset) {
        node.tags[tag] &= ~(1L << offset);
    }

    private static boolean anyTagSet(HeapXaNode node, int tag) {
        return node.tags[tag] != 0;
    }

    private static void allTagSet(HeapXaNode node, int tag) {
        node.tags[tag] = -1L;
    }

    static boolean rootTagGet(HeapIdrRoot<?> root, int tag) {
        return (root.xaFlags & 1 << (tag + ROOT_TAG_SHIFT)) != 0;
    }

    static void rootTagSet(HeapIdrRoot<?> root, int tag) {
        root.xaFlags |= 1 << (tag + ROOT_TAG_SHIFT);
    }

    private static void rootTagClear(HeapIdrRoot<?> root, int tag) {
        root.xaFlags &= ~(1 << (tag + ROOT_TAG_SHIFT));
    }

    static boolean nodeTagGet(HeapIdrRoot<?> root, HeapXaNode node, int tag, int offset) {
        return node != null ? tagGet(node, tag, offset) : rootTagGet(root, tag);
    }

    /** radix_tree_find_next_bit. */
    private static int findNextBit(HeapXaNode node, int tag, int offset) {
        if (offset < RADIX_TREE_MAP_SIZE) {
            final long rest = node.tags[tag] >>> offset;
            if (rest != 0) {
                return Long.numberOfTrailingZeros(rest) + offset;
            }
        }
        return RADIX_TREE_MAP_SIZE;
    }

    private static long nodeMaxindex(HeapXaNode node) {
        return shiftMaxindex(node.shift);
    }

    /** next_index. */
    private static long nextIndex(long index, HeapXaNode node, int offset) {
        return (index & ~nodeMaxindex(node)) + ((long) offset << node.shift);
    }

    /** node_tag_set. */
    private static void nodeTagSet(HeapIdrRoot<?> root, HeapXaNode node, int tag, int offset) {
        while (node != null) {
            if (tagGet(node, tag, offset)) {
                return;
            }
            tagSet(node, tag, offset);
            offset = node.offset;
            node = node.parent;
        }
        if (!rootTagGet(root, tag)) {
            rootTagSet(root, tag);
        }
    }

    /** node_tag_clear. */
    private static void nodeTagClear(HeapIdrRoot<?> root, HeapXaNode node, int tag, int offset) {
        while (node != null) {
            if (!tagGet(node, tag, offset)) {
                return;
            }
            tagClear(node, tag, offset);
            if (anyTagSet(node, tag)) {
                return;
            }
            offset = node.offset;
            node = node.parent;
        }
        if (rootTagGet(root, tag)) {
            rootTagClear(root, tag);
        }
    }

    // ---------------------------------------------------------------------------------------
    // lib/radix-tree.c: nodes, growing and shrinking
    // ---------------------------------------------------------------------------------------

    /** radix_tree_node_alloc. */
    private HeapXaNode radixTreeNodeAlloc(HeapXaNode parent, HeapIdrRoot<?> root, int shift, int offset,
                                          int count, int nrValues) {
        final HeapXaNode node = nodes.allocNode();
        if (node == null) {
            return null;
        }
        node.shift = shift;
        node.offset = offset;
        node.count = count;
        node.nrValues = nrValues;
        node.parent = parent;
        node.array = root;
        return node;
    }

    /** radix_tree_node_free. */
    private void radixTreeNodeFree(HeapXaNode node) {
        nodes.freeNode(node);
    }

    /** radix_tree_extend for an IDR; -ENOMEM after taking back the levels it added. */
    private int radixTreeExtend(HeapIdrRoot<?> root, long index, int shift) {
        int maxshift = shift;
        while (index > shiftMaxindex(maxshift)) {
            maxshift += RADIX_TREE_MAP_SHIFT;
        }
        final Object head = root.xaHead;
        Object entry = head;
        if (entry == null && rootTagGet(root, IDR_FREE)) {
            return maxshift + RADIX_TREE_MAP_SHIFT;
        }
        final boolean rootWasFree = rootTagGet(root, IDR_FREE);
        do {
            final HeapXaNode node = radixTreeNodeAlloc(null, root, shift, 0, 1, 0);
            if (node == null) {
                undoExtend(root, head, rootWasFree);
                return -ENOMEM;
            }
            allTagSet(node, IDR_FREE);
            if (!rootTagGet(root, IDR_FREE)) {
                tagClear(node, IDR_FREE, 0);
                rootTagSet(root, IDR_FREE);
            }
            if (isNode(entry)) {
                ((HeapXaNode) entry).parent = node;
            }
            node.slots[0] = entry;
            entry = node;
            setHead(root, entry);
            shift += RADIX_TREE_MAP_SHIFT;
        } while (shift <= maxshift);
        return maxshift + RADIX_TREE_MAP_SHIFT;
    }

    /** Takes back the levels radixTreeExtend put above {@code oldHead}. */
    private void undoExtend(HeapIdrRoot<?> root, Object oldHead, boolean rootWasFree) {
        Object entry = root.xaHead;
        if (entry == oldHead) {
            return;
        }
        setHead(root, oldHead);
        if (isNode(oldHead)) {
            ((HeapXaNode) oldHead).parent = null;
        }
        if (!rootWasFree) {
            rootTagClear(root, IDR_FREE);
        }
        while (entry != oldHead) {
            final HeapXaNode node = (HeapXaNode) entry;
            entry = node.slots[0];
            radixTreeNodeFree(node);
        }
    }

    /** radix_tree_shrink (never a leaf into the head, in an IDR). */
    private boolean radixTreeShrink(HeapIdrRoot<?> root) {
        boolean shrunk = false;
        for (;;) {
            final Object head = root.xaHead;
            if (!isNode(head)) {
                break;
            }
            final HeapXaNode node = (HeapXaNode) head;
            if (node.count != 1) {
                break;
            }
            final Object child = node.slots[0];
            if (child == null || node.shift == 0) {
                break;
            }
            if (isNode(child)) {
                ((HeapXaNode) child).parent = null;
            }
            setHead(root, child);
            if (!tagGet(node, IDR_FREE, 0)) {
                rootTagClear(root, IDR_FREE);
            }
            node.count = 0;
            radixTreeNodeFree(node);
            shrunk = true;
        }
        return shrunk;
    }

    /** delete_node. */
    private boolean deleteNode(HeapIdrRoot<?> root, HeapXaNode node) {
        boolean deleted = false;
        do {
            if (node.count != 0) {
                if (node == root.xaHead) {
                    deleted |= radixTreeShrink(root);
                }
                return deleted;
            }
            final HeapXaNode parent = node.parent;
            if (parent != null) {
                SLOTS.setRelease(parent.slots, node.offset, (Object) null);
                parent.count--;
            } else {
                setHead(root, null);
            }
            radixTreeNodeFree(node);
            deleted = true;
            node = parent;
        } while (node != null);
        return deleted;
    }

    /** radix_tree_free_nodes. */
    void radixTreeFreeNodes(HeapXaNode top) {
        HeapXaNode child = top;
        int offset = 0;
        for (;;) {
            final Object entry = child.slots[offset];
            if (isNode(entry) && child.shift != 0) {
                child = (HeapXaNode) entry;
                offset = 0;
                continue;
            }
            offset++;
            while (offset == RADIX_TREE_MAP_SIZE) {
                final HeapXaNode old = child;
                offset = child.offset + 1;
                child = child.parent;
                radixTreeNodeFree(old);
                if (old == top) {
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // lib/radix-tree.c: lookup, replace, delete, iterate, and the IDR's free-slot search
    // ---------------------------------------------------------------------------------------

    /** radix_tree_lookup, for readers. */
    static Object radixTreeLookup(HeapIdrRoot<?> root, long index) {
        Object entry = head(root);
        if (!isNode(entry)) {
            return index == 0 ? entry : null;
        }
        HeapXaNode node = (HeapXaNode) entry;
        if (Long.compareUnsigned(index, nodeMaxindex(node)) > 0) {
            return null;
        }
        for (;;) {
            final int shift = node.shift;
            entry = slotAcquire(node, (int) (index >>> shift) & RADIX_TREE_MAP_MASK);
            if (shift == 0 || !isNode(entry)) {
                return entry;
            }
            node = (HeapXaNode) entry;
        }
    }

    /** __radix_tree_lookup, for writers: the node holding the slot, null for the head, or NO_SLOT. */
    static HeapXaNode radixTreeLookupNode(HeapIdrRoot<?> root, long index) {
        final Object head = root.xaHead;
        if (!isNode(head)) {
            return index == 0 ? null : NO_SLOT;
        }
        HeapXaNode node = (HeapXaNode) head;
        if (Long.compareUnsigned(index, nodeMaxindex(node)) > 0) {
            return NO_SLOT;
        }
        for (;;) {
            final int shift = node.shift;
            final Object entry = node.slots[(int) (index >>> shift) & RADIX_TREE_MAP_MASK];
            if (shift == 0 || !isNode(entry)) {
                return node;
            }
            node = (HeapXaNode) entry;
        }
    }

    /** __radix_tree_replace (calculate_count for an IDR). */
    void radixTreeReplace(HeapIdrRoot<?> root, HeapXaNode node, int offset, Object item) {
        final Object old = getSlot(root, node, offset);
        int count = 0;
        if (nodeTagGet(root, node, IDR_FREE, offset)) {
            count = old == null ? 1 : (item != null ? 1 : 0) - 1;
        }
        replaceSlot(root, node, offset, item, count);
        if (node != null) {
            deleteNode(root, node);
        }
    }

    /** replace_slot (no value entries on the heap). */
    private static void replaceSlot(HeapIdrRoot<?> root, HeapXaNode node, int offset, Object item, int count) {
        if (node != null && count != 0) {
            node.count += count;
        }
        setSlot(root, node, offset, item);
    }

    /** radix_tree_delete_item(root, index, NULL) for an IDR. */
    Object radixTreeDeleteItem(HeapIdrRoot<?> root, long index) {
        final HeapXaNode node = radixTreeLookupNode(root, index);
        if (node == NO_SLOT) {
            return null;
        }
        final int offset = slotOffset(node, index);
        final Object entry = getSlot(root, node, offset);
        if (entry == null && nodeTagGet(root, node, IDR_FREE, offset)) {
            return null;
        }
        radixTreeDelete(root, node, offset);
        return entry;
    }

    /** __radix_tree_delete for an IDR. */
    private boolean radixTreeDelete(HeapIdrRoot<?> root, HeapXaNode node, int offset) {
        nodeTagSet(root, node, IDR_FREE, offset);
        replaceSlot(root, node, offset, null, -1);
        return node != null && deleteNode(root, node);
    }

    /** radix_tree_next_chunk without tags: the lowest index at or above {@code index} with a non-null slot, or -1. */
    static long radixTreeNextChunk(HeapIdrRoot<?> root, long index) {
        restart:
        for (;;) {
            final Object head = head(root);
            if (head == null) {
                return -1;
            }
            if (!isNode(head)) {
                return index == 0 ? 0 : -1;
            }
            Object child = head;
            HeapXaNode node;
            int offset;
            if (Long.compareUnsigned(index, nodeMaxindex((HeapXaNode) head)) > 0) {
                return -1;
            }
            do {
                node = (HeapXaNode) child;
                final int shift = node.shift;
                offset = (int) (index >>> shift) & RADIX_TREE_MAP_MASK;
                child = slotAcquire(node, offset);
                if (child == null) {
                    while (++offset < RADIX_TREE_MAP_SIZE) {
                        if (slotAcquire(node, offset) != null) {
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
                    child = slotAcquire(node, offset);
                    if (child == null) {
                        continue restart;
                    }
                }
            } while (node.shift != 0 && isNode(child));
            return (index & ~nodeMaxindex(node)) | offset;
        }
    }

    /** idr_get_free with idr_alloc_u32's store and tag clear; -ENOSPC, or -ENOMEM with nothing left behind. */
    long idrGetFree(HeapIdrRoot<?> root, long start, long max, Object ptr) {
        HeapXaNode node = null;
        int offset = 0;
        long error = 0;
        Object headBefore = null;
        boolean rootWasFree = false;
        boolean extended = false;
        HeapXaNode chainParent = null;
        int chainOffset = 0;
        HeapXaNode chainTop = null;
        grow:
        for (;;) {
            final Object head = root.xaHead;
            Object child = head;
            long maxindex = 0;
            int shift = 0;
            if (isNode(head)) {
                maxindex = nodeMaxindex((HeapXaNode) head);
                shift = ((HeapXaNode) head).shift + RADIX_TREE_MAP_SHIFT;
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
                child = root.xaHead;
                extended |= child != head;
            }
            if (start == 0 && shift == 0) {
                shift = RADIX_TREE_MAP_SHIFT;
            }
            while (shift > 0) {
                shift -= RADIX_TREE_MAP_SHIFT;
                if (child == null) {
                    final HeapXaNode fresh = radixTreeNodeAlloc(node, root, shift, offset, 0, 0);
                    if (fresh == null) {
                        error = -ENOMEM;
                        break grow;
                    }
                    allTagSet(fresh, IDR_FREE);
                    if (chainTop == null) {
                        chainTop = fresh;
                        chainParent = node;
                        chainOffset = offset;
                    }
                    setSlot(root, node, offset, fresh);
                    if (node != null) {
                        node.count++;
                    }
                    child = fresh;
                } else if (!isNode(child)) {
                    break;
                }
                node = (HeapXaNode) child;
                offset = (int) (start >>> node.shift) & RADIX_TREE_MAP_MASK;
                child = node.slots[offset];
                if (!tagGet(node, IDR_FREE, offset)) {
                    offset = findNextBit(node, IDR_FREE, offset + 1);
                    start = nextIndex(start, node, offset);
                    if (start > max || start == 0) {
                        error = -ENOSPC;
                        break grow;
                    }
                    while (offset == RADIX_TREE_MAP_SIZE) {
                        offset = node.offset + 1;
                        node = node.parent;
                        if (node == null) {
                            continue grow;
                        }
                        shift = node.shift;
                    }
                    child = node.slots[offset];
                }
            }
            radixTreeReplace(root, node, offset, ptr);
            nodeTagClear(root, node, IDR_FREE, offset);
            return start;
        }
        undoGetFree(root, start, chainParent, chainOffset, chainTop, extended, headBefore, rootWasFree);
        return error;
    }

    /** Unlinks and frees what a failed idrGetFree added: its descent chain, then its new levels. */
    private void undoGetFree(HeapIdrRoot<?> root, long index, HeapXaNode chainParent, int chainOffset,
                             HeapXaNode chainTop, boolean extended, Object headBefore, boolean rootWasFree) {
        if (chainTop != null) {
            setSlot(root, chainParent, chainOffset, null);
            if (chainParent != null) {
                chainParent.count--;
            }
            HeapXaNode node = chainTop;
            while (node != null) {
                final int shift = node.shift;
                final Object entry = shift == 0 ? null : node.slots[(int) (index >>> shift) & RADIX_TREE_MAP_MASK];
                radixTreeNodeFree(node);
                node = (HeapXaNode) entry;
            }
        }
        if (extended) {
            undoExtend(root, headBefore, rootWasFree);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Checking
    // ---------------------------------------------------------------------------------------

    /** Checks every invariant of the IDR; returns the ids allocated (null entries included). */
    static long validate(HeapIdrRoot<?> root) {
        final int flags = root.xaFlags;
        if ((flags & ROOT_IS_IDR) == 0) {
            throw broken("xa_flags 0x%x lacks ROOT_IS_IDR", flags);
        }
        if ((flags >>> ROOT_TAG_SHIFT & ~(1 << IDR_FREE)) != 0) {
            throw broken("xa_flags 0x%x has a root tag other than IDR_FREE", flags);
        }
        final Object head = root.xaHead;
        final boolean rootFree = rootTagGet(root, IDR_FREE);
        if (head == null) {
            if (!rootFree) {
                throw broken("an empty IDR without the root IDR_FREE tag");
            }
            return 0;
        }
        if (!isNode(head)) {
            throw broken("xa_head %s is an entry, not a node", head);
        }
        final HeapXaNode top = (HeapXaNode) head;
        if (top.parent != null || top.offset != 0) {
            throw broken("head node %s has a parent or an offset", top);
        }
        if (rootFree != anyTagSet(top, IDR_FREE)) {
            throw broken("root IDR_FREE tag %s, head's tags 0x%x", rootFree, top.tags[IDR_FREE]);
        }
        if (top.shift != 0 && top.count == 1 && top.slots[0] != null) {
            throw broken("head node (shift %d) has one child, in slot 0: the tree should have shrunk", top.shift);
        }
        return validateNode(root, top);
    }

    private static long validateNode(HeapIdrRoot<?> root, HeapXaNode node) {
        final int shift = node.shift;
        if (shift % RADIX_TREE_MAP_SHIFT != 0 || shift > RADIX_TREE_MAP_SHIFT * (IDR_MAX_PATH - 1)) {
            throw broken("node has shift %d", shift);
        }
        if (node.array != root) {
            throw broken("node (shift %d) belongs to another array", shift);
        }
        for (int tag = 0; tag < XA_MAX_MARKS; tag++) {
            if (tag != IDR_FREE && node.tags[tag] != 0) {
                throw broken("node (shift %d) has tag %d set", shift, tag);
            }
        }
        long ids = 0;
        int used = 0;
        for (int i = 0; i < RADIX_TREE_MAP_SIZE; i++) {
            final Object entry = node.slots[i];
            final boolean free = tagGet(node, IDR_FREE, i);
            if (shift == 0) {
                if (isNode(entry)) {
                    throw broken("leaf slot %d holds a node", i);
                }
                if (entry != null && free) {
                    throw broken("leaf slot %d holds %s but is tagged free", i, entry);
                }
                if (!free) {
                    used++;
                    ids++;
                }
            } else if (entry == null) {
                if (!free) {
                    throw broken("node (shift %d) slot %d is empty but not tagged free", shift, i);
                }
            } else {
                if (!isNode(entry)) {
                    throw broken("node (shift %d) slot %d holds %s, not a node", shift, i, entry);
                }
                final HeapXaNode child = (HeapXaNode) entry;
                if (child.parent != node || child.offset != i) {
                    throw broken("node (shift %d): child in slot %d has another parent or offset %d", shift, i, child.offset);
                }
                if (child.shift != shift - RADIX_TREE_MAP_SHIFT) {
                    throw broken("node (shift %d): child has shift %d", shift, child.shift);
                }
                if (free != anyTagSet(child, IDR_FREE)) {
                    throw broken("node (shift %d) slot %d tagged %s, child's tags 0x%x", shift, i, free, child.tags[IDR_FREE]);
                }
                used++;
                ids += validateNode(root, child);
            }
        }
        if (node.count != used) {
            throw broken("node (shift %d) has count %d, holds %d", shift, node.count, used);
        }
        if (used == 0) {
            throw broken("node (shift %d) is empty but still in the tree", shift);
        }
        if (node.nrValues != 0) {
            throw broken("node (shift %d) has nr_values %d on the heap", shift, node.nrValues);
        }
        return ids;
    }

    /** The exception naming a broken invariant. */
    private static IllegalStateException broken(String format, Object... args) {
        return new IllegalStateException("idr: " + String.format(format, args));
    }
}
