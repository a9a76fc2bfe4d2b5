package org.kfork.kernel.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.kernel.fork.TaskCoreVariant.TaskField.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.sched.Limits;
import org.kfork.sched.Prio;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.smp.CurrentCpu;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/**
 * The task core on both kernels (one suite, {@link TaskCoreVariant}): dup_task_struct field by
 * field, the seeded canaries, failslab at each allocation point, the lifetimes of usage,
 * rcu_users and the stack through RCU, copy_process's per-field initialisation, and init_task.
 * Each variant checks on close that its kernel is back at its post-boot baseline (checked mode,
 * the machine's counters; the heap twin's live objects per kind).
 */
class TaskCoreTest {
    @BeforeEach
    void bindCpu0() {
        CurrentCpu.bind(0);
    }

    @AfterEach
    void unbind() {
        CurrentCpu.unbind();
    }

    /** A task as copy_process has it after dup_task_struct and the three init steps (no pid yet: 0). */
    private static Object forked(TaskCoreVariant v, Object parent) {
        Object p = v.dup(parent);
        assertNotNull(p);
        v.initTaskTidsAndPi(p, 0, 0);
        assertEquals(0, v.initTaskState(parent, p));
        return p;
    }

    /** bad_fork_free for a task that went through initTaskState (its delay record goes first). */
    private static void discard(TaskCoreVariant v, Object p) {
        v.delayacctTskFree(p);
        v.abandon(p);
    }

    // ------------------------------------------------------------------------------------------
    // dup_task_struct
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void dupCopiesTheParentAndResetsWhatTheSeedResets(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            Object init = v.initTask();
            // a parent with state in fields dup copies and fields it resets
            v.set(init, TI_FLAGS, ThreadInfoFlags.bit(ThreadInfoFlags.TIF_NEED_RESCHED) | ThreadInfoFlags.bit(9));
            v.set(init, SYSCALL_WORK, 0b111111);
            v.set(init, BTRACE_SEQ, 7);
            v.set(init, UTIME, 1234);
            v.set(init, JOBCTL, 0x42);
            v.set(init, EXIT_SIGNAL, 17);
            v.set(init, PENDING_SIGNAL, 0x100);
            Object c = v.dup(init);
            assertNotNull(c);
            assertNotEquals(init, c);
            // copied as they are
            for (var f : List.of(FLAGS, PRIO, STATIC_PRIO, NORMAL_PRIO, POLICY, CPUS_MASK, NR_CPUS_ALLOWED,
                TIMER_SLACK_NS, LOAD_WEIGHT, LOAD_INV_WEIGHT, UTIME, JOBCTL, EXIT_SIGNAL, PENDING_SIGNAL, PID,
                TGID, STATE, ON_RQ, ON_CPU, CPU, LOGINUID, SESSIONID, NEXTEVT0, RT_TIME_SLICE, PUSHABLE_PRIO)) {
                assertEquals(v.get(init, f), v.get(c, f), f + " is copied");
            }
            assertEquals(v.comm(init), v.comm(c));
            assertEquals(v.schedClass(init), v.schedClass(c));
            assertEquals(init, v.groupLeader(c), "group_leader is copied (copy_process sets it later)");
            assertTrue(v.sameDelays(init, c), "delays is copied (delayacct_tsk_init replaces it later)");
            // reset
            assertEquals(1, v.get(c, USAGE));
            assertEquals(2, v.get(c, RCU_USERS));
            assertEquals(1, v.get(c, STACK_REFCOUNT));
            assertTrue(v.hasStack(c) && !v.sameStack(init, c), "a stack of its own");
            assertTrue(v.stackEndMagicOk(c));
            assertTrue(v.cpusPtrOwn(c), "cpus_ptr at its own cpus_mask");
            assertEquals(0, v.get(c, BTRACE_SEQ));
            assertEquals(-1, v.get(c, FPU_LAST_CPU));
            long tif = v.get(c, TI_FLAGS);
            assertEquals(0, tif & ThreadInfoFlags.bit(ThreadInfoFlags.TIF_NEED_RESCHED), "no reschedule pending");
            assertNotEquals(0, tif & ThreadInfoFlags.bit(ThreadInfoFlags.TIF_NEED_FPU_LOAD), "fpu__copy");
            assertNotEquals(0, tif & ThreadInfoFlags.bit(9), "other TIF bits are copied");
            assertEquals(0b011111, v.get(c, SYSCALL_WORK), "only SYSCALL_USER_DISPATCH is cleared");
            assertNotEquals(v.get(init, STACK_CANARY), v.get(c, STACK_CANARY));
            discardDup(v, c);
        }
    }

    /** bad_fork_free for a task straight out of dup_task_struct (its delays is still the parent's). */
    private static void discardDup(TaskCoreVariant v, Object c) {
        v.abandon(c);
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void cpusPtrFollowsTheChildOnlyWhenTheParentsPointedAtItsOwnMask(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            Object parent = forked(v, v.initTask());
            assertTrue(v.cpusPtrOwn(parent));
            v.pointCpusPtrElsewhere(parent); // as migrate_disable's cpumask_of(cpu)
            Object c = v.dup(parent);
            assertFalse(v.cpusPtrOwn(c), "a parent pointing elsewhere gives a child pointing there too");
            discardDup(v, c);
            discard(v, parent);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void canariesAreTheSeededSequenceWithTheLowByteClear(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            SplittableRandom r = new SplittableRandom(TaskCoreVariant.SEED);
            // boot_init_stack_canary took the first draw
            assertEquals(r.nextLong() & ThreadInfoFlags.CANARY_MASK, v.get(v.initTask(), STACK_CANARY));
            List<Object> kids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Object c = v.dup(v.initTask());
                long canary = v.get(c, STACK_CANARY);
                assertEquals(r.nextLong() & ThreadInfoFlags.CANARY_MASK, canary, "canary " + i);
                assertEquals(0, canary & 0xff);
                kids.add(c);
            }
            kids.forEach(c -> discardDup(v, c));
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void failslabOnTheTaskStructOrTheStackLeavesNothing(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            long tasks = v.liveTasks();
            // no cached stack yet: two allocation points, the task_struct and the stack's vm_struct
            assertEquals(0, v.cachedStacks(0));
            v.failNth(1);
            assertNull(v.dup(v.initTask()), "the task_struct fails");
            assertEquals(tasks, v.liveTasks());
            v.failNth(2);
            assertNull(v.dup(v.initTask()), "the stack fails");
            assertEquals(tasks, v.liveTasks());
            assertEquals(0, v.cachedStacks(0), "no stack was taken");
            v.failNth(3);
            Object c = v.dup(v.initTask());
            assertNotNull(c, "a third allocation point does not exist");
            assertEquals(2, v.failslabAllocations());
            assertEquals(tasks + 1, v.liveTasks());
            discardDup(v, c);
            v.rcuBarrier();
            assertEquals(1, v.cachedStacks(0), "the stack went back to this CPU's cache");
            // with a cached stack, the stack is no allocation point
            v.failNth(2);
            Object d = v.dup(v.initTask());
            assertNotNull(d);
            assertEquals(1, v.failslabAllocations());
            assertEquals(0, v.cachedStacks(0));
            discardDup(v, d);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void failslabSweepOverDupAndTheInitialisationLeaksNothing(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            long tasks = v.liveTasks();
            long delays = v.liveDelays();
            for (int k = 1; ; k++) {
                v.failNth(k);
                Object c = v.dup(v.initTask());
                if (c == null) {
                    assertEquals(tasks, v.liveTasks(), "k=" + k);
                    continue;
                }
                v.initTaskTidsAndPi(c, 0, 0);
                assertEquals(0, v.initTaskState(v.initTask(), c), "a missing delay record is no error");
                boolean injected = v.failslabAllocations() >= k;
                discard(v, c);
                v.rcuBarrier();
                assertEquals(tasks, v.liveTasks(), "k=" + k);
                assertEquals(delays, v.liveDelays(), "k=" + k);
                if (!injected) {
                    break;
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theSameRunGivesTheSameResultsOnBothKernels() {
        // differential: both kernels, the same run, the same numbers
        try (TaskCoreVariant a = new OffHeapTaskCore(); TaskCoreVariant b = new HeapTaskCore()) {
            for (TaskCoreVariant v : List.of(a, b)) {
                List<Object> kids = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    kids.add(forked(v, v.initTask()));
                }
                kids.forEach(c -> discard(v, c));
                v.rcuBarrier();
            }
            Object ca = forked(a, a.initTask());
            Object cb = forked(b, b.initTask());
            for (var f : TaskCoreVariant.TaskField.values()) {
                assertEquals(a.get(ca, f), b.get(cb, f), f.name());
            }
            assertEquals(a.comm(ca), b.comm(cb));
            discard(a, ca);
            discard(b, cb);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void aThousandForksAndFreesLeakNothing(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            for (int i = 0; i < 1000; i++) {
                Object c = forked(v, v.initTask());
                v.initTaskIdentity(v.initTask(), c, 0, 2 + i);
                assertEquals(0, v.schedFork(v.initTask(), 0, c));
                discard(v, c);
                if (i % 100 == 99) {
                    v.rcuBarrier();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Lifetimes
    // ------------------------------------------------------------------------------------------

    /** A forked task as a reaped, dead task leaves the scheduler: TASK_DEAD, EXIT_DEAD, stack released. */
    private static Object deadTask(TaskCoreVariant v) {
        Object t = forked(v, v.initTask());
        v.set(t, STATE, TaskState.TASK_DEAD);
        v.set(t, EXIT_STATE, TaskState.EXIT_DEAD);
        int cached = v.cachedStacks(0);
        assertTrue(v.putTaskStack(t), "the last stack reference releases it");
        assertFalse(v.hasStack(t));
        assertEquals(cached + 1, v.cachedStacks(0), "into this CPU's cached_stacks slot");
        return t;
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void theTaskIsFreedWhenItsLastReferenceGoesAfterTheGracePeriodOfItsRcuUsers(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            long tasks = v.liveTasks();
            long delays = v.liveDelays();
            Object t = deadTask(v);
            v.getTaskStruct(t); // someone else holds the task (usage 2)
            v.putTaskStructRcuUser(t); // the reaper's
            assertEquals(1, v.get(t, RCU_USERS));
            v.putTaskStructRcuUser(t); // the scheduler's: delayed_put_task_struct is queued
            assertEquals(tasks + 1, v.liveTasks(), "not before a grace period");
            v.rcuBarrier();
            assertEquals(tasks + 1, v.liveTasks(), "the other reference still holds it");
            assertEquals(1, v.get(t, USAGE));
            assertEquals(List.of(), v.putHookCalls());
            v.putTaskStruct(t); // the last reference: freed at once, no grace period
            assertEquals(tasks, v.liveTasks());
            assertEquals(delays, v.liveDelays(), "__put_task_struct freed the delay record");
            assertEquals(List.of("cgroup_free", "exit_creds", "put_signal_struct"), v.putHookCalls(),
                "__put_task_struct's steps, in 5.12's order");
            assertTrue(v.log().isEmpty(), "no warning: " + v.log());
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void aReleasedStackGoesToAFreeCacheSlotElseItIsFreed(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            List<Object> ts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ts.add(forked(v, v.initTask()));
            }
            assertEquals(0, v.cachedStacks(0));
            int[] cached = {1, 2, 2};
            for (int i = 0; i < 3; i++) {
                Object t = ts.get(i);
                v.set(t, STATE, TaskState.TASK_DEAD);
                v.set(t, EXIT_STATE, TaskState.EXIT_DEAD);
                assertTrue(v.putTaskStack(t));
                assertEquals(cached[i], v.cachedStacks(0), "NR_CACHED_STACKS is " + Limits.NR_CACHED_STACKS
                    + ": the third stack is freed");
                v.putTaskStructRcuUser(t);
                v.putTaskStructRcuUser(t);
            }
            v.rcuBarrier();
            assertEquals(9, v.putHookCalls().size());
            // a stack of a task that is not dead is never released (WARN, leaked rather than freed)
            Object alive = forked(v, v.initTask());
            assertFalse(v.putTaskStack(alive));
            assertTrue(v.hasStack(alive));
            v.set(alive, STACK_REFCOUNT, 1);
            discard(v, alive);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void theLastRcuUserFreesTheTaskAfterTheGracePeriod(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            long tasks = v.liveTasks();
            Object t = deadTask(v);
            v.putTaskStructRcuUser(t);
            v.putTaskStructRcuUser(t);
            assertEquals(tasks + 1, v.liveTasks());
            // a reader inside a system call holds the grace period
            int token = v.rcuEnter(1);
            Thread barrier = new Thread(v::rcuBarrier);
            barrier.start();
            sleepMillis(50);
            assertEquals(tasks + 1, v.liveTasks(), "the reader on CPU 1 may still use the task");
            v.rcuExit(token);
            join(barrier);
            assertEquals(tasks, v.liveTasks());
            assertEquals(3, v.putHookCalls().size());
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void aPutOfAZeroCountIsRefusedAndChangesNothing(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            Object t = deadTask(v);
            v.putTaskStructRcuUser(t);
            v.putTaskStructRcuUser(t);
            assertThrows(IllegalStateException.class, () -> v.putTaskStructRcuUser(t), "rcu_users at 0");
            v.getTaskStruct(t);
            v.rcuBarrier(); // delayed_put_task_struct: usage 2 -> 1
            v.putTaskStruct(t);
            assertEquals(3, v.putHookCalls().size());
            Object u = deadTask(v);
            v.set(u, USAGE, 0);
            assertThrows(IllegalStateException.class, () -> v.putTaskStruct(u));
            assertThrows(IllegalStateException.class, () -> v.getTaskStruct(u), "no get on a task being freed");
            assertEquals(0, v.get(u, USAGE));
            v.delayacctTskFree(u);
            v.freeTask(u);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void freeTaskWarnsOnceAboutAStackStillReferenced(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            // a dead task whose stack is gone, but whose stack_refcount says someone still holds it
            Object t = deadTask(v);
            v.set(t, STACK_REFCOUNT, 1);
            v.delayacctTskFree(t);
            v.freeTask(t);
            assertEquals(1, v.log().size(), v.log().toString());
            assertTrue(v.log().get(0).contains("free_task: stack_refcount is 1"), v.log().get(0));
            Object u = deadTask(v);
            v.set(u, STACK_REFCOUNT, 3);
            v.delayacctTskFree(u);
            v.freeTask(u);
            assertEquals(1, v.log().size(), "WARN_ON_ONCE");
            Object w = deadTask(v);
            v.delayacctTskFree(w);
            v.freeTask(w);
            assertEquals(1, v.log().size());
        }
    }

    // ------------------------------------------------------------------------------------------
    // copy_process's initialisation
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void theTidsFollowTheCloneFlags(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            Object c = v.dup(v.initTask());
            v.initTaskTidsAndPi(c, CloneFlags.CLONE_CHILD_SETTID, 0x7000);
            assertEquals(0x7000, v.get(c, SET_CHILD_TID));
            assertEquals(0, v.get(c, CLEAR_CHILD_TID));
            v.initTaskTidsAndPi(c, CloneFlags.CLONE_CHILD_CLEARTID, 0x8000);
            assertEquals(0, v.get(c, SET_CHILD_TID));
            assertEquals(0x8000, v.get(c, CLEAR_CHILD_TID));
            v.initTaskTidsAndPi(c, CloneFlags.CLONE_CHILD_SETTID | CloneFlags.CLONE_CHILD_CLEARTID, 0x9000);
            assertEquals(0x9000, v.get(c, SET_CHILD_TID));
            assertEquals(0x9000, v.get(c, CLEAR_CHILD_TID));
            discardDup(v, c);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void initTaskStateGivesTheChildItsOwnStartingState(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            Object parent = v.initTask();
            v.set(parent, TIMER_SLACK_NS, 12_345);
            v.set(parent, FLAGS, v.get(parent, FLAGS) | TaskFlags.PF_SUPERPRIV | TaskFlags.PF_WQ_WORKER);
            v.set(parent, UTIME, 10);
            v.set(parent, STIME, 11);
            v.set(parent, GTIME, 12);
            v.set(parent, PREV_UTIME, 13);
            v.set(parent, ACCT_TIMEXPD, 14);
            v.set(parent, IOAC_RCHAR, 15);
            v.set(parent, PENDING_SIGNAL, 0x4);
            v.set(parent, NEXTEVT0, 99);
            v.set(parent, PAGEFAULT_DISABLED, 1);
            long delays = v.liveDelays();
            Object c = v.dup(parent);
            assertEquals(0, v.initTaskState(parent, c));
            assertFalse(v.sameDelays(parent, c), "a delay record of its own");
            assertEquals(delays + 1, v.liveDelays());
            long flags = v.get(c, FLAGS);
            assertEquals(0, flags & (TaskFlags.PF_SUPERPRIV | TaskFlags.PF_WQ_WORKER | TaskFlags.PF_IDLE));
            assertNotEquals(0, flags & TaskFlags.PF_FORKNOEXEC);
            assertNotEquals(0, flags & TaskFlags.PF_KTHREAD, "other flags stay");
            assertEquals(12_345, v.get(c, DEFAULT_TIMER_SLACK_NS), "the parent's current slack");
            for (var f : List.of(UTIME, STIME, GTIME, PREV_UTIME, ACCT_TIMEXPD, IOAC_RCHAR, PENDING_SIGNAL,
                PAGEFAULT_DISABLED)) {
                assertEquals(0, v.get(c, f), f.name());
            }
            for (var f : List.of(NEXTEVT0, NEXTEVT1, NEXTEVT2)) {
                assertEquals(-1L, v.get(c, f), f + ": U64_MAX");
            }
            assertEquals(ForkTask.NUMA_NO_NODE, v.get(c, CPUSET_MEM_SPREAD_ROTOR));
            assertEquals(ForkTask.NUMA_NO_NODE, v.get(c, CPUSET_SLAB_SPREAD_ROTOR));
            assertTrue(v.pointersCleared(c));
            discard(v, c);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void initTaskIdentityMakesALeaderOrAThreadOfTheGroup(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            Object leader = forked(v, v.initTask());
            v.initTaskIdentity(v.initTask(), leader, 0, 42);
            assertEquals(42, v.get(leader, PID));
            assertEquals(42, v.get(leader, TGID));
            assertEquals(leader, v.groupLeader(leader));
            v.set(leader, PDEATH_SIGNAL, 9);
            v.set(leader, NR_DIRTIED, 5);
            Object thread = forked(v, leader);
            v.initTaskIdentity(leader, thread, CloneFlags.CLONE_VM | CloneFlags.CLONE_SIGHAND | CloneFlags.CLONE_THREAD, 43);
            assertEquals(43, v.get(thread, PID));
            assertEquals(42, v.get(thread, TGID));
            assertEquals(leader, v.groupLeader(thread));
            assertEquals(0, v.get(thread, PDEATH_SIGNAL));
            assertEquals(0, v.get(thread, NR_DIRTIED));
            assertEquals(32, v.get(thread, NR_DIRTIED_PAUSE), "128 >> (PAGE_SHIFT - 10)");
            assertEquals(0, v.get(thread, DIRTY_PAUSED_WHEN));
            assertEquals(0, v.schedFork(leader, 0, thread));
            assertTrue(v.listsEmpty(thread), "children, sibling, thread_group, pending, the scheduler's lists");
            assertTrue(v.pointersCleared(thread));
            discard(v, thread);
            discard(v, leader);
        }
    }

    // ------------------------------------------------------------------------------------------
    // init_task
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void initTaskIsWhatInitTaskCAndBootMakeIt(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            Object t = v.initTask();
            assertEquals(0, v.get(t, PID));
            assertEquals(0, v.get(t, TGID));
            assertEquals(TaskState.TASK_RUNNING, v.get(t, STATE));
            assertEquals(TaskFlags.PF_KTHREAD | TaskFlags.PF_IDLE, v.get(t, FLAGS), "PF_IDLE from init_idle");
            assertEquals(Prio.DEFAULT_PRIO, v.get(t, PRIO));
            assertEquals(Prio.DEFAULT_PRIO, v.get(t, STATIC_PRIO));
            assertEquals(Prio.DEFAULT_PRIO, v.get(t, NORMAL_PRIO));
            assertEquals(Prio.SCHED_NORMAL, v.get(t, POLICY));
            assertEquals(2, v.get(t, USAGE));
            assertEquals(1, v.get(t, STACK_REFCOUNT));
            assertEquals(50_000, v.get(t, TIMER_SLACK_NS));
            assertEquals(-1, v.get(t, LOGINUID), "INVALID_UID");
            assertEquals(-1, v.get(t, SESSIONID), "AUDIT_SID_UNSET");
            assertEquals(Prio.RR_TIMESLICE, v.get(t, RT_TIME_SLICE));
            assertEquals(Prio.MAX_PRIO, v.get(t, PUSHABLE_PRIO));
            assertEquals(1024L << 10, v.get(t, LOAD_WEIGHT), "nice 0's weight");
            assertEquals(4194304, v.get(t, LOAD_INV_WEIGHT));
            for (var f : List.of(NEXTEVT0, NEXTEVT1, NEXTEVT2)) {
                assertEquals(-1L, v.get(t, f), "INIT_CPU_TIMERS");
            }
            assertEquals(t, v.realParent(t));
            assertEquals(t, v.parent(t));
            assertEquals(t, v.groupLeader(t));
            assertTrue(v.cpusPtrOwn(t));
            assertTrue(v.listsEmpty(t));
            assertTrue(v.stackEndMagicOk(t), "set_task_stack_end_magic(&init_task)");
            assertTrue(v.activeMmIsInitMm(t));
            assertEquals(-Errno.EINTR, v.restartFn(t), "do_no_restart_syscall");
            // init_idle(init_task, 0)
            assertEquals("swapper/0", v.comm(t));
            assertEquals("idle_sched_class", v.schedClass(t));
            assertEquals(1L, v.get(t, CPUS_MASK), "allowed on CPU 0 only");
            assertEquals(1, v.get(t, NR_CPUS_ALLOWED));
            assertEquals(0, v.get(t, CPU));
            assertEquals(Prio.TASK_ON_RQ_QUEUED, v.get(t, ON_RQ));
            assertEquals(1, v.get(t, ON_CPU));
            assertEquals(Prio.CSD_TYPE_TTWU, v.get(t, WAKE_ENTRY_U_FLAGS));
            assertEquals(0, v.nrRunning(0) + v.nrRunning(1), "an idle task is never counted");
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void initIdleMakesTheIdleTaskOfAnotherCpu(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            Object idle = forked(v, v.initTask());
            v.initIdle(idle, 1);
            assertEquals("swapper/1", v.comm(idle));
            assertEquals(2L, v.get(idle, CPUS_MASK));
            assertEquals(1, v.get(idle, CPU));
            assertEquals(1, v.get(idle, WAKE_CPU));
            assertEquals("idle_sched_class", v.schedClass(idle));
            assertNotEquals(0, v.get(idle, FLAGS) & TaskFlags.PF_IDLE);
            discard(v, idle);
        }
    }

    // ------------------------------------------------------------------------------------------

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static void join(Thread t) {
        try {
            t.join(30_000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertFalse(t.isAlive(), t + " is stuck");
    }

    static {
        // Limits is referenced so that a change of NR_CPUS shows up here
        assertEquals(64, Limits.NR_CPUS);
    }
}
