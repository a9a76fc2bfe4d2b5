package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.machine.Machine;
import org.kfork.smp.CpuThread;
import org.kfork.smp.CurrentCpu;
import org.kfork.testing.LeakCheck;

/** Modeled CPUs, hotplug states and the per-CPU areas. */
class CpusPerCpuTest {
    static final Machine MACHINE = Machine.builder().ram(16 << 20).cpus(4).build();
    static final Kmem KMEM = Kmem.of(MACHINE);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        MACHINE.close();
    }

    @Test
    void perCpuCopiesAreFarApartAndAtomic() {
        PerCpu pc = KMEM.percpu();
        int a = pc.alloc(8, 8);
        int b = pc.alloc(16, 128);
        try {
            assertEquals(0, b % 128);
            for (int cpu = 1; cpu < 4; cpu++) {
                assertTrue(pc.ptr(cpu, a) - pc.ptr(cpu - 1, a) >= 128, "hot data 128 bytes apart");
            }
            assertEquals(0, pc.read(2, a), "zeroed");
            pc.add(2, a, 5);
            assertEquals(5, pc.xchg(2, a, 9));
            assertEquals(9, pc.cmpxchg(2, a, 9, 11), "success returns the expected value");
            assertEquals(11, pc.cmpxchg(2, a, 9, 13), "failure returns the witness");
            assertEquals(11, pc.read(2, a));
            assertEquals(0, pc.read(1, a), "other CPUs untouched");
            pc.write(3, a, 4);
            assertEquals(15, pc.sum(a));
        } finally {
            pc.free(a, 8);
            pc.free(b, 16);
        }
    }

    @Test
    void hotplugRunsTeardownsInReverseAndStartupsInOrder() {
        Cpus cpus = KMEM.cpus();
        List<String> log = new ArrayList<>();
        cpus.setupState("test:a", cpu -> {
            log.add("up-a" + cpu);
            return 0;
        }, cpu -> {
            log.add("down-a" + cpu);
            return 0;
        });
        log.clear(); // setup ran startup on the 4 online CPUs
        cpus.setupState("test:b", null, cpu -> {
            log.add("down-b" + cpu);
            return 0;
        });
        try {
            assertEquals(0, cpus.cpuDown(1));
            assertEquals(List.of("down-b1", "down-a1"), log);
            assertTrue(!cpus.isOnline(1));
            assertEquals(3, cpus.numOnline());
            assertEquals(-22, cpus.cpuDown(1), "already offline");
            log.clear();
            assertEquals(0, cpus.cpuUp(1));
            assertEquals(List.of("up-a1"), log);
            assertEquals(-22, cpus.cpuUp(1));
        } finally {
            cpus.removeState("test:a");
            cpus.removeState("test:b");
        }
    }

    @Test
    void currentCpuFollowsPinningAndBinding() throws InterruptedException {
        Cpus cpus = KMEM.cpus();
        int[] seen = new int[1];
        Thread t = new CpuThread(3, () -> seen[0] = cpus.current(), "pinned");
        t.start();
        t.join();
        assertEquals(3, seen[0]);
        CurrentCpu.bind(2);
        try {
            assertEquals(2, cpus.current());
        } finally {
            CurrentCpu.unbind();
        }
    }
}
