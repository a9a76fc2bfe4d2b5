package org.kfork.bench;

import java.util.Map;

import org.kfork.alloc.SlabInfo;
import org.kfork.heap.mm.HeapMmSystem;
import org.kfork.kernel.mm.OffHeapMmSystem;
import org.kfork.machine.Machine;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.Mman;
import org.openjdk.jol.info.GraphLayout;

/**
 * Bytes per VMA of an address space like DupMmapBench's (n one-page private anonymous VMAs with
 * alternating protections), untouched and with anon_vmas: off-heap, from the slab caches (object
 * size and the slab pages actually held, so slab overhead included); heap twin, measured with JOL
 * (the object graph reachable from the mm, less that of an empty mm). Run:
 * {@code java -cp benchmarks.jar org.kfork.bench.MmFootprint [n]}.
 */
public final class MmFootprint {
    private MmFootprint() {
    }

    /** Prints the table. */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10000;
        System.out.printf("%-10s %7s %16s %16s %8s%n", "space", "n", "offheap B/VMA", "heap B/VMA", "ratio");
        for (boolean anon : new boolean[] {false, true}) {
            double off = offHeapBytesPerVma(n, anon);
            double heap = heapBytesPerVma(n, anon);
            System.out.printf("%-10s %7d %16.1f %16.1f %8.2f%n", anon ? "ANON" : "UNTOUCHED", n, off, heap, heap / off);
        }
    }

    /** Slab bytes (pages held by the caches) per VMA, of the parent mm's VMAs, anon_vmas and chains. */
    static double offHeapBytesPerVma(int n, boolean anon) {
        try (Machine m = Machine.create(1L << 30)) {
            OffHeapMmSystem sys = OffHeapMmSystem.boot(m);
            AddressSpace mm = sys.mmAlloc();
            long before = slabBytes(sys);
            DupMmapBench.build(mm, n, anon);
            double perVma = (slabBytes(sys) - before) / (double) n;
            mm.mmput();
            sys.close();
            return perVma;
        }
    }

    private static long slabBytes(OffHeapMmSystem sys) {
        long bytes = 0;
        for (String name : new String[] {"vm_area_struct", "anon_vma", "anon_vma_chain"}) {
            for (SlabInfo si : sys.slabInfos()) {
                if (si.name().equals(name)) {
                    bytes += si.numSlabs() * si.pagesPerSlab() * Mman.PAGE_SIZE;
                }
            }
        }
        return bytes;
    }

    /** JOL: the retained graph of the mm less that of an empty mm, per VMA. */
    static double heapBytesPerVma(int n, boolean anon) {
        HeapMmSystem sys = new HeapMmSystem((1L << 30) >> Mman.PAGE_SHIFT);
        AddressSpace empty = sys.mmAlloc();
        long base = GraphLayout.parseInstance(empty).totalSize();
        AddressSpace mm = sys.mmAlloc();
        DupMmapBench.build(mm, n, anon);
        long total = GraphLayout.parseInstance(mm).totalSize();
        Map<String, Long> counts = sys.objectCounts();
        if (counts.get("vm_area_struct") != n) {
            throw new IllegalStateException("unexpected VMA count " + counts);
        }
        mm.mmput();
        empty.mmput();
        sys.close();
        return (total - base) / (double) n;
    }
}
