package org.kfork.stress;

import java.util.Map;
import java.util.TreeMap;

import org.kfork.alloc.Kmem;
import org.kfork.api.Kernel;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.HeapKernel;
import org.kfork.kernel.Globals;
import org.kfork.kernel.OffHeapKernel;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.machine.Mem;

/**
 * The counters a storm must leave at their baseline, read from inside either kernel: nr_threads,
 * nr_processes (process_counts summed over the CPUs), init_pid_ns's pid_allocated and the numbers
 * its IDR holds, the overcommit charge (vm_committed_as), every cache's live objects, and for the
 * off-heap machine the page allocator's and the slabs' own counters. Read with no call in flight.
 */
final class KernelCounters {
    private KernelCounters() {
    }

    /** The counters of {@code k} (the off-heap kernel or its heap twin). */
    static Map<String, Long> of(Kernel k) {
        final Map<String, Long> m = new TreeMap<>();
        k.objectCounts().forEach((name, n) -> m.put("objects." + name, n));
        if (k instanceof OffHeapKernel off) {
            final Globals g = off.globals();
            m.put("nr_threads", (long) g.nrThreads);
            m.put("nr_processes", g.forkInit.nrProcesses());
            m.put("init_pid_ns.pid_allocated", (long) Mem.getInt(g.initPidNs + PidNamespace.PID_ALLOCATED));
            final long idr = g.initPidNs + PidNamespace.IDR;
            long ids = 0;
            for (int id = g.idr.idrGetNext(idr, 0); id >= 0; id = g.idr.idrGetNext(idr, id + 1)) {
                ids++;
            }
            m.put("init_pid_ns.idr_ids", ids);
            m.put("vm_committed_as", g.mm.overcommit().committedPages());
            Kmem.quiesce(off.machine());
            off.machine().snapshot().forEach((name, n) -> m.put("machine." + name, n));
        } else if (k instanceof HeapKernel heap) {
            final HeapGlobals g = heap.globals();
            m.put("nr_threads", (long) g.nrThreads);
            long procs = 0;
            for (int cpu = 0; cpu < g.processCounts.length(); cpu++) {
                procs += g.processCounts.get(cpu);
            }
            m.put("nr_processes", procs);
            m.put("init_pid_ns.pid_allocated", (long) g.initPidNs.pidAllocated());
            m.put("vm_committed_as", g.mm.overcommit().committedPages());
        }
        return m;
    }
}
