package org.kfork.heap.proc;

import java.util.Map;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapThreadStacks;
import org.kfork.mm.Overcommit;
import org.kfork.mm.Pgtable;
import org.kfork.proc.Meminfo;

/**
 * The heap twin of org.kfork.kernel.proc.ProcMeminfo: /proc/meminfo's counters. The twin has no
 * page allocator, slab pages nor per-CPU chunk: its objects live on the Java heap. So Slab,
 * SReclaimable, SUnreclaim, KReclaimable and Percpu are 0, and MemFree is RAM less the pages the
 * twin counts as page frames (user pages, page tables, pgds) and thread stacks, where the
 * off-heap kernel's is its buddy allocator's free pages. Every other line is the same counter as
 * off-heap, and prints the same for the same history.
 */
public final class HeapProcMeminfo {
    private HeapProcMeminfo() {
    }

    /** The text of /proc/meminfo. */
    public static String meminfo(HeapGlobals g) {
        final Meminfo mi = new Meminfo();
        mi.totalramPages = g.totalramPages;
        final HeapThreadStacks stacks = g.stacks;
        mi.kernelStackKb = stacks.nrKernelStackKb();
        mi.pageTablePages = g.mm.nrPagetable();
        final Overcommit oc = g.mm.overcommit();
        mi.commitLimitPages = oc.commitLimitPages();
        mi.committedPages = oc.committedPages();
        for (int cpu = 0; cpu < stacks.nrCpus(); cpu++) {
            mi.cachedStacks += stacks.cachedCount(cpu);
        }
        final Map<String, Long> frames = g.mm.objectCounts();
        final long used = frames.get("page") + frames.get("pgtable")
            + (frames.get("pgd") << Pgtable.PGD_ALLOCATION_ORDER) + mi.vmallocPages();
        mi.freePages = Math.max(0, mi.totalramPages - used);
        return mi.format();
    }
}
