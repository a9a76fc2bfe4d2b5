package org.kfork.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CurrentCpuTest {
    @AfterEach
    void unbind() {
        CurrentCpu.unbind();
    }

    @Test
    void defaultAssignmentIsStableAndInRange() {
        for (int nr = 1; nr <= CurrentCpu.MAX_CPUS; nr++) {
            int cpu = CurrentCpu.current(nr);
            assertTrue(cpu >= 0 && cpu < nr, "cpu " + cpu + " for nr " + nr);
            assertEquals(cpu, CurrentCpu.current(nr), "same thread, same CPU");
        }
        assertEquals(-1, CurrentCpu.boundCpu());
    }

    @Test
    void bindOverridesAndFoldsOntoSmallerMachines() {
        CurrentCpu.bind(5);
        assertEquals(5, CurrentCpu.current(8));
        assertEquals(5, CurrentCpu.boundCpu());
        assertEquals(1, CurrentCpu.current(4), "5 folds to 5 % 4 on a 4-CPU machine");
        CurrentCpu.unbind();
        assertEquals(-1, CurrentCpu.boundCpu());
        assertThrows(IllegalArgumentException.class, () -> CurrentCpu.bind(64));
        assertThrows(IllegalArgumentException.class, () -> CurrentCpu.bind(-1));
    }

    @Test
    void pinnedThreadReportsItsCpuAndRefusesRebinding() throws InterruptedException {
        AtomicInteger seen = new AtomicInteger(-2);
        AtomicInteger refused = new AtomicInteger();
        CpuThread t = new CpuThread(3, () -> {
            seen.set(CurrentCpu.current(4));
            try {
                CurrentCpu.bind(2);
            } catch (IllegalStateException e) {
                refused.incrementAndGet();
            }
            CurrentCpu.bind(3); // binding to its own CPU is allowed
        }, "pinned-3");
        t.start();
        t.join();
        assertEquals(3, seen.get());
        assertEquals(1, refused.get());
    }

    @Test
    void defaultAssignmentSpreadsThreads() throws InterruptedException {
        int nr = 4;
        int[] hits = new int[nr];
        for (int i = 0; i < 64; i++) {
            int[] got = new int[1];
            Thread t = new Thread(() -> got[0] = CurrentCpu.current(nr));
            t.start();
            t.join();
            hits[got[0]]++;
        }
        for (int c = 0; c < nr; c++) {
            assertTrue(hits[c] > 0, "CPU " + c + " never chosen for 64 threads");
        }
    }

    /** A thread whose id collides with a bound thread's table slot is bound through the fallback. */
    @Test
    @SuppressWarnings("deprecation")
    void collidingBindingsFallBackAndStayCorrect() throws InterruptedException {
        CurrentCpu.bind(7);
        long mine = Thread.currentThread().getId() & 1023;
        AtomicInteger seen = new AtomicInteger(-1);
        AtomicInteger unboundSeen = new AtomicInteger(-1);
        for (int i = 0; i < 5000; i++) {
            Thread t = new Thread(() -> {
                if ((Thread.currentThread().getId() & 1023) == mine) {
                    CurrentCpu.bind(9);
                    seen.set(CurrentCpu.current(16));
                    CurrentCpu.unbind();
                    unboundSeen.set(CurrentCpu.boundCpu());
                }
            });
            t.start();
            t.join();
            if (seen.get() >= 0) {
                break;
            }
        }
        assertEquals(9, seen.get(), "the colliding thread got its own CPU");
        assertEquals(-1, unboundSeen.get());
        assertEquals(7, CurrentCpu.current(16), "and the first binding is untouched");
    }
}
