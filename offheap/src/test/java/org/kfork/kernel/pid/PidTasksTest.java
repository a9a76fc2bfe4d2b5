package org.kfork.kernel.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.pid.PidRules.PIDNS_ADDING;
import static org.kfork.pid.PidRules.PIDTYPE_PGID;
import static org.kfork.pid.PidRules.PIDTYPE_PID;
import static org.kfork.pid.PidRules.PIDTYPE_SID;
import static org.kfork.pid.PidRules.PIDTYPE_TGID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tasks and their pids on both kernels: attach_pid, detach_pid (the pid goes with its last
 * user), change_pid, transfer_pid, exchange_tids, the lookups by number and the numbers each
 * namespace sees, and the references get_task_pid, get_pid_task and find_get_* take.
 */
class PidTasksTest extends PidSuite {

    /** A task using {@code pid} as all four types, as a new process leader does (copy_process's init_task_pid + attach_pid). */
    static int leader(PidVariant v, int pid) {
        final int t = v.newTask();
        for (int type = PIDTYPE_PID; type <= PIDTYPE_SID; type++) {
            v.initTaskPid(t, type, pid);
            v.attachPid(t, type);
        }
        v.setTaskPidField(t, v.pidNr(pid));
        return t;
    }

    /** release_task's detach_pid of every type. */
    static void release(PidVariant v, int task) {
        for (int type = PIDTYPE_PID; type <= PIDTYPE_SID; type++) {
            v.detachPid(task, type);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aPidGoesWithTheLastTaskThatUsesIt(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int keeper = v.allocPid(root); // init_pid_ns never empties while it adds pids (see zapAndFree)
        final int p = v.allocPid(root);
        final int t = leader(v, p);
        for (int type = PIDTYPE_PID; type <= PIDTYPE_SID; type++) {
            assertEquals(t, v.pidTask(p, type));
            assertTrue(v.pidHasTask(p, type));
            assertEquals(1, v.pidTasksLength(p, type));
            assertEquals(p, v.taskPid(t, type));
        }
        assertEquals(t, v.findTaskByPidNs(2, root));
        assertEquals(root, v.taskActivePidNs(t));
        final int allocated = v.pidAllocated(root);

        v.detachPid(t, PIDTYPE_PID);
        assertEquals(0, v.taskPid(t, PIDTYPE_PID));
        assertEquals(0, v.pidTask(p, PIDTYPE_PID));
        assertEquals(0, v.taskActivePidNs(t), "detached: no active namespace");
        assertEquals(allocated, v.pidAllocated(root), "still the group's pid: not freed");
        assertEquals(p, v.findPidNs(2, root));
        v.detachPid(t, PIDTYPE_TGID);
        v.detachPid(t, PIDTYPE_PGID);
        assertEquals(p, v.findPidNs(2, root), "still the session's");
        assertEquals(0, v.findTaskByPidNs(2, root), "found by number, but no task uses it as PIDTYPE_PID");
        v.detachPid(t, PIDTYPE_SID);
        assertEquals(0, v.findPidNs(2, root), "the last user went: free_pid");
        assertEquals(allocated - 1, v.pidAllocated(root));
        assertEquals(2L, v.liveObjects().get("pid"), "the struct waits for RCU");
        v.rcuBarrier();
        assertEquals(1L, v.liveObjects().get("pid"));
        v.disablePidAllocation(root);
        v.freePid(keeper);
        v.rcuBarrier();
        v.freeTask(t);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void threadsShareTheGroupsPidsAndHaveTheirOwn(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns = v.createPidNamespace(root, 0);
        final int lp = v.allocPid(ns);
        final int leader = leader(v, lp);
        final int tp = v.allocPid(ns);
        final int thread = v.newTask();
        v.initTaskPid(thread, PIDTYPE_PID, tp);
        v.attachPid(thread, PIDTYPE_PID);
        for (int type = PIDTYPE_TGID; type <= PIDTYPE_SID; type++) {
            v.initTaskPid(thread, type, lp); // a thread shares its leader's signal->pids (here: a copy of them)
        }
        assertEquals(1, v.pidTasksLength(lp, PIDTYPE_PID));
        assertEquals(thread, v.pidTask(tp, PIDTYPE_PID));
        assertEquals(2, v.taskPidVnr(leader, thread), "the thread's own number in ns");
        assertEquals(1, v.taskTgidVnr(leader, thread), "getpid() in a thread: its leader's");
        assertEquals(2, v.taskPidNrNs(leader, thread, PIDTYPE_PID, root), "seen from the root: the global number");
        assertEquals(2, v.taskPidNrNs(thread, thread, PIDTYPE_PID, 0), "ns NULL: current's");
        assertEquals(1, v.taskPidNrNs(thread, leader, PIDTYPE_SID, ns));
        assertEquals(thread, v.findTaskByVpid(leader, 2));
        assertEquals(leader, v.findTaskByVpid(thread, 1));
        assertEquals(0, v.findTaskByVpid(thread, 3));

        v.detachPid(thread, PIDTYPE_PID);
        assertEquals(0, v.findPidNs(2, ns), "a thread's own pid goes with the thread");
        assertEquals(lp, v.findPidNs(1, ns));
        release(v, leader);
        v.rcuBarrier();
        v.putPidNs(ns);
        v.rcuBarrier();
        v.freeTask(leader);
        v.freeTask(thread);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void eachNamespaceSeesItsOwnNumbersAndNothingAbove(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int outside = v.allocPid(root);
        final int ns = v.createPidNamespace(root, 0);
        final int inside = v.allocPid(ns);
        final int watcher = leader(v, inside);
        final int rootTask = leader(v, outside);
        assertEquals(1, v.pidNrNs(inside, ns));
        assertEquals(2, v.pidNrNs(inside, root));
        assertEquals(2, v.pidNr(inside), "pid_nr: the global number");
        assertEquals(0, v.pidNrNs(outside, ns), "a pid of the parent is invisible inside");
        assertEquals(0, v.pidVnr(watcher, outside));
        assertEquals(1, v.pidVnr(watcher, inside));
        assertEquals(2, v.pidVnr(rootTask, inside));
        assertEquals(0, v.taskPidNrNs(watcher, rootTask, PIDTYPE_PID, 0));
        final int sibling = v.createPidNamespace(root, 0);
        assertEquals(0, v.pidNrNs(inside, sibling), "same level, other namespace: invisible");
        assertTrue(v.isChildReaper(inside), "1 in its own namespace");
        assertTrue(v.isChildReaper(outside), "1 in init_pid_ns");
        release(v, watcher);
        release(v, rootTask);
        v.rcuBarrier();
        v.putPidNs(ns);
        v.putPidNs(sibling);
        v.rcuBarrier();
        v.freeTask(watcher);
        v.freeTask(rootTask);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void changeTransferAndExchangeMoveTasksBetweenPids(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int keeper = v.allocPid(root);
        final int pa = v.allocPid(root);
        final int pb = v.allocPid(root);
        final int a = leader(v, pa);
        final int b = leader(v, pb);

        v.changePid(b, PIDTYPE_PGID, pa); // setpgid(b, a)
        assertEquals(2, v.pidTasksLength(pa, PIDTYPE_PGID));
        assertEquals(b, v.pidTask(pa, PIDTYPE_PGID), "attach_pid adds at the head");
        assertEquals(0, v.pidTasksLength(pb, PIDTYPE_PGID));
        assertEquals(pb, v.findPidNs(3, root), "pb is still b's own pid");

        final int c = v.newTask();
        v.transferPid(b, c, PIDTYPE_PID); // de_thread: c takes b's place as the thread pid's user
        assertEquals(pb, v.taskPid(c, PIDTYPE_PID));
        assertEquals(c, v.pidTask(pb, PIDTYPE_PID));
        assertEquals(1, v.pidTasksLength(pb, PIDTYPE_PID));

        v.exchangeTids(a, c);
        assertEquals(pb, v.taskPid(a, PIDTYPE_PID));
        assertEquals(pa, v.taskPid(c, PIDTYPE_PID));
        assertEquals(a, v.pidTask(pb, PIDTYPE_PID));
        assertEquals(c, v.pidTask(pa, PIDTYPE_PID));
        assertEquals(3, v.taskPidField(a), "the cached task->pid follows");
        assertEquals(2, v.taskPidField(c));

        final int allocated = v.pidAllocated(root);
        v.changePid(b, PIDTYPE_SID, pa); // b's session moves; pb is still used by a (PID) and b (TGID)
        assertEquals(allocated, v.pidAllocated(root));
        v.detachPid(c, PIDTYPE_PID);
        for (int type = PIDTYPE_TGID; type <= PIDTYPE_SID; type++) {
            v.detachPid(a, type);
        }
        v.detachPid(a, PIDTYPE_PID);
        assertEquals(allocated, v.pidAllocated(root), "both pids still in use by b");
        v.detachPid(b, PIDTYPE_TGID);
        assertEquals(allocated - 1, v.pidAllocated(root), "pb's last user (b's group) went");
        v.detachPid(b, PIDTYPE_PGID);
        v.detachPid(b, PIDTYPE_SID);
        assertEquals(allocated - 2, v.pidAllocated(root));
        v.disablePidAllocation(root);
        v.freePid(keeper);
        v.rcuBarrier();
        v.freeTask(a);
        v.freeTask(b);
        v.freeTask(c);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theGettersTakeTheReferencesTheirNamesPromise(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int p = v.allocPid(root);
        final int t = leader(v, p);
        assertEquals(p, v.getTaskPid(t, PIDTYPE_TGID));
        assertEquals(2, v.pidCount(p));
        assertEquals(t, v.getPidTask(p, PIDTYPE_PID));
        assertEquals(2, v.taskUsage(t));
        assertEquals(t, v.findGetTaskByVpid(t, 1));
        assertEquals(3, v.taskUsage(t));
        assertEquals(0, v.findGetTaskByVpid(t, 99));
        assertEquals(p, v.findGetPid(t, 1));
        assertEquals(3, v.pidCount(p));
        assertEquals(0, v.findGetPid(t, 99));
        assertEquals(0, v.getPidTask(0, PIDTYPE_PID), "get_pid_task(NULL)");
        release(v, t);
        assertEquals(0, v.getTaskPid(t, PIDTYPE_PID), "detached: NULL, no reference");
        v.rcuBarrier();
        assertEquals(2, v.pidCount(p), "delayed_put_pid dropped alloc_pid's; ours are left");
        v.putPid(p);
        v.putPid(p);
        assertEquals(0L, v.liveObjects().get("pid"));
        v.dropTaskUsage(t);
        v.dropTaskUsage(t);
        assertEquals(1, v.taskUsage(t));
        assertThrows(IllegalArgumentException.class, () -> v.attachPid(t, 4), "PIDTYPE_MAX is no type");
        assertThrows(IllegalArgumentException.class, () -> v.pidTask(v.initStructPid(), -1));
        v.freeTask(t);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aChildReapersPidIsItsNamespacesOne(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns = v.createPidNamespace(root, 0);
        final int initPid = v.allocPid(ns);
        final int init = leader(v, initPid);
        v.setChildReaper(ns, init); // copy_process, for is_child_reaper(pid)
        assertTrue(v.isChildReaper(initPid));
        assertEquals(init, v.childReaper(ns));
        final int other = v.allocPid(ns, 9);
        assertEquals(9, v.upidNr(other, 1), "with a reaper, other numbers may be requested");
        assertFalse(v.isChildReaper(other));
        assertEquals(PIDNS_ADDING + 2, v.pidAllocated(ns));
        v.disablePidAllocation(ns);
        v.freePid(other);
        release(v, init);
        v.rcuBarrier();
        v.putPidNs(ns);
        v.rcuBarrier();
        v.freeTask(init);
    }
}
