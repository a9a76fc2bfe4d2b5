package org.kfork.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.mm.Mman.MADV_DONTFORK;
import static org.kfork.mm.Mman.MADV_WIPEONFORK;
import static org.kfork.mm.Mman.MAP_ANONYMOUS;
import static org.kfork.mm.Mman.MAP_PRIVATE;
import static org.kfork.mm.Mman.MAP_SHARED;
import static org.kfork.mm.Mman.PROT_EXEC;
import static org.kfork.mm.Mman.PROT_READ;
import static org.kfork.mm.Mman.PROT_WRITE;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.kfork.alloc.Kmem;
import org.kfork.heap.mm.HeapMmSystem;
import org.kfork.kernel.mm.OffHeapMmSystem;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.MappedFile;
import org.kfork.mm.MmSystem;
import org.kfork.mm.VmaInfo;
import org.kfork.testing.LeakCheck;

/**
 * A fork scenario across the modules, on both representations: a process maps code, data, a
 * shared file and anonymous memory, marks one area DONTFORK and one WIPEONFORK, forks in both
 * dup modes, and exits. The two kernels must print the same /proc maps at every step, the child
 * must hold the parent's areas minus the DONTFORK one, and the off-heap machine must come back to
 * its baseline (every slab cache and the page allocator).
 */
class ForkScenarioTest {
    private static final long PAGE = 4096;

    /** The scenario on one kernel; returns the maps of parent, children and what the child lacks. */
    private static String[] run(MmSystem sys) {
        AddressSpace parent = sys.mmAlloc();
        MappedFile lib = sys.openFile("/usr/lib/libkfork.so", false, true);
        MappedFile shm = sys.openFile("/dev/shm/kfork", true, false);
        long text = parent.mmap(0, 4 * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, lib, 0);
        long data = parent.mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, lib, 4);
        long shared = parent.mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, shm, 0);
        long heap = parent.mmap(0, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        long secret = parent.mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        long scratch = parent.mmap(0, 4 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        for (long a : new long[] {text, data, shared, heap, secret, scratch}) {
            assertTrue(a > 0, "mmap failed: " + a);
        }
        assertEquals(0, parent.touch(heap));
        assertEquals(0, parent.madvise(secret, 2 * PAGE, MADV_DONTFORK));
        assertEquals(0, parent.madvise(scratch, 4 * PAGE, MADV_WIPEONFORK));
        String parentMaps = parent.maps();

        AddressSpace append = parent.dup(DupMode.APPEND);
        AddressSpace structural = parent.dup(DupMode.STRUCTURAL);
        append.validate();
        structural.validate();
        String childMaps = append.maps();
        assertEquals(childMaps, structural.maps(), "both dup modes build the same address space");
        assertEquals(parent.mapCount() - 1, append.mapCount(), "the DONTCOPY area is not copied");
        assertEquals(parent.totalVm() - 2, append.totalVm(), "nor counted");
        VmaInfo after = append.findVma(secret);
        assertTrue(after == null || after.start() > secret, "the child has no mapping at the DONTFORK address");
        assertTrue(append.findVma(scratch) != null && append.findVma(scratch).start() <= scratch,
            "the WIPEONFORK area is copied (empty)");
        assertFalse(append.findVma(scratch).hasAnonVma(), "a WIPEONFORK copy gets no anon_vma");

        structural.mmput();
        append.mmput();
        parent.mmput();
        lib.fput();
        shm.fput();
        return new String[] {parentMaps, childMaps};
    }

    @Test
    void bothKernelsForkTheSameAddressSpaceAndTheMachineComesBackToItsBaseline() {
        assertTrue(Kasan.ENABLED, "checked mode is on in every off-heap test");
        String[] onHeap;
        try (HeapMmSystem heap = new HeapMmSystem(1L << 18)) {
            Map<String, Long> before = heap.objectCounts();
            onHeap = run(heap);
            assertEquals(before, heap.objectCounts(), "the heap twin freed what it allocated");
        }
        try (Machine machine = Machine.create(64L << 20)) {
            OffHeapMmSystem sys = OffHeapMmSystem.boot(machine);
            Kmem.quiesce(machine);
            Map<String, Long> baseline = machine.snapshot();
            String[] offHeap = run(sys);
            Kmem.quiesce(machine);
            LeakCheck.assertNoLeak(baseline, machine.snapshot());
            assertEquals(onHeap[0], offHeap[0], "parent maps, heap twin vs off-heap");
            assertEquals(onHeap[1], offHeap[1], "child maps, heap twin vs off-heap");
            assertFalse(offHeap[1].isEmpty());
            sys.close();
        }
    }
}
