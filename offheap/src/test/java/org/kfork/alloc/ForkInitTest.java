package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
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
        assertEquals(0, Mem.getInt(sh));
        long head = sh + 16;
        assertEquals(head, Mem.getLong(head), "signalfd_wqh.head.next points at itself");
        assertEquals(head, Mem.getLong(head + 8));
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
        for (int v : l.ucountMax) {
            assertEquals(256, v);
        }
        try {
            FORK.setMaxThreads(100);
            assertEquals(100, FORK.maxThreads(), "the suggestion caps it");
            FORK.setMaxThreads(3);
            assertEquals(ForkInit.MIN_THREADS, FORK.maxThreads(), "clamped up to MIN_THREADS");
        } finally {
            FORK.setMaxThreads(ForkInit.MAX_THREADS);
        }
        try (Machine tiny = Machine.builder().ram(1 << 20).cpus(1).build()) {
            Kmem k = Kmem.of(tiny);
            ForkInit f = ForkInit.boot(k);
            assertEquals(ForkInit.MIN_THREADS, f.maxThreads(), "1 MiB gives 8, clamped to 20");
            f.close();
        }
    }

    @Test
    void sysctlThreadsMaxReadsAndWritesWithinBounds() {
        int old = FORK.maxThreads();
        try {
            assertEquals(old, FORK.sysctlMaxThreads(false, 0));
            assertEquals(-22, FORK.sysctlMaxThreads(true, 0));
            assertEquals(-22, FORK.sysctlMaxThreads(true, ForkInit.MAX_THREADS + 1L));
            assertEquals(-22, FORK.sysctlMaxThreads(true, -5));
            assertEquals(old, FORK.maxThreads(), "a rejected write changes nothing");
            assertEquals(ForkInit.MAX_THREADS, FORK.sysctlMaxThreads(true, ForkInit.MAX_THREADS));
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

    /** The named offsets and sizes agree with gcc's layouts of 5.12. */
    @Test
    void constantsMatchTheReferenceLayouts() throws IOException {
        Path csv = findReference();
        Map<String, Long> offset = new HashMap<>();
        Map<String, Long> size = new HashMap<>();
        for (String line : Files.readAllLines(csv)) {
            String[] f = line.split(",", -1);
            if (f.length < 6 || f[0].equals("struct")) {
                continue;
            }
            try {
                offset.put(f[0] + "." + f[1], Long.parseLong(f[3]));
                size.put(f[0] + "." + f[1], Long.parseLong(f[4]));
            } catch (NumberFormatException e) {
                // anonymous containers without numbers
            }
        }
        assertEquals(TaskFields.STATE, offset.get("task_struct.state"));
        assertEquals(TaskFields.STACK, offset.get("task_struct.stack"));
        assertEquals(TaskFields.USAGE, offset.get("task_struct.usage"));
        assertEquals(TaskFields.CPU, offset.get("task_struct.cpu"));
        assertEquals(TaskFields.STACK_VM_AREA, offset.get("task_struct.stack_vm_area"));
        assertEquals(TaskFields.STACK_REFCOUNT, offset.get("task_struct.stack_refcount"));
        assertEquals(TaskFields.THREAD, offset.get("task_struct.thread"));
        assertEquals(TaskFields.THREAD_FPU, offset.get("thread_struct.fpu"));
        assertEquals(TaskFields.FPU_STATE, offset.get("fpu.state"));
        assertEquals(TaskFields.FPU_STATE_SIZE, size.get("fpu.state"));
        assertEquals(TaskFields.ARCH_TASK_STRUCT_SIZE, size.get("task_struct.__SIZEOF__"));
        assertEquals(ForkInit.SIGNAL_STRUCT_SIZE, size.get("signal_struct.__SIZEOF__"));
        assertEquals(ForkInit.SIGHAND_STRUCT_SIZE, size.get("sighand_struct.__SIZEOF__"));
        assertEquals(ForkInit.SIGHAND_SIGLOCK, offset.get("sighand_struct.siglock"));
        assertEquals(ForkInit.SIGHAND_SIGNALFD_WQH, offset.get("sighand_struct.signalfd_wqh"));
        assertEquals(ForkInit.FILES_STRUCT_SIZE, size.get("files_struct.__SIZEOF__"));
        assertEquals(ForkInit.FS_STRUCT_SIZE, size.get("fs_struct.__SIZEOF__"));
        assertEquals(ForkInit.MM_STRUCT_SIZE, size.get("mm_struct.__SIZEOF__"));
        assertEquals(ForkInit.MM_STRUCT_SIZE, offset.get("mm_struct.cpu_bitmap"));
        assertEquals(ForkInit.MM_SAVED_AUXV, offset.get("mm_struct.saved_auxv"));
        assertEquals(ForkInit.MM_SAVED_AUXV_SIZE, size.get("mm_struct.saved_auxv"));
        assertEquals(ForkInit.VM_AREA_STRUCT_SIZE, size.get("vm_area_struct.__SIZEOF__"));
    }

    private static Path findReference() {
        for (Path p : List.of(Path.of("/work/shared/reference/layouts-5.12.csv"),
            Path.of(System.getProperty("kfork.root", "."), "reference", "layouts-5.12.csv"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new AssertionError("reference/layouts-5.12.csv not found");
    }
}
