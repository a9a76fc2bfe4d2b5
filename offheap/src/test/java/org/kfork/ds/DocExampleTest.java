package org.kfork.ds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.machine.Machine;
import org.kfork.testing.LeakCheck;

/** The examples of docs/containers.md, kept compiling and correct. */
class DocExampleTest {
    static final Machine MACHINE = Machine.create(64L << 20);
    /** The example's cache, made before the leak check's baseline (a machine's first cache sets up its per-CPU area). */
    static final KmemCache RADIX_TREE_NODES =
        Kmem.of(MACHINE).slabs().create("radix_tree_node", (int) XaNode.SIZEOF, 0, 0, null);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        RADIX_TREE_NODES.destroy();
        MACHINE.close();
    }

    @Test
    void rbTreeOfYourOwnStructs() {
        final int KEY = 0, NODE = 8, SIZE = 32;
        Machine m = MACHINE;
        long page = m.pages().allocPage();
        long root = page;
        RbTree.initRoot(root);
        for (int i = 0; i < 100; i++) {
            long item = page + 8 + (long) i * SIZE;
            long key = (i * 37) % 101;
            putLong(item + KEY, key);
            long link = root, parent = 0, cur;
            while ((cur = getLong(link)) != 0) {
                parent = cur;
                link = key < getLong(cur - NODE + KEY) ? cur + RbTree.RB_LEFT : cur + RbTree.RB_RIGHT;
            }
            RbTree.linkNode(item + NODE, parent, link);
            RbTree.insertColor(item + NODE, root);
        }
        long n = RbTree.rootNode(root);
        while (n != 0 && getLong(n - NODE + KEY) != 42) {
            n = 42 < getLong(n - NODE + KEY) ? RbTree.left(n) : RbTree.right(n);
        }
        assertNotEquals(0, n);
        long prev = -1;
        int count = 0;
        for (long it = RbTree.first(root); it != 0; it = RbTree.next(it)) {
            long k = getLong(it - NODE + KEY);
            assertEquals(true, k > prev);
            prev = k;
            count++;
        }
        assertEquals(100, count);
        RbTree.erase(n, root);
        assertEquals(99, RbTree.validate(root, false));
        m.pages().freePage(page);
    }

    @Test
    void idrOfPidNumbers() {
        Machine m = MACHINE;
        KmemCache nodes = RADIX_TREE_NODES;
        Idr idr = new Idr(new Idr.NodeAllocator() {
            public long allocNode() {
                return nodes.zalloc();
            }

            public void freeNode(long node) {
                nodes.free(node);
            }
        });

        long pidns = m.pages().allocPage();
        idr.idrInit(pidns);
        int pidMax = 32768;
        int pidMin = idr.idrGetCursor(pidns) > 300 ? 300 : 1;
        int nr = idr.idrAllocCyclic(pidns, 0, pidMin, pidMax);
        assertEquals(1, nr);
        long pid = 0xffff888000100000L;
        idr.idrReplace(pidns, pid, nr);
        assertEquals(pid, idr.idrFind(pidns, nr));
        assertEquals(-28, idr.idrAlloc(pidns, 0, nr, nr + 1));
        assertEquals(pid, idr.idrRemove(pidns, nr));
        idr.idrDestroy(pidns);
        m.pages().freePage(pidns);
        assertEquals(0, nodes.activeObjects());
    }
}
