package org.kfork.kernel.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.kernel.struct.ListHead;
import org.kfork.kernel.struct.ReferenceLayouts;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.WaitQueueHead;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.sched.Limits;
import org.kfork.testing.LeakCheck;

/** fork_init and proc_caches_init: the caches, max_threads, the init limits, the sysctl. */
class ForkInitTest {
    static final Machine MACHINE = Machine.builder().ram(64 << 20).cpus(2).build();
    static final Kmem KMEM = Kmem.of(MACHINE);
    static final ForkInit FORK = ForkInit.boot(KMEM);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        FORK.close();
        MACHINE.close();
    }

    @Test
    void cachesHaveTheKernelsSizesFlagsAndUsercopyWindows() {
        KmemCache task = FORK.taskStructCachep();
        assertEquals(7040, task.objectSize());
        assertEquals(64, task.align());
        assertEquals(SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, task.flags());
        assertEquals(2944, task.useroffset(), "thread.fpu.state inside task_struct");
        assertEquals(4096, task.usersize());

        assertEquals(2080, FORK.sighandCachep().objectSize());
        assertTrue((FORK.sighandCachep().flags() & SlabFlags.SLAB_TYPESAFE_BY_RCU) != 0);
        assertNotNull(FORK.sighandCachep().ctor());
        assertEquals(1088, FORK.signalCachep().objectSize());
        assertEquals(704, FORK.filesCachep().objectSize());
        assertEquals(56, FORK.fsCachep().objectSize());
        assertEquals(64, FORK.fsCachep().align(), "HWCACHE_ALIGN");
        assertEquals(1024, FORK.mmCachep().objectSize(), "sizeof(mm_struct) + cpumask_size()");
        assertEquals(352, FORK.mmCachep().useroffset());
        assertEquals(368, FORK.mmCachep().usersize());
        assertEquals(200, FORK.vmAreaCachep().objectSize());
        assertEquals(8, FORK.vmAreaCachep().align());
        assertEquals(0, FORK.vmAreaCachep().flags() & SlabFlags.SLAB_HWCACHE_ALIGN);

        String info = KMEM.slabs().slabinfo();
        for (String name : List.of("task_struct", "sighand_cache", "signal_cache", "files_cache", "fs_cache",
            "mm_struct", "vm_area_struct", "vm_struct")) {
            assertTrue(info.contains("\n" + name + " "), name + " missing from\n" + info);
        }
    }

    @Test
    void sighandCtorInitializesLockAndWaitQueueOnce() {
        long sh = FORK.sighandCachep().alloc(0);
        assertEquals(0, Mem.getInt(sh + SighandStruct.SIGLOCK));
        long head = sh + SighandStruct.SIGNALFD_WQH + WaitQueueHead.HEAD;
        assertEquals(sh + 16, head);
        assertEquals(head, Mem.getLong(head + ListHead.NEXT), "signalfd_wqh.head.next points at itself");
        assertEquals(head, Mem.getLong(head + ListHead.PREV));
        FORK.sighandCachep().free(0, sh);
    }

    @Test
    void maxThreadsIsAnEighthOfRamInStacksClamped() {
        // 64 MiB: 16384 pages * 4096 / (16384 * 8) = 512.
        assertEquals(512, FORK.maxThreads());
        ForkInit.InitLimits l = FORK.initLimits();
        assertEquals(256, l.nprocCur);
        assertEquals(256, l.nprocMax);
        assertEquals(256, l.sigpendingCur);
        assertEquals(256, l.sigpendingMax);
        try {
            FORK.setMaxThreads(100);
            assertEquals(100, FORK.maxThreads(), "the suggestion caps it");
            FORK.setMaxThreads(3);
            assertEquals(Limits.MIN_THREADS, FORK.maxThreads(), "clamped up to MIN_THREADS");
        } finally {
            FORK.setMaxThreads(Limits.MAX_THREADS);
        }
        try (Machine tiny = Machine.builder().ram(1 << 20).cpus(1).build()) {
            Kmem k = Kmem.of(tiny);
            ForkInit f = ForkInit.boot(k);
            assertEquals(Limits.MIN_THREADS, f.maxThreads(), "1 MiB gives 8, clamped to 20");
            f.close();
        }
    }

    @Test
    void sysctlThreadsMaxReadsAndWritesWithinBounds() {
        int old = FORK.maxThreads();
        try {
            assertEquals(old, FORK.sysctlMaxThreads(false, 0));
            assertEquals(-22, FORK.sysctlMaxThreads(true, 0));
            assertEquals(-22, FORK.sysctlMaxThreads(true, Limits.MAX_THREADS + 1L));
            assertEquals(-22, FORK.sysctlMaxThreads(true, -5));
            assertEquals(old, FORK.maxThreads(), "a rejected write changes nothing");
            assertEquals(Limits.MAX_THREADS, FORK.sysctlMaxThreads(true, Limits.MAX_THREADS));
            assertEquals(1, FORK.sysctlMaxThreads(true, 1), "5.12's floor for the sysctl is 1");
            assertEquals(1000, FORK.sysctlMaxThreads(true, 1000));
            assertEquals(1000, FORK.sysctlMaxThreads(false, 0));
        } finally {
            FORK.sysctlMaxThreads(true, old);
        }
    }

    @Test
    void processCountsAreSummedOverCpus() {
        long before = FORK.nrProcesses();
        long before1 = FORK.processCounts().get(1);
        FORK.processCounts().inc(0);
        FORK.processCounts().inc(1);
        FORK.processCounts().inc(1);
        assertEquals(before + 3, FORK.nrProcesses());
        assertEquals(before1 + 2, FORK.processCounts().get(1));
        FORK.processCounts().dec(0);
        FORK.processCounts().dec(0); // a CPU's copy may go negative: a task forked on 1 exits on 0
        FORK.processCounts().dec(1);
        assertEquals(before, FORK.nrProcesses());
    }

    /** The values fork_init derives from layouts agree with gcc's layouts of 5.12. */
    @Test
    void derivedValuesMatchTheReferenceLayouts() {
        long useroffset = ref("task_struct", "thread").offset() + ref("thread_struct", "fpu").offset()
            + ref("fpu", "state").offset();
        assertEquals(useroffset, ForkInit.TASK_USEROFFSET, "task_struct_whitelist's offset");
        assertEquals(ref("fpu", "state").size(), ForkInit.TASK_USERSIZE, "fpu_kernel_xstate_size");
        assertEquals(ref("mm_struct", "cpu_bitmap").offset() + ForkInit.CPUMASK_SIZE, FORK.mmCachep().objectSize(),
            "the mm_struct cache object ends with one cpumask for the possible CPUs");
        assertEquals(ref("mm_struct", "saved_auxv").offset(), FORK.mmCachep().useroffset());
        assertEquals(ref("mm_struct", "saved_auxv").size(), FORK.mmCachep().usersize());
    }

    private static ReferenceLayouts.Row ref(String struct, String field) {
        for (ReferenceLayouts.Row r : ReferenceLayouts.byStruct().get(struct)) {
            if (r.field().equals(field)) {
                return r;
            }
        }
        throw new AssertionError(struct + "." + field + " is not in the reference");
    }
}
