package org.kfork.heap.mm;

import static org.junit.jupiter.api.Assertions.*;
import static org.kfork.mm.Mman.*;

import org.junit.jupiter.api.Test;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.mm.DupMode;
import org.kfork.uapi.Errno;

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
            assertEquals(shape(mm.mm.mmRb.node()), shape(s.mm.mmRb.node()));
            assertNotEquals(shape(mm.mm.mmRb.node()), shape(a.mm.mmRb.node()));
            for (HeapVma v = mm.mm.mmap; v != null; v = v.vmNext) {
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

    @Test
    void dupMmReturnsItsErrorAsAnErrPtrSentinel() {
        try (HeapMmSystem sys = new HeapMmSystem(1 << 16)) {
            HeapMm mm = (HeapMm) sys.mmAlloc();
            mm.mmap(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            assertFalse(ErrPtr.isErr(mm.mm), "a live mm is not an error");
            assertFalse(ErrPtr.isErr(null), "NULL is not an error");
            var before = sys.objectCounts();
            sys.failSlab().failNth(1);
            HeapMmStruct failed = HeapForkMm.dupMm(sys, mm.mm, null, DupMode.APPEND);
            assertTrue(ErrPtr.isErr(failed));
            assertEquals(-Errno.ENOMEM, ErrPtr.ptrErr(failed));
            assertSame(HeapMmStruct.errPtr(-Errno.ENOMEM), failed, "one sentinel per errno");
            assertEquals(before, sys.objectCounts(), "nothing leaked");
            sys.setFatalSignalPending(true);
            assertEquals(-Errno.EINTR, ErrPtr.ptrErr(HeapForkMm.dupMm(sys, mm.mm, null, DupMode.APPEND)));
            sys.setFatalSignalPending(false);
            assertEquals(before, sys.objectCounts(), "the half-built mm went with mmput");
            HeapMmStruct child = HeapForkMm.dupMm(sys, mm.mm, null, DupMode.APPEND);
            assertFalse(ErrPtr.isErr(child));
            assertEquals(1, child.mapCount);
            HeapForkMm.mmput(sys, child);
            assertThrows(IllegalArgumentException.class, () -> HeapMmStruct.errPtr(0));
            assertThrows(IllegalArgumentException.class, () -> HeapMmStruct.errPtr(-Errno.MAX_ERRNO - 1));
            mm.mmput();
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
