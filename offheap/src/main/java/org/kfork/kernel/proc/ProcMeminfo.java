package org.kfork.kernel.proc;

import org.kfork.alloc.SlabFlags;
import org.kfork.alloc.SlabInfo;
import org.kfork.alloc.PerCpu;
import org.kfork.kernel.Globals;
import org.kfork.kernel.fork.ThreadStacks;
import org.kfork.machine.Abi;
import org.kfork.machine.PageAllocator;
import org.kfork.mm.Overcommit;
import org.kfork.proc.Meminfo;

/**
 * fs/proc/meminfo.c (5.12), off-heap: the counters meminfo_proc_show reads, from the machine's
 * page allocator, slab caches, thread stacks, per-CPU chunk and the mm system. The text is
 * {@link Meminfo}'s (core), shared with the heap twin {@code HeapProcMeminfo}.
 *
 * <p>Each counter is read on its own, without a lock over all of them, as the kernel reads its
 * vmstat counters: a view taken while tasks run is a moment of each, not of the whole.
 */
public final class ProcMeminfo {
    private ProcMeminfo() {
    }

    /** The text of /proc/meminfo. */
    public static String meminfo(Globals g) {
        return counters(g).format();
    }

    /** The counters meminfo_proc_show prints, read now (crash_save_vmcoreinfo keeps them in an image too). */
    public static Meminfo counters(Globals g) {
        final Meminfo mi = new Meminfo();
        final PageAllocator pages = g.machine.pages();
        mi.totalramPages = pages.totalramPages();
        mi.freePages = pages.nrFreePages();
        for (SlabInfo i : g.kmem.slabs().infos()) {
            final long slabPages = i.numSlabs() * i.pagesPerSlab();
            if ((i.flags() & SlabFlags.SLAB_RECLAIM_ACCOUNT) != 0) {
                mi.slabReclaimablePages += slabPages;
            } else {
                mi.slabUnreclaimablePages += slabPages;
            }
        }
        final ThreadStacks stacks = g.forkInit.stacks();
        mi.kernelStackKb = stacks.nrKernelStackKb();
        mi.pageTablePages = g.mm.nrPagetable();
        final Overcommit oc = g.mm.overcommit();
        mi.commitLimitPages = oc.commitLimitPages();
        mi.committedPages = oc.committedPages();
        for (int cpu = 0; cpu < g.kmem.cpus().nrCpus(); cpu++) {
            mi.cachedStacks += stacks.cachedCount(cpu);
        }
        mi.percpuPages = (long) g.kmem.percpu().nrCpus() * (PerCpu.UNIT_SIZE / Abi.PAGE_SIZE);
        return mi;
    }
}
