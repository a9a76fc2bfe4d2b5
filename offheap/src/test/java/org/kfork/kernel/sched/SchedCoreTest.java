package org.kfork.kernel.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.kfork.kernel.fork.TaskCoreVariant.TaskField.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.kernel.fork.TaskCoreVariant;
import org.kfork.sched.Prio;
import org.kfork.sched.TaskState;
import org.kfork.smp.CurrentCpu;
import org.kfork.uapi.Errno;

/**
 * kernel/sched/core.c's fork path on both kernels: sched_fork's priority rules (no inherited
 * boost, real-time inherited, sched_reset_on_fork, deadline tasks refused), __sched_fork's resets,
 * and wake_up_new_task's fork balancing and run-queue counts.
 */
class SchedCoreTest {
    @BeforeEach
    void bindCpu0() {
        CurrentCpu.bind(0);
    }

    @AfterEach
    void unbind() {
        CurrentCpu.unbind();
    }

    /** A process forked from init_task and allowed on both CPUs (as kernel_init makes itself). */
    private static Object parent(TaskCoreVariant v) {
        Object p = v.dup(v.initTask());
        v.initTaskTidsAndPi(p, 0, 0);
        assertEquals(0, v.initTaskState(v.initTask(), p));
        assertEquals(0, v.schedFork(v.initTask(), 0, p));
        v.set(p, CPUS_MASK, 0b11);
        v.set(p, NR_CPUS_ALLOWED, 2);
        return p;
    }

    /** dup_task_struct and the copy_process steps up to sched_fork, which it returns. */
    private static int fork(TaskCoreVariant v, Object parent, List<Object> out) {
        Object c = v.dup(parent);
        assertNotNull(c);
        v.initTaskTidsAndPi(c, 0, 0);
        assertEquals(0, v.initTaskState(parent, c));
        out.add(c);
        return v.schedFork(parent, 0, c);
    }

    private static void discardAll(TaskCoreVariant v, List<Object> tasks) {
        for (Object t : tasks) {
            v.delayacctTskFree(t);
            v.abandon(t);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void aChildGetsTheParentsNormalPriorityNotItsBoost(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            List<Object> ts = new ArrayList<>();
            Object p = parent(v);
            ts.add(p);
            v.set(p, PRIO, 10); // boosted by priority inheritance
            v.set(p, SE_VRUNTIME, 777);
            v.set(p, SE_SUM_EXEC_RUNTIME, 888);
            v.set(p, DL_RUNTIME, 999);
            v.set(p, RT_TIME_SLICE, 3);
            assertEquals(0, fork(v, p, ts));
            Object c = ts.get(1);
            assertEquals(Prio.DEFAULT_PRIO, v.get(c, PRIO));
            assertEquals(Prio.DEFAULT_PRIO, v.get(c, NORMAL_PRIO));
            assertEquals("fair_sched_class", v.schedClass(c));
            assertEquals(TaskState.TASK_NEW, v.get(c, STATE), "nobody can wake it yet");
            assertEquals(0, v.get(c, CPU), "the forking CPU");
            assertEquals(0, v.get(c, WAKE_CPU));
            assertEquals(0, v.get(c, ON_RQ));
            assertEquals(0, v.get(c, ON_CPU));
            assertEquals(0, v.get(c, SE_VRUNTIME));
            assertEquals(0, v.get(c, SE_SUM_EXEC_RUNTIME));
            assertEquals(0, v.get(c, DL_RUNTIME));
            assertEquals(Prio.RR_TIMESLICE, v.get(c, RT_TIME_SLICE));
            assertEquals(Prio.MAX_PRIO, v.get(c, PUSHABLE_PRIO));
            assertEquals(Prio.CSD_TYPE_TTWU, v.get(c, WAKE_ENTRY_U_FLAGS));
            assertNotEquals(0, v.get(c, RSEQ_EVENT_MASK) & 1L << Prio.RSEQ_EVENT_MIGRATE_BIT, "rseq_migrate");
            assertEquals(1024L << 10, v.get(c, LOAD_WEIGHT), "the parent's weight, copied");
            discardAll(v, ts);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void aRealTimeParentGivesARealTimeChild(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            List<Object> ts = new ArrayList<>();
            Object p = parent(v);
            ts.add(p);
            v.set(p, POLICY, Prio.SCHED_FIFO);
            v.set(p, RT_PRIORITY, 50);
            v.set(p, NORMAL_PRIO, Prio.normalPrio(Prio.SCHED_FIFO, 50, 120));
            v.set(p, PRIO, 49);
            assertEquals(0, fork(v, p, ts));
            Object c = ts.get(1);
            assertEquals(49, v.get(c, PRIO));
            assertEquals(Prio.SCHED_FIFO, v.get(c, POLICY));
            assertEquals(50, v.get(c, RT_PRIORITY));
            assertEquals("rt_sched_class", v.schedClass(c));
            discardAll(v, ts);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void resetOnForkSendsARealTimeChildBackToNormal(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            List<Object> ts = new ArrayList<>();
            Object p = parent(v);
            ts.add(p);
            v.set(p, POLICY, Prio.SCHED_RR);
            v.set(p, RT_PRIORITY, 10);
            v.set(p, NORMAL_PRIO, 89);
            v.set(p, PRIO, 89);
            v.set(p, SCHED_RESET_ON_FORK, 1);
            assertEquals(0, fork(v, p, ts));
            Object c = ts.get(1);
            assertEquals(Prio.SCHED_NORMAL, v.get(c, POLICY));
            assertEquals(Prio.DEFAULT_PRIO, v.get(c, STATIC_PRIO));
            assertEquals(Prio.DEFAULT_PRIO, v.get(c, PRIO));
            assertEquals(Prio.DEFAULT_PRIO, v.get(c, NORMAL_PRIO));
            assertEquals(0, v.get(c, RT_PRIORITY));
            assertEquals(0, v.get(c, SCHED_RESET_ON_FORK), "the flag did its duty");
            assertEquals(1, v.get(p, SCHED_RESET_ON_FORK), "the parent keeps it");
            assertEquals("fair_sched_class", v.schedClass(c));
            assertEquals(1024L << 10, v.get(c, LOAD_WEIGHT));
            assertEquals(4194304, v.get(c, LOAD_INV_WEIGHT));
            discardAll(v, ts);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void resetOnForkRaisesANegativeNiceToZeroAndKeepsAPositiveOne(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            List<Object> ts = new ArrayList<>();
            Object p = parent(v);
            ts.add(p);
            v.set(p, SCHED_RESET_ON_FORK, 1);
            v.set(p, STATIC_PRIO, Prio.niceToPrio(-5));
            v.set(p, NORMAL_PRIO, Prio.niceToPrio(-5));
            assertEquals(0, fork(v, p, ts));
            assertEquals(Prio.DEFAULT_PRIO, v.get(ts.get(1), STATIC_PRIO));
            assertEquals(1024L << 10, v.get(ts.get(1), LOAD_WEIGHT));
            v.set(p, STATIC_PRIO, Prio.niceToPrio(5));
            v.set(p, NORMAL_PRIO, Prio.niceToPrio(5));
            assertEquals(0, fork(v, p, ts));
            Object c = ts.get(2);
            assertEquals(Prio.niceToPrio(5), v.get(c, STATIC_PRIO));
            assertEquals(Prio.niceToPrio(5), v.get(c, PRIO));
            assertEquals(335L << 10, v.get(c, LOAD_WEIGHT), "nice 5's weight");
            assertEquals(12820798, v.get(c, LOAD_INV_WEIGHT));
            // SCHED_IDLE keeps its policy and gets the idle weight
            v.set(p, POLICY, Prio.SCHED_IDLE);
            assertEquals(0, fork(v, p, ts));
            Object idle = ts.get(3);
            assertEquals(Prio.SCHED_IDLE, v.get(idle, POLICY));
            assertEquals(3L << 10, v.get(idle, LOAD_WEIGHT));
            assertEquals(Prio.WMULT_IDLEPRIO, v.get(idle, LOAD_INV_WEIGHT));
            discardAll(v, ts);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void aDeadlineTaskMayNotForkUnlessItResetsOnFork(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            List<Object> ts = new ArrayList<>();
            Object p = parent(v);
            ts.add(p);
            v.set(p, POLICY, Prio.SCHED_DEADLINE);
            v.set(p, NORMAL_PRIO, Prio.normalPrio(Prio.SCHED_DEADLINE, 0, 120));
            v.set(p, PRIO, -1);
            assertEquals(-Errno.EAGAIN, fork(v, p, ts));
            v.set(p, SCHED_RESET_ON_FORK, 1);
            assertEquals(0, fork(v, p, ts));
            Object c = ts.get(2);
            assertEquals(Prio.SCHED_NORMAL, v.get(c, POLICY));
            assertEquals(Prio.DEFAULT_PRIO, v.get(c, PRIO));
            assertEquals("fair_sched_class", v.schedClass(c));
            discardAll(v, ts);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void wakeUpNewTaskBalancesForksOntoTheIdlestCpu(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            List<Object> ts = new ArrayList<>();
            Object p = parent(v);
            ts.add(p);
            int[] expected = {0, 1, 0, 1, 0};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(0, fork(v, p, ts));
                Object c = ts.get(ts.size() - 1);
                v.wakeUpNewTask(c);
                assertEquals(TaskState.TASK_RUNNING, v.get(c, STATE));
                assertEquals(Prio.TASK_ON_RQ_QUEUED, v.get(c, ON_RQ));
                assertEquals(0, v.get(c, RECENT_USED_CPU), "where sched_fork put it");
                assertEquals(expected[i], v.get(c, CPU), "child " + i + ": the idlest CPU, its own among equals");
                assertEquals(expected[i], v.get(c, WAKE_CPU));
            }
            assertEquals(3, v.nrRunning(0));
            assertEquals(2, v.nrRunning(1));
            // a child allowed on CPU 1 only goes there, busier or not
            assertEquals(0, fork(v, p, ts));
            Object pinned = ts.get(ts.size() - 1);
            v.set(pinned, CPUS_MASK, 0b10);
            v.set(pinned, NR_CPUS_ALLOWED, 1);
            v.wakeUpNewTask(pinned);
            assertEquals(1, v.get(pinned, CPU));
            // a real-time child stays on its CPU (nothing real-time runs there)
            v.set(p, POLICY, Prio.SCHED_FIFO);
            v.set(p, RT_PRIORITY, 1);
            v.set(p, NORMAL_PRIO, 98);
            assertEquals(0, fork(v, p, ts));
            Object rt = ts.get(ts.size() - 1);
            v.wakeUpNewTask(rt);
            assertEquals(0, v.get(rt, CPU));
            assertEquals(4, v.nrRunning(0));
            assertEquals(3, v.nrRunning(1));
            for (Object t : ts.subList(1, ts.size())) {
                v.deactivateTask(t, Prio.DEQUEUE_SLEEP);
                assertEquals(0, v.get(t, ON_RQ));
            }
            assertEquals(0, v.nrRunning(0));
            assertEquals(0, v.nrRunning(1));
            discardAll(v, ts);
        }
    }
}
