package org.kfork.kernel.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.pid.PidRules.PIDNS_ADDING;
import static org.kfork.pid.PidRules.RESERVED_PIDS;
import static org.kfork.uapi.Errno.EAGAIN;
import static org.kfork.uapi.Errno.EEXIST;
import static org.kfork.uapi.Errno.EINVAL;
import static org.kfork.uapi.Errno.ENOMEM;
import static org.kfork.uapi.Errno.EPERM;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.sched.Limits;

/**
 * kernel/pid.c's allocation rules on both kernels: boot state, the cyclic search and its wrap at
 * RESERVED_PIDS, pid_max and its sysctl, set_tid at several levels and each of its errors, the
 * release of every number taken when a level fails, PIDNS_ADDING and free_pid's rules, and the
 * RCU-deferred free of the struct. Each test ends with both leak checks (PidSuite).
 */
class PidsTest extends PidSuite {

    /** Frees each pid (free_pid) and lets their structs go (rcu_barrier). */
    static void freeAll(PidVariant v, List<Integer> pids) {
        for (int p : pids) {
            v.freePid(p);
        }
        pids.clear();
        v.rcuBarrier();
    }

    /**
     * What zap_pid_ns_processes does before its namespace empties: PIDNS_ADDING goes first, so the
     * last frees are the ordinary ones. Without it, the last free_pid of a namespace that still
     * adds pids reads as a failed first fork (pid_allocated becomes 0, and a child reaper there is
     * WARN_ON'ed), which is 5.12's rule and what the tests that want it check.
     */
    static void zapAndFree(PidVariant v, List<Integer> pids, int... namespaces) {
        for (int ns : namespaces) {
            v.disablePidAllocation(ns);
        }
        freeAll(v, pids);
    }

    /** Frees the pid numbered {@code nr} in {@code ns}, taking it out of {@code pids}. */
    static void freeNr(PidVariant v, List<Integer> pids, int nr, int ns) {
        final int p = v.findPidNs(nr, ns);
        assertTrue(pids.remove((Integer) p), "pid " + nr + " is live");
        v.freePid(p);
    }

    /** A child reaper for {@code ns}, so that numbers other than 1 may be requested there. */
    static int reaper(PidVariant v, int ns) {
        final int t = v.newTask();
        v.setChildReaper(ns, t);
        return t;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void bootStateIsPidIdrInitsAndTheStatics(Kind kind) {
        PidVariant v = v(kind);
        final int ns = v.initPidNs();
        assertEquals(Limits.PID_MAX_DEFAULT, v.sysctlPidMax(false, 0), "max(32768, 1024 * 2 CPUs)");
        assertEquals(RESERVED_PIDS + 1, v.pidMaxMin(), "max(301, 8 * 2 CPUs)");
        assertEquals(0, v.nsLevel(ns));
        assertEquals(2, v.nsCount(ns), "REFCOUNT_INIT(2)");
        assertEquals(PIDNS_ADDING, v.pidAllocated(ns));
        assertEquals(0xEFFFFFFCL, v.nsInum(ns), "PROC_PID_INIT_INO");
        assertEquals(0, v.nsParent(ns));
        final int pid0 = v.initStructPid();
        assertEquals(1, v.pidCount(pid0));
        assertEquals(0, v.pidLevel(pid0));
        assertEquals(0, v.pidNr(pid0));
        assertEquals(ns, v.nsOfPid(pid0));
        assertEquals(0, v.findPidNs(0, ns), "init_struct_pid is in no IDR");
        for (String c : new String[] {"pid", "pid_namespace", "radix_tree_node", "pid_2", "pid_33"}) {
            assertTrue(v.cacheExists(c), c);
        }
        assertTrue(v.log().contains("pid_max: default: 32768 minimum: 301"), v.log().toString());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void numbersAreHandedOutCyclicallyNotLowestFirst(Kind kind) {
        PidVariant v = v(kind);
        final int ns = v.initPidNs();
        List<Integer> pids = new ArrayList<>();
        for (int nr = 1; nr <= 10; nr++) {
            final int p = v.allocPid(ns);
            assertEquals(nr, v.pidNr(p));
            assertEquals(p, v.findPidNs(nr, ns));
            assertEquals(1, v.pidCount(p));
            assertEquals(ns, v.nsOfPid(p));
            pids.add(p);
        }
        assertEquals(PIDNS_ADDING + 10, v.pidAllocated(ns));
        assertEquals(2, v.nsCount(ns), "get_pid_ns(&init_pid_ns) counts nothing");
        v.freePid(pids.remove(4));
        assertEquals(0, v.findPidNs(5, ns), "free_pid takes the number out at once");
        assertEquals(PIDNS_ADDING + 9, v.pidAllocated(ns));
        final int p = v.allocPid(ns);
        assertEquals(11, v.pidNr(p), "the search goes on from the cursor, not from the lowest hole");
        pids.add(p);
        assertEquals(10, v.validateIdr(ns));
        freeAll(v, pids);
        assertEquals(0, v.pidAllocated(ns), "the last pid went while PIDNS_ADDING was set: read as a failed first fork");
        assertEquals(-ENOMEM, v.allocPid(ns));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aWrapRestartsAtReservedPidsAndFullIsEagain(Kind kind) {
        PidVariant v = v(kind);
        final int ns = v.initPidNs();
        reaper(v, ns);
        assertEquals(400, v.sysctlPidMax(true, 400));
        List<Integer> pids = new ArrayList<>();
        for (int nr = 1; nr < 400; nr++) {
            final int p = v.allocPid(ns);
            assertEquals(nr, v.pidNr(p));
            pids.add(p);
        }
        assertEquals(-EAGAIN, v.allocPid(ns), "every number below pid_max is taken");
        freeNr(v, pids, 300, ns);
        freeNr(v, pids, 5, ns);
        final int first = v.allocPid(ns);
        assertEquals(RESERVED_PIDS, v.pidNr(first), "the first pid after a wrap is 300 when free");
        pids.add(first);
        freeNr(v, pids, 350, ns);
        final int next = v.allocPid(ns);
        assertEquals(350, v.pidNr(next));
        pids.add(next);
        assertEquals(-EAGAIN, v.allocPid(ns), "5 is free but below RESERVED_PIDS once wrapped");
        final int p5 = v.allocPid(ns, 5);
        assertEquals(5, v.pidNr(p5), "a requested number below 300 is still fine");
        pids.add(p5);
        zapAndFree(v, pids, ns);
        assertEquals(Limits.PID_MAX_DEFAULT, v.sysctlPidMax(true, Limits.PID_MAX_DEFAULT));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theSysctlKeepsPidMaxWithinItsBoundsAndAllocationFollowsIt(Kind kind) {
        PidVariant v = v(kind);
        final int ns = v.initPidNs();
        reaper(v, ns);
        assertEquals(-EINVAL, v.sysctlPidMax(true, RESERVED_PIDS), "below pid_max_min");
        assertEquals(-EINVAL, v.sysctlPidMax(true, -1));
        assertEquals(-EINVAL, v.sysctlPidMax(true, Limits.PID_MAX_LIMIT + 1L));
        assertEquals(-EINVAL, v.sysctlPidMax(true, 1L << 32));
        assertEquals(Limits.PID_MAX_DEFAULT, v.sysctlPidMax(false, 0), "refused writes change nothing");
        assertEquals(Limits.PID_MAX_LIMIT, v.sysctlPidMax(true, Limits.PID_MAX_LIMIT));
        assertEquals(RESERVED_PIDS + 1, v.sysctlPidMax(true, RESERVED_PIDS + 1));
        assertEquals(1000, v.sysctlPidMax(true, 1000));

        List<Integer> pids = new ArrayList<>();
        pids.add(v.allocPid(ns));
        v.setIdrCursor(ns, 999);
        final int top = v.allocPid(ns);
        assertEquals(999, v.pidNr(top));
        pids.add(top);
        final int wrapped = v.allocPid(ns);
        assertEquals(RESERVED_PIDS, v.pidNr(wrapped), "past pid_max the search wraps to 300");
        pids.add(wrapped);

        assertEquals(500, v.sysctlPidMax(true, 500));
        assertEquals(top, v.findPidNs(999, ns), "a number above a lowered pid_max stays");
        assertEquals(-EINVAL, v.allocPid(ns, 600), "set_tid must be below pid_max");
        assertEquals(-EINVAL, v.allocPid(ns, 500));
        final int below = v.allocPid(ns, 499);
        assertEquals(499, v.pidNr(below));
        pids.add(below);
        v.setIdrCursor(ns, 999);
        final int again = v.allocPid(ns);
        assertEquals(RESERVED_PIDS + 1, v.pidNr(again), "a cursor above pid_max wraps at once");
        pids.add(again);
        assertEquals(2000, v.sysctlPidMax(true, 2000));
        final int high = v.allocPid(ns, 1500);
        assertEquals(1500, v.pidNr(high), "raised: set_tid 1500 is valid now");
        pids.add(high);
        zapAndFree(v, pids, ns);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void setTidPicksTheNumberOfEachLevelFromTheInnermostOut(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns1 = v.createPidNamespace(root, 0);
        final int ns2 = v.createPidNamespace(ns1, 0);
        List<Integer> pids = new ArrayList<>();
        final int init2 = v.allocPid(ns2, 1);
        pids.add(init2);
        assertEquals(2, v.pidLevel(init2));
        assertEquals(1, v.upidNr(init2, 2), "set_tid[0] is the innermost level's number");
        assertEquals(1, v.upidNr(init2, 1), "levels past set_tid_size are cyclic: ns1's first is 1");
        assertEquals(1, v.upidNr(init2, 0));
        assertEquals(ns2, v.upidNs(init2, 2));
        assertEquals(ns1, v.upidNs(init2, 1));
        assertEquals(root, v.upidNs(init2, 0));
        assertTrue(v.isChildReaper(init2));
        reaper(v, ns2);
        reaper(v, ns1);
        reaper(v, root);

        final int p = v.allocPid(ns2, 5, 7, 42);
        pids.add(p);
        assertEquals(5, v.upidNr(p, 2));
        assertEquals(7, v.upidNr(p, 1));
        assertEquals(42, v.upidNr(p, 0));
        assertEquals(p, v.findPidNs(5, ns2));
        assertEquals(p, v.findPidNs(7, ns1));
        assertEquals(p, v.findPidNs(42, root));
        assertEquals(5, v.pidNrNs(p, ns2));
        assertEquals(7, v.pidNrNs(p, ns1));
        assertEquals(42, v.pidNrNs(p, root));
        assertFalse(v.isChildReaper(p));

        final int partial = v.allocPid(ns2, 6, 8);
        pids.add(partial);
        assertEquals(6, v.upidNr(partial, 2));
        assertEquals(8, v.upidNr(partial, 1));
        assertEquals(2, v.upidNr(partial, 0), "the outermost level is cyclic: a request does not move the cursor");
        assertEquals(PIDNS_ADDING + 3, v.pidAllocated(ns2));
        assertEquals(PIDNS_ADDING + 3, v.pidAllocated(ns1));
        assertEquals(PIDNS_ADDING + 3, v.pidAllocated(root));
        assertEquals(1 + 3, v.nsCount(ns2), "each pid holds its namespace");
        zapAndFree(v, pids, ns2, ns1, root);
        v.putPidNs(ns2);
        v.putPidNs(ns1);
        v.rcuBarrier();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void setTidErrorsComeInTheKernelsOrder(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns1 = v.createPidNamespace(root, 0);
        assertEquals(-EINVAL, v.allocPid(ns1, new int[] {1, 2, 3}, 3, PidVariant.CAPABLE), "size > level + 1");
        assertEquals(-EINVAL, v.allocPid(root, 0), "below 1");
        assertEquals(-EINVAL, v.allocPid(root, -4));
        assertEquals(-EINVAL, v.allocPid(root, Limits.PID_MAX_DEFAULT), "at pid_max");
        assertEquals(-EINVAL, v.allocPid(root, 7), "not 1, and init_pid_ns has no child reaper");
        assertEquals(-EINVAL, v.allocPid(ns1, 2), "not 1 in a namespace without init");

        AtomicInteger asked = new AtomicInteger();
        BooleanSupplier refuse = () -> {
            asked.incrementAndGet();
            return false;
        };
        assertEquals(-EINVAL, v.allocPid(root, new int[] {0}, 1, refuse));
        assertEquals(-EINVAL, v.allocPid(root, new int[] {7}, 1, refuse));
        assertEquals(0, asked.get(), "the range and reaper checks come before the capability");
        assertEquals(-EPERM, v.allocPid(root, new int[] {1}, 1, refuse));
        assertEquals(1, asked.get());

        reaper(v, root);
        List<Integer> pids = new ArrayList<>();
        final int p7 = v.allocPid(root, 7);
        assertEquals(7, v.pidNr(p7));
        pids.add(p7);
        assertEquals(-EEXIST, v.allocPid(root, 7));
        final int last = v.allocPid(root, Limits.PID_MAX_DEFAULT - 1);
        assertEquals(Limits.PID_MAX_DEFAULT - 1, v.pidNr(last), "pid_max - 1 is the highest");
        pids.add(last);

        AtomicInteger perLevel = new AtomicInteger();
        BooleanSupplier count = () -> {
            perLevel.incrementAndGet();
            return true;
        };
        final int two = v.allocPid(ns1, new int[] {1, 9}, 2, count);
        assertEquals(2, perLevel.get(), "asked once per requested number");
        pids.add(two);
        final int one = v.allocPid(ns1, new int[] {0, 0}, 0, count);
        assertEquals(2, perLevel.get(), "not asked without set_tid");
        pids.add(one);
        zapAndFree(v, pids, root);
        v.putPidNs(ns1);
        v.rcuBarrier();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFailureAtOneLevelReleasesTheNumbersTakenAtTheOthers(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns1 = v.createPidNamespace(root, 0);
        final int ns2 = v.createPidNamespace(ns1, 0);
        final int ns3 = v.createPidNamespace(ns2, 0);
        for (int ns : new int[] {root, ns1, ns2, ns3}) {
            reaper(v, ns);
        }
        List<Integer> pids = new ArrayList<>();
        pids.add(v.allocPid(root, 9));
        pids.add(v.allocPid(ns2, 6, 6));
        final long[] idrs = {v.validateIdr(root), v.validateIdr(ns1), v.validateIdr(ns2), v.validateIdr(ns3)};
        final int[] allocated = {v.pidAllocated(root), v.pidAllocated(ns1), v.pidAllocated(ns2), v.pidAllocated(ns3)};
        final int cursor3 = v.idrCursor(ns3);

        assertEquals(-EEXIST, v.allocPid(ns3, 4, 4, 4, 9), "level 0's 9 is taken, after 3 levels took 4");
        assertEquals(-EEXIST, v.allocPid(ns3, 4, 4, 6), "level 1's 6 is taken, after 2 levels took 4");
        assertEquals(-EINVAL, v.allocPid(ns3, new int[] {4, 4, 4, 0}, 4, PidVariant.CAPABLE), "level 0 invalid");
        v.disablePidAllocation(ns1);
        assertEquals(-ENOMEM, v.allocPid(ns1, 4, 4), "every level taken, then ns1 refuses");
        for (int ns : new int[] {ns3, ns2, ns1}) {
            assertEquals(0, v.findPidNs(4, ns), "4 was released in every namespace");
        }
        assertEquals(idrs[0], v.validateIdr(root));
        assertEquals(idrs[1], v.validateIdr(ns1));
        assertEquals(idrs[2], v.validateIdr(ns2));
        assertEquals(idrs[3], v.validateIdr(ns3));
        assertEquals(allocated[0], v.pidAllocated(root));
        assertEquals(allocated[1] & ~PIDNS_ADDING, v.pidAllocated(ns1));
        assertEquals(allocated[2], v.pidAllocated(ns2));
        assertEquals(allocated[3], v.pidAllocated(ns3));
        assertEquals(cursor3, v.idrCursor(ns3), "a requested number does not move the cursor");
        assertEquals(1, v.nsCount(ns3), "the failed pids' namespace references went back");

        final int ok = v.allocPid(ns3, 4, 4, 4, 10);
        assertEquals(4, v.upidNr(ok, 1), "only the namespace of allocation is asked for PIDNS_ADDING");
        pids.add(ok);
        zapAndFree(v, pids, root, ns2, ns3);
        for (int ns : new int[] {ns3, ns2, ns1}) {
            v.putPidNs(ns);
        }
        v.rcuBarrier();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theFirstPidOfANamespaceFailingResetsItsCursor(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        assertEquals(RESERVED_PIDS + 1, v.sysctlPidMax(true, RESERVED_PIDS + 1));
        List<Integer> pids = new ArrayList<>();
        for (int nr = 1; nr <= RESERVED_PIDS; nr++) {
            pids.add(v.allocPid(root));
        }
        final int ns = v.createPidNamespace(root, 0);
        assertEquals(-EAGAIN, v.allocPid(ns), "ns took its 1 cyclically, then init_pid_ns is full");
        assertEquals(0, v.idrCursor(ns), "nothing was ever allocated in ns: its cursor went back to 0");
        assertEquals(0, v.findPidNs(1, ns));
        freeNr(v, pids, RESERVED_PIDS, root);
        final int init = v.allocPid(ns);
        assertEquals(1, v.upidNr(init, 1), "so its first pid is still 1");
        assertEquals(RESERVED_PIDS, v.upidNr(init, 0));
        assertEquals(-EAGAIN, v.allocPid(ns), "ns took 2, then init_pid_ns is full again");
        assertEquals(3, v.idrCursor(ns), "ns has a pid: the cursor stays past the released 2");
        pids.add(init);
        freeAll(v, pids);
        v.putPidNs(ns);
        v.rcuBarrier();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aNamespaceWhoseInitDiedRefusesPidsWithEnomem(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns = v.createPidNamespace(root, 0);
        List<Integer> pids = new ArrayList<>();
        final int init = v.allocPid(ns);
        pids.add(init);
        final int r = reaper(v, ns);
        pids.add(v.allocPid(ns));
        pids.add(v.allocPid(ns));
        final int rootAllocated = v.pidAllocated(root);
        List<Integer> woken = new ArrayList<>();
        v.onWakeUpProcess(woken::add);

        v.freePid(pids.remove(2));
        assertEquals(List.of(), woken, "PIDNS_ADDING is still set: nobody is woken");
        pids.add(v.allocPid(ns));
        v.disablePidAllocation(ns);
        assertEquals(3, v.pidAllocated(ns), "zap_pid_ns_processes: PIDNS_ADDING cleared");
        assertEquals(-ENOMEM, v.allocPid(ns));
        assertEquals(-ENOMEM, v.allocPid(ns, 9));
        assertEquals(rootAllocated, v.pidAllocated(root), "the number taken in init_pid_ns went back");
        assertEquals(5, v.nsCount(ns), "the failed allocation's reference went back; 3's waits for RCU");
        v.rcuBarrier();
        assertEquals(4, v.nsCount(ns));

        v.freePid(pids.remove(2));
        assertEquals(List.of(r), woken, "2 left: the reaper is woken");
        v.freePid(pids.remove(1));
        assertEquals(List.of(r, r), woken, "1 left: woken again");
        v.freePid(pids.remove(0));
        assertEquals(0, v.pidAllocated(ns));
        assertEquals(List.of(r, r), woken, "0: nobody left to wake");
        v.rcuBarrier();
        v.putPidNs(ns);
        v.rcuBarrier();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void losingTheFirstPidBeforeInitExistsClosesTheNamespace(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns = v.createPidNamespace(root, 0);
        final int first = v.allocPid(ns);
        assertEquals(PIDNS_ADDING + 1, v.pidAllocated(ns));
        v.freePid(first); // the fork of the namespace's init failed after alloc_pid
        assertEquals(0, v.pidAllocated(ns), "pid_allocated == PIDNS_ADDING becomes 0");
        assertEquals(-ENOMEM, v.allocPid(ns), "the namespace is dead");
        assertTrue(v.log().stream().noneMatch(l -> l.contains("free_pid")), "no reaper: no warning");

        final int ns2 = v.createPidNamespace(root, 0);
        final int first2 = v.allocPid(ns2);
        reaper(v, ns2);
        v.freePid(first2);
        assertTrue(v.log().stream().anyMatch(l -> l.contains("free_pid")), "a reaper there is WARN_ON'ed");
        v.rcuBarrier();
        v.putPidNs(ns);
        v.putPidNs(ns2);
        v.rcuBarrier();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFreedNumberCanBeRequestedAgainBeforeTheStructGoes(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        reaper(v, root);
        final int keep = v.allocPid(root, 76); // keeps the IDR's nodes: free_pid queues one callback only
        final int p = v.allocPid(root, 77);
        v.rcuBarrier();
        final long before = v.callbacksPending();
        v.freePid(p);
        assertEquals(before + 1, v.callbacksPending(), "delayed_put_pid is queued");
        assertEquals(1, v.pidCount(p), "the struct is still there, readable, until the grace period ends");
        assertEquals(77, v.pidNr(p));
        assertEquals(2L, v.liveObjects().get("pid"), "its struct still lives beside 76's");
        final int again = v.allocPid(root, 77);
        assertNotEquals(p, again);
        assertEquals(again, v.findPidNs(77, root));
        assertEquals(3L, v.liveObjects().get("pid"), "the old struct waits for RCU beside the new one");
        v.rcuBarrier();
        assertEquals(2L, v.liveObjects().get("pid"), "rcu_barrier ran delayed_put_pid");
        v.disablePidAllocation(root);
        v.freePid(again);
        v.freePid(keep);
        v.rcuBarrier();
        assertEquals(0L, v.liveObjects().get("pid"));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void getAndPutPidKeepTheStructAliveAcrossFreePid(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int p = v.allocPid(root);
        assertEquals(p, v.getPid(p));
        assertEquals(2, v.pidCount(p));
        v.freePid(p);
        v.rcuBarrier();
        assertEquals(1, v.pidCount(p), "delayed_put_pid dropped alloc_pid's reference, ours is left");
        assertEquals(1L, v.liveObjects().get("pid"));
        v.putPid(p);
        assertEquals(0L, v.liveObjects().get("pid"), "the last put frees it");
        assertEquals(0, v.getPid(0), "get_pid(NULL) is NULL");
        v.putPid(0);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void findGePidWalksThePublishedPidsInOrder(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        List<Integer> pids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            pids.add(v.allocPid(root));
        }
        for (int i = 199; i >= 0; i -= 3) {
            v.freePid(pids.remove(i));
        }
        List<Integer> walked = new ArrayList<>();
        for (int p = v.findGePid(1, root); p != 0; p = v.findGePid(v.pidNr(p) + 1, root)) {
            walked.add(v.pidNr(p));
        }
        List<Integer> expected = new ArrayList<>();
        for (int p : pids) {
            expected.add(v.pidNr(p));
        }
        assertEquals(expected, walked);
        assertEquals(0, v.findGePid(201, root));
        freeAll(v, pids);
        assertEquals(0, v.findGePid(0, root));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void thousandsOfAllocFreeCyclesLeaveNothingBehind(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns1 = v.createPidNamespace(root, 0);
        final int ns2 = v.createPidNamespace(ns1, 0);
        List<Integer> live = new ArrayList<>();
        int maxNr = 0;
        for (int i = 0; i < 5000; i++) {
            final int ns = i % 3 == 0 ? root : i % 3 == 1 ? ns1 : ns2;
            final int p = v.allocPid(ns);
            assertTrue(p > 0, "cycle " + i + ": " + p);
            maxNr = Math.max(maxNr, v.pidNr(p));
            live.add(p);
            if (live.size() > 40) {
                v.freePid(live.remove(i % 37));
            }
            if (i % 500 == 0) {
                v.rcuBarrier();
            }
        }
        assertTrue(maxNr > 3000, "the numbers kept moving up: " + maxNr);
        freeAll(v, live);
        assertEquals(0, v.pidAllocated(root), "emptied while adding: as after a failed first fork");
        assertEquals(0, v.validateIdr(root));
        assertEquals(1, v.nsCount(ns2));
        v.putPidNs(ns2);
        v.putPidNs(ns1);
        v.rcuBarrier();
        assertEquals(0L, v.liveObjects().get("pid_namespace"));
    }
}
