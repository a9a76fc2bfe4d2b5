package org.kfork.kernel.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kfork.heap.HeapGlobals;
import org.kfork.kernel.Globals;
import org.kfork.kernel.KernelImage;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;

/** Boot and teardown of the kernel's globals, the kernel image's slots, the heap twin's counters. */
class GlobalsTest {

    @Test
    void kernelImageSlotsAreAlignedZeroedAndGiveTheirPagesBack() {
        try (Machine m = Machine.create(16 << 20)) {
            long free = m.pages().nrFreePages();
            KernelImage image = new KernelImage(m);
            long a = image.alloc(7040, 64);
            long b = image.alloc(8, 8);
            long c = image.alloc(100, 64);
            assertEquals(0, a % 64);
            assertEquals(0, c % 64);
            assertTrue(b >= a + 7040 && c >= b + 8, "slots do not overlap");
            for (long off = 0; off < 7040; off += 8) {
                assertEquals(0, Mem.getLong(a + off));
            }
            assertTrue(image.contains(a) && image.contains(c + 99));
            assertFalse(image.contains(a - 4096 * 4));
            long big = image.alloc(16384, 4096); // a whole chunk of its own
            assertTrue(image.contains(big + 16383));
            assertThrows(IllegalArgumentException.class, () -> image.alloc(0, 8));
            assertThrows(IllegalArgumentException.class, () -> image.alloc(8, 3));
            assertTrue(m.pages().nrFreePages() < free);
            image.close();
            assertEquals(free, m.pages().nrFreePages());
        }
    }

    @Test
    void bootThenCloseLeavesTheMachineAsItWas() {
        try (Machine m = Machine.create(64 << 20)) {
            long free = m.pages().nrFreePages();
            Globals g = Globals.boot(m);
            assertEquals(m, g.machine);
            assertTrue(g.forkInit.maxThreads() > 0);
            long obj = g.alloc(g.forkInit.taskStructCachep());
            assertNotEquals(0, obj);
            g.free(g.forkInit.taskStructCachep(), obj);
            g.failSlab.failNth(1);
            assertEquals(0, g.alloc(g.forkInit.taskStructCachep()), "failslab is asked first");
            assertEquals(0, g.nrThreads);
            m.close();
            assertTrue(m.isClosed());
            assertTrue(free > 0);
        }
    }

    @Test
    void heapTwinCountsLiveObjectsPerKindAndRefusesADoubleFree() {
        HeapGlobals g = HeapGlobals.boot(16384, 2);
        int task = g.kind("task_struct");
        assertEquals(task, g.kind("task_struct"), "one kind per cache name");
        int pid = g.kind("pid");
        assertTrue(g.alloc(task));
        assertTrue(g.alloc(pid));
        Map<String, Long> counts = g.objectCounts();
        assertEquals(1L, counts.get("task_struct"));
        assertEquals(1L, counts.get("pid"));
        g.free(task);
        assertThrows(IllegalStateException.class, () -> g.free(task));
        assertEquals(0L, g.objectCounts().get("task_struct"), "the refused free leaves the count");
        g.failSlab.failNth(1);
        assertFalse(g.alloc(pid));
        assertEquals(1L, g.objectCounts().get("pid"));
        g.close();
    }
}
