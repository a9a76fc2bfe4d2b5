package org.kfork.heap.mm;

import static org.junit.jupiter.api.Assertions.*;
import static org.kfork.mm.Mman.*;

import org.junit.jupiter.api.Test;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.mm.DupMode;

/** Heap-twin specifics; the behaviour is covered by the suite in offheap that runs both variants. */
class HeapMmTest {
    @Test
    void structuralDupClonesTheParentsTreeShape() {
        try (HeapMmSystem sys = new HeapMmSystem(1 << 16)) {
            HeapMm mm = (HeapMm) sys.mmAlloc();
            for (int i = 0; i < 300; i++) {
                mm.mmap(0, PAGE_SIZE, i % 2 == 0 ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            }
            HeapMm s = (HeapMm) mm.dup(DupMode.STRUCTURAL);
            HeapMm a = (HeapMm) mm.dup(DupMode.APPEND);
            assertEquals(shape(mm.mmRb.node()), shape(s.mmRb.node()));
            assertNotEquals(shape(mm.mmRb.node()), shape(a.mmRb.node()));
            for (HeapVma v = mm.mmap; v != null; v = v.vmNext) {
                assertNull(v.forkCopy, "the structural dup leaves no scratch behind");
            }
            s.validate();
            a.validate();
            s.mmput();
            a.mmput();
            mm.mmput();
            assertEquals(0L, sys.objectCounts().get("vm_area_struct"));
            assertEquals(0L, sys.objectCounts().get("mm_struct"));
        }
    }

    private static String shape(HeapRbNode n) {
        if (n == null) {
            return ".";
        }
        return "(" + Long.toHexString(((HeapVma) n).vmStart) + (n.isBlack() ? 'B' : 'R') + shape(n.left()) + shape(n.right()) + ")";
    }
}
