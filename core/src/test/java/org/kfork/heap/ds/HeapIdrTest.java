package org.kfork.heap.ds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kfork.lib.IdrRules;
import org.kfork.uapi.Errno;

/**
 * What only the heap twin has: a node given as the object to store (the heap's internal entry),
 * the ERR_PTR objects of idr_replace, and validate() seeing damage to node fields, which the
 * shared suite (org.kfork.ds.IdrTest, in the offheap module) cannot reach from outside this
 * package. Everything else runs in that suite on both variants.
 */
class HeapIdrTest {
    private final HeapIdr ops = new HeapIdr();

    @Test
    void aNodeIsNotAnObjectToStore() {
        final HeapIdrRoot<Object> idr = new HeapIdrRoot<>();
        ops.idrInit(idr);
        assertEquals(-Errno.EINVAL, ops.idrAlloc(idr, new HeapXaNode(), 0, 0));
        assertEquals(-Errno.EINVAL, ops.idrAllocCyclic(idr, new HeapXaNode(), 0, 0));
        assertTrue(ops.idrIsEmpty(idr));
        assertEquals(0, ops.idrAlloc(idr, "pid 0", 0, 0));
        assertSame(HeapIdr.EINVAL_PTR, ops.idrReplace(idr, new HeapXaNode(), 0));
        assertSame(HeapIdr.ENOENT_PTR, ops.idrReplace(idr, "x", 1));
        assertTrue(HeapIdr.isErr(HeapIdr.ENOENT_PTR));
        assertEquals(Errno.ENOENT, HeapIdr.ENOENT_PTR.errno());
        assertEquals("pid 0", ops.idrReplace(idr, "pid 0 again", 0));
        assertEquals("pid 0 again", ops.idrFind(idr, 0));
        assertEquals(1, ops.validate(idr));
    }

    @Test
    void validateSeesDamage() {
        final HeapIdrRoot<String> idr = new HeapIdrRoot<>();
        ops.idrInit(idr);
        for (int id : new int[] {1, 2, 300, 3000}) {
            assertEquals(id, ops.idrAlloc(idr, "pid " + id, id, id + 1));
        }
        assertEquals(4, ops.validate(idr));
        final HeapXaNode top = (HeapXaNode) idr.xaHead;
        final HeapXaNode leaf = (HeapXaNode) top.slots[0];
        final Runnable[][] damage = {
            {() -> leaf.tags[IdrRules.IDR_FREE] ^= 1L << 1, () -> leaf.tags[IdrRules.IDR_FREE] ^= 1L << 1},
            {() -> leaf.tags[1] ^= 1, () -> leaf.tags[1] ^= 1},
            {() -> top.tags[IdrRules.IDR_FREE] ^= 1, () -> top.tags[IdrRules.IDR_FREE] ^= 1},
            {() -> leaf.count++, () -> leaf.count--},
            {() -> leaf.nrValues++, () -> leaf.nrValues--},
            {() -> leaf.offset++, () -> leaf.offset--},
            {() -> leaf.shift += 6, () -> leaf.shift -= 6},
            {() -> leaf.parent = null, () -> leaf.parent = top},
            {() -> leaf.array = new HeapIdrRoot<String>(), () -> leaf.array = idr},
            {() -> leaf.slots[7] = "stray", () -> leaf.slots[7] = null},
            {() -> leaf.slots[7] = new HeapXaNode(), () -> leaf.slots[7] = null},
            {() -> idr.xaFlags ^= 1 << IdrRules.ROOT_TAG_SHIFT, () -> idr.xaFlags ^= 1 << IdrRules.ROOT_TAG_SHIFT},
            {() -> idr.xaFlags ^= IdrRules.ROOT_IS_IDR, () -> idr.xaFlags ^= IdrRules.ROOT_IS_IDR},
        };
        for (Runnable[] d : damage) {
            d[0].run();
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> ops.validate(idr));
            assertTrue(e.getMessage().startsWith("idr: "), e.getMessage());
            d[1].run();
            assertEquals(4, ops.validate(idr));
        }
    }

    @Test
    void aHeadThatShouldHaveShrunkIsCaught() {
        final HeapIdrRoot<String> idr = new HeapIdrRoot<>();
        ops.idrInit(idr);
        assertEquals(1, ops.idrAlloc(idr, "a", 1, 2));
        assertEquals(100, ops.idrAlloc(idr, "b", 100, 101));
        assertEquals("b", ops.idrRemove(idr, 100));
        assertEquals(0, ((HeapXaNode) idr.xaHead).shift, "removing 100 shrank the tree back to a leaf");
        assertEquals(100, ops.idrAlloc(idr, "b", 100, 101));
        final HeapXaNode top = (HeapXaNode) idr.xaHead;
        final Object second = top.slots[1];
        top.slots[1] = null;
        top.count--;
        top.tags[IdrRules.IDR_FREE] |= 2;
        assertThrows(IllegalStateException.class, () -> ops.validate(idr), "a one-child head above the leaves");
        top.slots[1] = second;
        top.count++;
        assertEquals(2, ops.validate(idr));
        assertEquals("a", ops.idrRemove(idr, 1));
        assertNull(ops.idrFind(idr, 1));
        assertEquals(1, ops.validate(idr));
    }
}
