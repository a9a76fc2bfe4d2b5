package org.kfork.heap.lib;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapIdr;
import org.kfork.heap.ds.HeapXaNode;
import org.kfork.heap.rcu.HeapRcuCallback;

/**
 * The heap twin of org.kfork.kernel.lib.RadixTreeNodes (lib/radix-tree.c, the kernel's side):
 * radix_tree_init declares the "radix_tree_node" kind, a node allocation asks the failslab
 * injector and counts one live node, and a node that leaves a tree is counted free only after a
 * grace period (radix_tree_node_free's call_rcu), as off-heap, so both kernels count the same
 * nodes at the same points. The class comment of the off-heap twin says why there is no
 * idr_preload.
 */
public final class HeapRadixTreeNodes implements HeapIdr.NodeAllocator {
    private final HeapGlobals g;
    private final int radixTreeNodeCachep;
    private final HeapRcuCallback radixTreeNodeRcuFree;

    private HeapRadixTreeNodes(HeapGlobals g) {
        this.g = g;
        this.radixTreeNodeCachep = g.kind("radix_tree_node");
        this.radixTreeNodeRcuFree = head -> g.free(radixTreeNodeCachep);
    }

    /** radix_tree_init. */
    public static HeapRadixTreeNodes radixTreeInit(HeapGlobals g) {
        return new HeapRadixTreeNodes(g);
    }

    /** radix_tree_node_alloc, the cache part: a fresh node, or null (-ENOMEM). */
    @Override
    public HeapXaNode allocNode() {
        return g.alloc(radixTreeNodeCachep) ? new HeapXaNode() : null;
    }

    /** radix_tree_node_free: counted free after a grace period. */
    @Override
    public void freeNode(HeapXaNode node) {
        g.rcu.callRcu(node, radixTreeNodeRcuFree);
    }
}
