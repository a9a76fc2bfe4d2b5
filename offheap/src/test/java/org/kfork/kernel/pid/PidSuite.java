package org.kfork.kernel.pid;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.heap.HeapGlobals;
import org.kfork.kernel.Globals;
import org.kfork.machine.Machine;
import org.kfork.testing.HeapLeakCheck;
import org.kfork.testing.LeakCheck;

/**
 * What the suites of the pid room share: each test gets both kernels fresh (a 64 MiB, 2-CPU
 * machine with its off-heap kernel, and a heap kernel of the same RAM and CPUs, so both compute
 * the same pid_max and ucount limit), both adapters, the machine's leak check (which closes it
 * afterwards) and the heap twin's. The pid_N caches and kinds exist before the baselines are
 * taken, so a namespace created in a test adds no cache.
 */
abstract class PidSuite {
    enum Kind {
        OFFHEAP, HEAP
    }

    static final long RAM = 64L << 20;
    static final int CPUS = 2;

    final Machine machine = Machine.builder().ram(RAM).cpus(CPUS).build();
    final Globals g = Globals.boot(machine);
    final OffHeapPidVariant offHeap = new OffHeapPidVariant(g);
    final HeapGlobals hg = HeapGlobals.boot(machine.pages().totalramPages(), CPUS);
    final HeapPidVariant heap = new HeapPidVariant(hg);

    @RegisterExtension
    final LeakCheck leaks = LeakCheck.thenClose(() -> machine);
    @RegisterExtension
    final HeapLeakCheck heapLeaks = new HeapLeakCheck(() -> hg);

    /** Frees the tasks the test made (before the leak checks, which run after this). */
    @AfterEach
    void closeVariants() {
        offHeap.close();
        heap.close();
    }

    PidVariant v(Kind kind) {
        return kind == Kind.OFFHEAP ? offHeap : heap;
    }
}
