package org.kfork.ds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.machine.BadAccessException;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/** What only the off-heap variant has: checked-mode guards, poison, and no heap allocation. */
class OffHeapChecksTest {
    static final Machine MACHINE = Machine.create(64L << 20);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        MACHINE.close();
    }

    private static final int KEY = 0;
    private static final int NODE = 8;
    private static final int SIZE = 32;

    private static void insert(long root, long item) {
        long key = getLong(item + KEY);
        long link = root;
        long parent = 0;
        long cur;
        while ((cur = getLong(link)) != 0) {
            parent = cur;
            link = key < getLong(cur - NODE + KEY) ? cur + RbTree.RB_LEFT : cur + RbTree.RB_RIGHT;
        }
        RbTree.linkNode(item + NODE, parent, link);
        RbTree.insertColor(item + NODE, root);
    }

    @Test
    void checkedModeRefusesMisuse() {
        long page = MACHINE.pages().allocPage();
        try {
            long root = page;
            RbTree.initRoot(root);
            long a = page + 64;
            long b = page + 128;
            putLong(a + KEY, 1);
            putLong(b + KEY, 2);
            RbTree.clearNode(b + NODE);
            insert(root, a);
            // a second node into the occupied root slot
            IllegalStateException occupied = assertThrows(IllegalStateException.class,
                    () -> RbTree.linkNode(b + NODE, 0, root));
            assertTrue(occupied.getMessage().contains("already holds"), occupied.getMessage());
            assertThrows(IllegalStateException.class, () -> RbTree.linkNode(page + 200 + 4, 0, page + 8));
            // erase of a node in no tree
            assertThrows(IllegalStateException.class, () -> RbTree.erase(b + NODE, root));
            RbTree.erase(a + NODE, root);
            assertTrue(RbTree.emptyRoot(root));
        } finally {
            MACHINE.pages().freePage(page);
        }
    }

    @Test
    void freedNodesAreCaughtByKasan() {
        long page = MACHINE.pages().allocPage();
        long root = page;
        RbTree.initRoot(root);
        putLong(page + 64 + KEY, 7);
        insert(root, page + 64);
        MACHINE.pages().freePage(page);
        assertThrows(BadAccessException.class, () -> RbTree.first(root));
    }

    @Test
    void listDelPoisonsAndValidatorNamesIt() {
        long page = MACHINE.pages().allocPage();
        try {
            long head = page;
            long e1 = page + 16;
            long e2 = page + 32;
            IntrusiveList.init(head);
            IntrusiveList.addTail(e1, head);
            IntrusiveList.addTail(e2, head);
            IntrusiveList.del(e1);
            assertEquals(IntrusiveList.LIST_POISON1, IntrusiveList.next(e1));
            assertEquals(IntrusiveList.LIST_POISON2, IntrusiveList.prev(e1));
            assertEquals(1, IntrusiveList.validate(head, 10));
            // corrupt a back link: the validator says which
            putLong(e2 + IntrusiveList.PREV, e1);
            IllegalStateException broken = assertThrows(IllegalStateException.class, () -> IntrusiveList.validate(head, 10));
            assertTrue(broken.getMessage().contains("prev of"), broken.getMessage());
        } finally {
            MACHINE.pages().freePage(page);
        }
    }

    @Test
    void validatorCatchesARedRedPair() {
        long page = MACHINE.pages().allocPage();
        try {
            long root = page;
            RbTree.initRoot(root);
            for (int i = 0; i < 3; i++) {
                long item = page + 64 + i * SIZE;
                putLong(item + KEY, i);
                insert(root, item);
            }
            // the three-node tree is a black root with two red children; paint the root red
            long top = RbTree.rootNode(root);
            putLong(top + RbTree.PARENT_COLOR, 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RbTree.validate(root, false));
            assertTrue(e.getMessage().contains("red"), e.getMessage());
        } finally {
            MACHINE.pages().freePage(page);
        }
    }

    @Test
    void hotPathsAllocateNothingOnTheHeap() {
        int n = 2000;
        int order = 7; // 512 KiB >= 2000 * 32 bytes + root
        long block = MACHINE.pages().allocPages(order);
        try {
            Mem.zero(block, 4096L << order);
            long root = block;
            long[] items = new long[n];
            for (int i = 0; i < n; i++) {
                items[i] = block + 64 + (long) i * SIZE;
                putLong(items[i] + KEY, (i * 7919L) % 10007);
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            long bytes = 0;
            for (int round = 0; round < 5; round++) {
                long before = mx.getThreadAllocatedBytes(tid);
                RbTree.initRoot(root);
                for (long item : items) {
                    insert(root, item);
                }
                long sum = 0;
                for (long it = RbTree.first(root); it != 0; it = RbTree.next(it)) {
                    sum += getLong(it - NODE + KEY);
                }
                for (long item : items) {
                    RbTree.erase(item + NODE, root);
                }
                long after = mx.getThreadAllocatedBytes(tid);
                bytes = after - before;
                assertTrue(sum > 0);
                if (bytes == 0) {
                    break;
                }
            }
            assertEquals(0, bytes, "insert/next/erase of " + n + " nodes allocated on the heap");
        } finally {
            MACHINE.pages().freePages(block, order);
        }
    }
}
