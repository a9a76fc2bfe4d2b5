package org.kfork.kernel.fork;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.kfork.machine.Machine;

/**
 * What the fork suites share: both kernels fresh for each test (a 64 MiB, 2-CPU machine and its
 * off-heap kernel, and a heap kernel of the same RAM and CPUs), each with init as pid 1. Closing
 * the worlds unforks what a test left, and init, and is the leak check: the machine's counters
 * (off-heap) and the heap kernel's kinds back at their values after boot.
 */
abstract class ForkSuite {
    enum Kind {
        OFFHEAP, HEAP
    }

    static final long RAM = 64L << 20;
    static final int CPUS = 2;
    /** The object kinds both kernels count under the same name. */
    static final List<String> KINDS = List.of("task_struct", "pid", "cred_jar", "files_cache", "fs_cache",
        "sighand_cache", "signal_cache", "mm_struct", "vm_area_struct", "nsproxy", "pid_namespace", "filp",
        "io_context", "uid_cache", "task_delay_info");

    final Machine machine = Machine.builder().ram(RAM).cpus(CPUS).build();
    final OffHeapForkWorld offHeap = new OffHeapForkWorld(machine);
    final HeapForkWorld heap = new HeapForkWorld(machine.pages().totalramPages(), CPUS);

    /** Each world's close is its leak check (from boot, init included); then the machine goes. */
    @AfterEach
    void closeWorlds() {
        try {
            offHeap.close();
            heap.close();
        } finally {
            machine.close();
        }
    }

    ForkWorld w(Kind kind) {
        return kind == Kind.OFFHEAP ? offHeap : heap;
    }
}
