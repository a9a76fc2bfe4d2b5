package org.kfork.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.MmSystem;
import org.kfork.mm.VmaInfo;

/**
 * Both benchmark methods of DupMmapBench, on every variant, mode and space, at the smallest n
 * (checked mode is on in tests), each invocation cut down to {@link #COPIES} copies instead of
 * VMAS / n: {@code dup} makes copies with the parent's VMAs, and {@code exit} and the untimed
 * teardown give back every object the copies took.
 */
class DupMmapBenchTest {
    private static final int N = 10;
    /** Copies per invocation: enough to see several, few enough for a unit test in checked mode. */
    private static final int COPIES = 4;

    @Test
    void dupCopiesTheParentAndExitGivesEverythingBack() {
        for (DupMmapBench.Variant v : DupMmapBench.Variant.values()) {
            for (DupMode mode : DupMode.values()) {
                for (String space : List.of("UNTOUCHED", "ANON")) {
                    run(v, mode, space);
                }
            }
        }
    }

    private static void run(DupMmapBench.Variant v, DupMode mode, String space) {
        String what = v + " " + mode + " " + space + ": ";
        DupMmapBench b = new DupMmapBench();
        b.n = N;
        b.variant = v;
        b.mode = mode;
        b.space = space;
        b.setup();
        try {
            assertEquals(DupMmapBench.VMAS / N, b.copies);
            b.copies = COPIES;
            MmSystem sys = v == DupMmapBench.Variant.OFFHEAP ? b.offSys : b.heapSys;
            AddressSpace parent = v == DupMmapBench.Variant.OFFHEAP ? b.offSys.handle(b.offParent) : b.heapParent;
            List<VmaInfo> vmas = parent.vmas();
            assertEquals(N, vmas.size(), what + "no two VMAs of the parent merged");
            assertEquals("ANON".equals(space), vmas.get(0).hasAnonVma(), what + "ANON faults each VMA");
            Map<String, Long> before = sys.objectCounts();

            DupMmapBench.OwnedCpu cpu = new DupMmapBench.OwnedCpu();
            cpu.own(b);
            assertEquals(v == DupMmapBench.Variant.OFFHEAP, cpu.owned != null, what + "the off-heap run owns its CPU");
            b.dup(new DupMmapBench.Copies(), cpu);
            for (int i = 0; i < COPIES; i++) {
                AddressSpace child = v == DupMmapBench.Variant.OFFHEAP ? b.offSys.handle(b.offChildren[i]) : b.heapChildren[i];
                assertEquals(vmas, child.vmas(), what + "copy " + i + " has the parent's VMAs");
            }
            Map<String, Long> copied = sys.objectCounts();
            assertEquals(before.get("vm_area_struct") + (long) N * COPIES, copied.get("vm_area_struct"), what);
            assertEquals(before.get("mm_struct") + COPIES, copied.get("mm_struct"), what);
            if ("ANON".equals(space)) {
                assertEquals(before.get("anon_vma_chain") + 2L * N * COPIES, copied.get("anon_vma_chain"),
                    what + "anon_vma_fork gives each copied VMA two chains");
                assertEquals(before.get("anon_vma") + (long) N * COPIES, copied.get("anon_vma"),
                    what + "and an anon_vma of its own");
            }
            new DupMmapBench.Copies().afterDup(b);
            sys.flushWork();
            assertEquals(before, sys.objectCounts(), what + "the teardown after dup gave everything back");

            new DupMmapBench.Prepared().beforeExit(b);
            assertEquals(copied.get("vm_area_struct"), sys.objectCounts().get("vm_area_struct"), what);
            b.exit(new DupMmapBench.Prepared(), cpu);
            cpu.release();
            sys.flushWork();
            assertEquals(before, sys.objectCounts(), what + "exit gave everything back");
            assertNull(b.heapChildren[0]);
            assertEquals(0, b.offChildren[0]);
        } finally {
            b.tearDown();
        }
    }
}
