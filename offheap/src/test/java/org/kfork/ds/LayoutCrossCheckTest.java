package org.kfork.ds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.kfork.kernel.struct.HlistHead;
import org.kfork.kernel.struct.HlistNode;
import org.kfork.kernel.struct.RbNode;
import org.kfork.kernel.struct.RbRoot;
import org.kfork.kernel.struct.RbRootCached;
import org.kfork.kernel.struct.VmAreaStruct;

/**
 * The containers keep their offsets as compile-time constants (so that they stay a library below
 * the kernel structs); this pins each one to the layout engine's struct, itself pinned to gcc's.
 */
class LayoutCrossCheckTest {
    @Test
    void rbTreeMatchesTheLayouts() {
        assertEquals(RbNode.SIZEOF, RbTree.SIZEOF_RB_NODE);
        assertEquals(RbNode.__RB_PARENT_COLOR, RbTree.PARENT_COLOR);
        assertEquals(RbNode.RB_RIGHT, RbTree.RB_RIGHT);
        assertEquals(RbNode.RB_LEFT, RbTree.RB_LEFT);
        assertEquals(RbRoot.SIZEOF, RbTree.SIZEOF_RB_ROOT);
        assertEquals(RbRoot.RB_NODE, RbTree.RB_ROOT_NODE);
        assertEquals(RbRootCached.SIZEOF, RbTree.SIZEOF_RB_ROOT_CACHED);
        assertEquals(RbRootCached.RB_ROOT, 0);
        assertEquals(RbRootCached.RB_LEFTMOST, RbTree.RB_LEFTMOST);
    }

    @Test
    void listsMatchTheLayouts() {
        assertEquals(org.kfork.kernel.struct.ListHead.SIZEOF, IntrusiveList.SIZEOF);
        assertEquals(org.kfork.kernel.struct.ListHead.NEXT, IntrusiveList.NEXT);
        assertEquals(org.kfork.kernel.struct.ListHead.PREV, IntrusiveList.PREV);
        assertEquals(HlistHead.SIZEOF, HList.SIZEOF_HEAD);
        assertEquals(HlistHead.FIRST, HList.FIRST);
        assertEquals(HlistNode.SIZEOF, HList.SIZEOF_NODE);
        assertEquals(HlistNode.NEXT, HList.NEXT);
        assertEquals(HlistNode.PPREV, HList.PPREV);
    }

    @Test
    void vmaFieldsMatchTheLayout() {
        assertEquals(VmAreaStruct.VM_START, VmaIntervalTree.VM_START);
        assertEquals(VmAreaStruct.VM_END, VmaIntervalTree.VM_END);
        assertEquals(VmAreaStruct.SHARED_RB, VmaIntervalTree.SHARED_RB);
        assertEquals(VmAreaStruct.SHARED_RB_SUBTREE_LAST, VmaIntervalTree.SHARED_RB_SUBTREE_LAST);
        assertEquals(VmAreaStruct.VM_PGOFF, VmaIntervalTree.VM_PGOFF);
        assertEquals(VmAreaStruct.ANON_VMA_CHAIN, OffHeapVariant.LIST);
        assertEquals(200, VmAreaStruct.SIZEOF);
    }
}
