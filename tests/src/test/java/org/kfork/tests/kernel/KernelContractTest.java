package org.kfork.tests.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.Kernels;
import org.kfork.heap.HeapKernel;
import org.kfork.kernel.OffHeapKernel;
import org.kfork.machine.Kasan;
import org.kfork.proc.Sysctls;
import org.kfork.uapi.Errno;

/** The Kernel contract on both kernels, through {@link Kernels#boot}: boot, the call layer, sysctls, introspection. */
class KernelContractTest {
    private static final KernelConfig SMALL = KernelConfig.DEFAULT.withRam(64L << 20);

    @Test
    void bothKernelsAreFoundByName() {
        assertTrue(Kasan.ENABLED, "checked mode is on in every off-heap test");
        List<String> names = Kernels.names();
        assertTrue(names.contains("offheap") && names.contains("heap"), names.toString());
        try (Kernel k = Kernels.boot("offheap", SMALL)) {
            assertTrue(k instanceof OffHeapKernel);
            assertEquals("offheap", k.name());
            assertSame(SMALL, k.config());
        }
        try (Kernel k = Kernels.boot("heap", SMALL)) {
            assertTrue(k instanceof HeapKernel);
            assertEquals("heap", k.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void unknownCallersGetEsrch(String impl) {
        try (Kernel k = Kernels.boot(impl, SMALL)) {
            for (int caller : new int[] {0, -1, 4_194_304, 77}) {
                assertEquals(-Errno.ESRCH, k.getpid(caller), "getpid by " + caller);
                assertEquals(-Errno.ESRCH, k.kill(caller, 1, 9));
                assertEquals(-Errno.ESRCH, k.mmap(caller, 0, 4096, 3, 0x22, -1, 0));
                assertEquals(-Errno.ESRCH, k.writeUser(caller, 0x10000, new byte[4], 0, 4));
                assertEquals(-Errno.ESRCH, k.setCred(caller, 1000, 1000, 0));
                assertNull(k.procStatus(caller));
                assertNull(k.procMaps(caller));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void sysctlsReadWriteAndRefuse(String impl) {
        try (Kernel k = Kernels.boot(impl, KernelConfig.DEFAULT)) {
            assertEquals(32768, k.sysctl(Sysctls.PID_MAX));
            assertEquals(0, k.sysctl(Sysctls.PID_MAX, 4096));
            assertEquals(4096, k.sysctl(Sysctls.PID_MAX));
            assertEquals(-Errno.EINVAL, k.sysctl(Sysctls.PID_MAX, 1));
            long threads = k.sysctl(Sysctls.THREADS_MAX);
            assertTrue(threads > 0, "threads-max " + threads);
            assertEquals(0, k.sysctl(Sysctls.THREADS_MAX, 10));
            assertEquals(10, k.sysctl(Sysctls.THREADS_MAX));
            assertEquals(-Errno.EINVAL, k.sysctl(Sysctls.THREADS_MAX, 0));
            assertEquals(65530, k.sysctl(Sysctls.MAX_MAP_COUNT));
            assertEquals(0, k.sysctl(Sysctls.MAX_MAP_COUNT, 100));
            assertEquals(100, k.sysctl(Sysctls.MAX_MAP_COUNT));
            assertEquals(-Errno.EINVAL, k.sysctl(Sysctls.MAX_MAP_COUNT, -1));
            assertEquals(0, k.sysctl(Sysctls.OVERCOMMIT_MEMORY));
            assertEquals(0, k.sysctl(Sysctls.OVERCOMMIT_MEMORY, 2));
            assertEquals(2, k.sysctl(Sysctls.OVERCOMMIT_MEMORY));
            assertEquals(-Errno.EINVAL, k.sysctl(Sysctls.OVERCOMMIT_MEMORY, 3));
            assertEquals(50, k.sysctl(Sysctls.OVERCOMMIT_RATIO));
            assertEquals(0, k.sysctl(Sysctls.OVERCOMMIT_RATIO, 80));
            assertEquals(80, k.sysctl(Sysctls.OVERCOMMIT_RATIO));
            assertEquals(-Errno.ENOENT, k.sysctl("kernel.nosuch"));
            assertEquals(-Errno.ENOENT, k.sysctl("kernel.nosuch", 1));
            assertEquals(threads / 2, k.sysctl("user.max_pid_namespaces"));
            assertEquals(0, k.sysctl("user.max_pid_namespaces", 3));
            assertEquals(3, k.sysctl("user.max_pid_namespaces"));
            assertEquals(-Errno.EINVAL, k.sysctl("user.max_pid_namespaces", -1));
        }
    }

    @Test
    void bothKernelsBootTheSameSysctls() {
        try (Kernel off = Kernels.boot("offheap", KernelConfig.DEFAULT); Kernel heap = Kernels.boot("heap", KernelConfig.DEFAULT)) {
            for (String name : Sysctls.names()) {
                assertEquals(off.sysctl(name), heap.sysctl(name), name);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void slabinfoAndObjectCounts(String impl) {
        try (Kernel k = Kernels.boot(impl, SMALL)) {
            String s = k.slabinfo();
            assertTrue(s.startsWith("slabinfo - version: 2.1\n# name "), s);
            Map<String, Long> counts = k.objectCounts();
            for (String kind : new String[] {"task_struct", "pid", "cred_jar", "signal_cache", "sighand_cache"}) {
                assertTrue(counts.containsKey(kind), kind + " in " + counts.keySet());
                assertTrue(s.contains("\n" + kind + " "), kind + " in slabinfo");
            }
            assertEquals(counts, k.objectCounts(), "nothing moves between two looks");
            k.rcuBarrier();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void aClosedKernelRefusesCalls(String impl) {
        Kernel k = Kernels.boot(impl, SMALL);
        k.close();
        k.close(); // a second close does nothing
        assertThrows(IllegalStateException.class, () -> k.getpid(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void bootStartsPid1AndItForks(String impl) {
        try (Kernel k = Kernels.boot(impl, SMALL)) {
            assertEquals(1, k.getpid(1));
            assertEquals(1, k.gettid(1));
            assertEquals(0, k.getppid(1), "init's parent is the idle task, pid 0");
            long c = k.fork(1);
            assertEquals(2, c);
            assertEquals(1, k.getppid(2));
            assertEquals(2, k.getpid(2));
            String status = k.procStatus(2);
            assertTrue(status.contains("\nPid:\t2\nPPid:\t1\n"), status);
            assertTrue(status.contains("\nNSpid:\t2\n"), status);
            assertTrue(status.contains("\nThreads:\t1\n"), status);
            assertTrue(status.contains("\nCapEff:\t000001ffffffffff\n"), status);
            assertEquals(List.of(1, 2), k.tasks().stream().map(t -> t.pid()).toList());
            assertEquals(1, k.tasks().get(1).ppid());
        }
    }

    @Test
    void theTaskListHoldsNoIdleTask() {
        try (Kernel off = Kernels.boot("offheap", SMALL); Kernel heap = Kernels.boot("heap", SMALL)) {
            assertFalse(off.tasks().stream().anyMatch(t -> t.pid() == 0), "init_task (pid 0) is the list's head");
            assertEquals(off.tasks(), heap.tasks());
        }
    }
}
