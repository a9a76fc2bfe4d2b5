package org.kfork.kernel.lib;

import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.ds.Idr;
import org.kfork.kernel.Globals;
import org.kfork.kernel.struct.ListHead;
import org.kfork.kernel.struct.XaNode;
import org.kfork.machine.Mem;

/**
 * lib/radix-tree.c (5.12), the kernel's side of it: radix_tree_init (the "radix_tree_node" cache
 * and its constructor) and the node allocation and RCU-deferred free every IDR of the kernel uses
 * (radix_tree_node_alloc's cache part, radix_tree_node_free, radix_tree_node_rcu_free). The tree
 * itself is the container {@link org.kfork.ds.RadixTree}, below the kernel; this is its
 * {@link Idr.NodeAllocator}, so that {@code g.idr} (one {@link Idr} per kernel) serves every
 * {@code struct idr} of the machine: the pid namespaces' today.
 *
 * <p>Invariants, as 5.12 keeps them: a node in the cache, free or not yet handed out, has zero
 * slots and tags and an empty private_list (the constructor builds that once per object, and the
 * RCU free restores it before the node goes back); a node that leaves a tree is freed only after a
 * grace period, because lookups (find_pid_ns) walk the tree under rcu_read_lock alone.
 *
 * <p>Deviation: 5.12's idr_preload fills a per-CPU reserve of nodes before alloc_pid takes
 * pidmap_lock, and idr_alloc falls back on it when the atomic allocation fails. The model has no
 * reserve: nodes are allocated where the IDR needs them, through {@code g.alloc} (so failslab
 * reaches each), and a failure is -ENOMEM from idr_alloc, which is what 5.12 returns once the
 * reserve is empty too.
 */
public final class RadixTreeNodes implements Idr.NodeAllocator {
    private final Globals g;
    private final KmemCache radixTreeNodeCachep;
    private final long radixTreeNodeRcuFree;

    private RadixTreeNodes(Globals g) {
        this.g = g;
        this.radixTreeNodeCachep = g.kmem.slabs().createOrThrow("radix_tree_node", (int) XaNode.SIZEOF, 0,
            SlabFlags.SLAB_PANIC | SlabFlags.SLAB_RECLAIM_ACCOUNT, RadixTreeNodes::radixTreeNodeCtor);
        this.radixTreeNodeRcuFree = g.rcu.register("radix_tree_node_rcu_free", this::radixTreeNodeRcuFree);
    }

    /** radix_tree_init: the node cache, at boot. */
    public static RadixTreeNodes radixTreeInit(Globals g) {
        return new RadixTreeNodes(g);
    }

    /** radix_tree_node_ctor: a zeroed node with an empty private_list, once per object. */
    static void radixTreeNodeCtor(long node) {
        Mem.zero(node, XaNode.SIZEOF);
        initListHead(node + XaNode.PRIVATE_LIST);
    }

    private static void initListHead(long head) {
        Mem.putLong(head + ListHead.NEXT, head);
        Mem.putLong(head + ListHead.PREV, head);
    }

    /** radix_tree_node_alloc, the cache part: a node from the cache, or 0 (-ENOMEM). */
    @Override
    public long allocNode() {
        return g.alloc(radixTreeNodeCachep);
    }

    /** radix_tree_node_free: call_rcu(&node->rcu_head, radix_tree_node_rcu_free). */
    @Override
    public void freeNode(long node) {
        g.rcu.callRcu(node + XaNode.RCU_HEAD, radixTreeNodeRcuFree);
    }

    /**
     * radix_tree_node_rcu_free: after the grace period, the slots and tags the tree left are
     * cleared and the private_list (which the rcu_head overlaid) made empty again, so that the
     * node goes back to the cache as the constructor made it.
     */
    private void radixTreeNodeRcuFree(long head) {
        final long node = head - XaNode.RCU_HEAD;
        // the slots and then the tags end the struct: one zeroing clears both
        Mem.zero(node + XaNode.SLOTS, XaNode.SIZEOF - XaNode.SLOTS);
        initListHead(node + XaNode.PRIVATE_LIST);
        g.free(radixTreeNodeCachep, node);
    }

    /** radix_tree_node_cachep. */
    public KmemCache radixTreeNodeCachep() {
        return radixTreeNodeCachep;
    }

    /** Tears the cache down (after rcu_barrier, by the kernel's close). */
    public void close() {
        radixTreeNodeCachep.destroy();
    }
}
