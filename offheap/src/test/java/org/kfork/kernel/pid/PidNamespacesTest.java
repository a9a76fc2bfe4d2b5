package org.kfork.kernel.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.pid.PidRules.PIDNS_ADDING;
import static org.kfork.uapi.Errno.EINVAL;
import static org.kfork.uapi.Errno.ENOMEM;
import static org.kfork.uapi.Errno.ENOSPC;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.nsproxy.NsRules;
import org.kfork.sched.Limits;
import org.kfork.uapi.CloneFlags;

/**
 * kernel/pid_namespace.c on both kernels: creation and its -ENOSPC limits (depth and ucount),
 * references up the parent chain, frees through RCU, copy_pid_ns, and the pids of deep
 * namespaces. Each test ends with both leak checks (PidSuite).
 */
class PidNamespacesTest extends PidSuite {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aNewNamespaceHoldsItsParentAndAddsPids(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns1 = v.createPidNamespace(root, 0);
        assertTrue(ns1 > 0);
        assertEquals(1, v.nsLevel(ns1));
        assertEquals(root, v.nsParent(ns1));
        assertEquals(1, v.nsCount(ns1));
        assertEquals(2, v.nsCount(root), "init_pid_ns is not counted");
        assertEquals(PIDNS_ADDING, v.pidAllocated(ns1));
        assertEquals(0, v.childReaper(ns1), "no init until its first process");
        assertEquals(0, v.idrCursor(ns1));
        assertEquals(Integer.toUnsignedLong(NsRules.PROC_DYNAMIC_FIRST) + 2, v.nsInum(ns1),
            "the first dynamic inode number after init_mount_tree's and init_net's");
        final int ns2 = v.createPidNamespace(ns1, 0);
        assertEquals(2, v.nsCount(ns1), "the child holds its parent");
        assertEquals(Integer.toUnsignedLong(NsRules.PROC_DYNAMIC_FIRST) + 3, v.nsInum(ns2));
        assertEquals(2, v.pidNsUcount(0), "two namespaces charged to uid 0");
        assertEquals(2L, v.liveObjects().get("pid_namespace"));

        v.putPidNs(ns1);
        assertEquals(1, v.nsCount(ns1), "ns2 keeps ns1");
        v.putPidNs(ns2);
        assertEquals(2L, v.liveObjects().get("pid_namespace"), "destroyed, but the structs wait for RCU");
        assertEquals(2, v.pidNsUcount(0), "the ucount goes back in delayed_free_pidns");
        v.rcuBarrier();
        assertEquals(0L, v.liveObjects().get("pid_namespace"), "the last put freed the chain");
        assertEquals(0, v.pidNsUcount(0));
        final int again = v.createPidNamespace(root, 0);
        assertEquals(Integer.toUnsignedLong(NsRules.PROC_DYNAMIC_FIRST) + 2, v.nsInum(again),
            "inode numbers are reused, lowest first");
        v.putPidNs(again);
        v.rcuBarrier();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void namespacesNestThirtyTwoDeepAndNoDeeper(Kind kind) {
        PidVariant v = v(kind);
        List<Integer> chain = new ArrayList<>();
        int ns = v.initPidNs();
        for (int level = 1; level <= Limits.MAX_PID_NS_LEVEL; level++) {
            ns = v.createPidNamespace(ns, 0);
            assertEquals(level, v.nsLevel(ns));
            chain.add(ns);
        }
        assertEquals(-ENOSPC, v.createPidNamespace(ns, 0), "level 33 > MAX_PID_NS_LEVEL");
        assertEquals(Limits.MAX_PID_NS_LEVEL, v.pidNsUcount(0), "the refused one was not charged");
        assertEquals(1, v.nsCount(ns), "nor did it take a reference on its parent");

        final int deep = v.allocPid(ns);
        assertEquals(Limits.MAX_PID_NS_LEVEL, v.pidLevel(deep));
        assertEquals(1L, v.liveObjects().get("pid_33"), "a level-32 pid comes from pid_33");
        for (int level = 0; level <= Limits.MAX_PID_NS_LEVEL; level++) {
            assertEquals(1, v.upidNr(deep, level), "the first pid of each namespace is 1");
            assertEquals(level == 0 ? v.initPidNs() : chain.get(level - 1), v.upidNs(deep, level));
            assertEquals(1, v.pidNrNs(deep, v.upidNs(deep, level)));
        }
        assertEquals(ns, v.nsOfPid(deep));

        v.disablePidAllocation(ns);
        v.freePid(deep);
        for (int i = chain.size() - 1; i >= 0; i--) {
            v.putPidNs(chain.get(i));
        }
        assertEquals(32L, v.liveObjects().get("pid_namespace"), "the deep pid's struct still holds its namespace");
        v.rcuBarrier();
        assertEquals(32L, v.liveObjects().get("pid_namespace"),
            "delayed_put_pid's put destroyed the whole chain, whose structs wait for a grace period of their own");
        v.rcuBarrier();
        assertEquals(0L, v.liveObjects().get("pid_namespace"));
        assertEquals(0L, v.liveObjects().get("pid_33"));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aUidOwnsAtMostUcountMaxPidNamespaces(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int max = v.pidNsUcountMax();
        assertEquals(Limits.maxThreads(machine.pages().totalramPages(), Limits.MAX_THREADS) / 2, max,
            "init_user_ns.ucount_max[UCOUNT_PID_NAMESPACES] = max_threads / 2");
        assertEquals(g.forkInit.maxThreads() / 2, max);
        List<Integer> mine = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            final int ns = v.createPidNamespace(i % 2 == 0 ? root : mine.get(0), 1000);
            assertTrue(ns > 0, "namespace " + i + ": " + ns);
            mine.add(ns);
        }
        assertEquals(max, v.pidNsUcount(1000));
        assertEquals(-ENOSPC, v.createPidNamespace(root, 1000), "uid 1000 is at its limit");
        assertEquals(max, v.pidNsUcount(1000));
        final int other = v.createPidNamespace(root, 0);
        assertTrue(other > 0, "another uid has its own count");

        v.putPidNs(mine.remove(max - 1));
        assertEquals(-ENOSPC, v.createPidNamespace(root, 1000), "the charge goes back after the grace period");
        v.rcuBarrier();
        final int one = v.createPidNamespace(root, 1000);
        assertTrue(one > 0);
        mine.add(one);

        for (int i = mine.size() - 1; i >= 0; i--) {
            v.putPidNs(mine.get(i));
        }
        v.putPidNs(other);
        v.rcuBarrier();
        assertEquals(0, v.pidNsUcount(1000));
        assertEquals(0L, v.liveObjects().get("pid_namespace"));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void copyPidNsSharesOrNestsUnderCurrentsNamespaceOnly(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int current = v.newTask();
        final int pid = v.allocPid(root);
        v.initTaskPid(current, 0, pid);
        assertEquals(root, v.copyPidNs(0, current, root, 0), "no CLONE_NEWPID: shared");
        assertEquals(2, v.nsCount(root));
        final int child = v.copyPidNs(CloneFlags.CLONE_NEWPID | CloneFlags.CLONE_VM, current, root, 0);
        assertTrue(child > 0);
        assertEquals(1, v.nsLevel(child));
        assertEquals(root, v.nsParent(child));
        assertEquals(child, v.copyPidNs(0, current, child, 0), "shared: one more reference");
        assertEquals(2, v.nsCount(child));
        assertEquals(-EINVAL, v.copyPidNs(CloneFlags.CLONE_NEWPID, current, child, 0),
            "after setns, children's namespace is not current's: no nesting there");
        assertEquals(2, v.nsCount(child));
        v.putPidNs(child);
        v.putPidNs(child);
        v.initTaskPid(current, 0, 0);
        v.freePid(pid);
        v.rcuBarrier();
        v.freeTask(current);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void pidsKeepTheirNamespaceAliveAfterItsLastOtherHolderGoes(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns1 = v.createPidNamespace(root, 0);
        final int ns2 = v.createPidNamespace(ns1, 0);
        final int p = v.allocPid(ns2);
        assertEquals(2, v.nsCount(ns2));
        v.putPidNs(ns2);
        v.putPidNs(ns1);
        assertEquals(1, v.nsCount(ns2), "the pid holds ns2");
        assertEquals(1, v.nsCount(ns1), "ns2 holds ns1");
        assertEquals(p, v.findPidNs(1, ns2));
        v.freePid(p);
        assertEquals(2L, v.liveObjects().get("pid_namespace"));
        v.rcuBarrier();
        assertEquals(2L, v.liveObjects().get("pid_namespace"), "delayed_put_pid's put destroyed ns2, then ns1");
        assertEquals(2, v.pidNsUcount(0), "their charges go back with their structs");
        v.rcuBarrier();
        assertEquals(0L, v.liveObjects().get("pid_namespace"), "after the namespaces' own grace period");
        assertEquals(0, v.pidNsUcount(0));
        assertEquals(0L, v.liveObjects().get("pid_3"));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theInodeNumbersOfLiveNamespacesAreDistinct(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        Set<Long> inums = new HashSet<>();
        List<Integer> nss = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            final int ns = v.createPidNamespace(i < 20 ? root : nss.get(i - 20), 0);
            assertTrue(inums.add(v.nsInum(ns)));
            assertTrue(v.nsInum(ns) >= Integer.toUnsignedLong(NsRules.PROC_DYNAMIC_FIRST));
            nss.add(ns);
        }
        assertNotEquals(v.nsInum(root), v.nsInum(nss.get(0)));
        for (int i = nss.size() - 1; i >= 0; i--) {
            v.putPidNs(nss.get(i));
        }
        v.rcuBarrier();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void failslabAtEveryAllocationOfCreatePidNamespaceLeavesNothing(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        int k = 1;
        for (;; k++) {
            v.failNth(k);
            final int ns = v.createPidNamespace(root, 7);
            final boolean injected = !v.failArmed();
            v.disarm();
            if (!injected) {
                assertTrue(ns > 0);
                v.putPidNs(ns);
                v.rcuBarrier();
                break;
            }
            // inc_ucount's new struct ucounts for uid 7 comes first: its failure is -ENOSPC
            assertEquals(k == 1 ? -ENOSPC : -ENOMEM, ns, "k = " + k);
            assertEquals(0, v.pidNsUcount(7), "k = " + k + ": the ucount went back");
            assertEquals(0L, v.liveObjects().get("pid_namespace"));
            assertEquals(2, v.nsCount(root));
        }
        assertEquals(3, k, "two allocation points: uid 7's ucounts and the struct (the pid_N cache and the inode "
            + "number are not slab objects here)");
    }
}
