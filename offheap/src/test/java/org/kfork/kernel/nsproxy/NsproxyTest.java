package org.kfork.kernel.nsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.kernel.cred.CredVariant.Ns.CGROUP;
import static org.kfork.kernel.cred.CredVariant.Ns.IPC;
import static org.kfork.kernel.cred.CredVariant.Ns.MNT;
import static org.kfork.kernel.cred.CredVariant.Ns.NET;
import static org.kfork.kernel.cred.CredVariant.Ns.PID;
import static org.kfork.kernel.cred.CredVariant.Ns.TIME;
import static org.kfork.kernel.cred.CredVariant.Ns.TIME_FOR_CHILDREN;
import static org.kfork.kernel.cred.CredVariant.Ns.UTS;
import static org.kfork.uapi.CloneFlags.CLONE_NEWCGROUP;
import static org.kfork.uapi.CloneFlags.CLONE_NEWIPC;
import static org.kfork.uapi.CloneFlags.CLONE_NEWNET;
import static org.kfork.uapi.CloneFlags.CLONE_NEWNS;
import static org.kfork.uapi.CloneFlags.CLONE_NEWPID;
import static org.kfork.uapi.CloneFlags.CLONE_NEWTIME;
import static org.kfork.uapi.CloneFlags.CLONE_NEWUTS;
import static org.kfork.uapi.CloneFlags.CLONE_SYSVSEM;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.cred.UcountTypes;
import org.kfork.kernel.cred.CredFixture;
import org.kfork.kernel.cred.CredVariant;
import org.kfork.kernel.cred.CredVariant.Ns;
import org.kfork.nsproxy.NsRules;
import org.kfork.sched.TaskFlags;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;

/**
 * One suite, both kernels: kernel/nsproxy.c and the namespaces it holds (org.kfork.kernel.nsproxy
 * and its heap twin), with checked mode, the leak check and the heap object counts.
 */
class NsproxyTest extends CredFixture {
    /** Every flag copy_namespaces looks at. */
    private static final long ALL_NEW = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET
        | CLONE_NEWCGROUP | CLONE_NEWTIME;
    /** The namespaces whose ns_common the cred room keeps (the pid one is the pid room's). */
    private static final Ns[] COMMON = {MNT, UTS, IPC, CGROUP, NET, TIME, TIME_FOR_CHILDREN};

    private static void drop(CredVariant v, int t) {
        v.exitTaskNamespaces(t);
        v.exitCreds(t);
        v.freeTask(t);
    }

    private static Map<Ns, Integer> counts(CredVariant v, int t) {
        Map<Ns, Integer> m = new EnumMap<>(Ns.class);
        for (Ns n : Ns.values()) {
            m.put(n, v.nsCount(t, n));
        }
        return m;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void initNsproxyHoldsTheInitialNamespaces(Kind kind) {
        try (CredVariant v = open(kind)) {
            int init = v.newTask();
            assertTrue(v.nsproxyIsInit(init));
            assertEquals(2, v.nsproxyCount(init), "init_nsproxy's own count, and this task's");
            assertEquals(NsRules.PROC_UTS_INIT_INO, v.nsInum(init, UTS));
            assertEquals(NsRules.PROC_IPC_INIT_INO, v.nsInum(init, IPC));
            assertEquals(NsRules.PROC_CGROUP_INIT_INO, v.nsInum(init, CGROUP));
            assertEquals(NsRules.PROC_TIME_INIT_INO, v.nsInum(init, TIME));
            assertEquals(NsRules.PROC_DYNAMIC_FIRST, v.nsInum(init, MNT), "init_mount_tree's namespace came first");
            assertEquals(NsRules.PROC_DYNAMIC_FIRST + 1, v.nsInum(init, NET), "then setup_net(&init_net)");
            assertEquals(Map.of(MNT, 2, UTS, 2, IPC, 1, CGROUP, 2, NET, 1, TIME, 3, TIME_FOR_CHILDREN, 3, PID, 2),
                counts(v, init), "the init namespaces' static counts");
            assertTrue(v.timeNsFrozen(init, TIME), "init_time_ns is frozen");
            assertEquals(v.nsInum(init, TIME), v.nsInum(init, TIME_FOR_CHILDREN));
            assertEquals("(none)", v.utsNodename(init));
            assertEquals(1, v.ucount(0, UcountTypes.UCOUNT_MNT_NAMESPACES), "root made the initial mount namespace");
            drop(v, init);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void withoutNewFlagsTheChildSharesItsParentsNsproxy(Kind kind) {
        try (CredVariant v = open(kind)) {
            int parent = v.newTask();
            assertEquals(0, v.setCred(parent, 1000, 1000, 0));
            int child = v.dupTask(parent);
            assertEquals(0, v.copyCreds(parent, child, 0));
            assertEquals(0, v.copyNamespaces(parent, child, CLONE_SYSVSEM), "no CAP_SYS_ADMIN needed to share");
            assertTrue(v.sameNsproxy(parent, child));
            assertEquals(3, v.nsproxyCount(child));
            v.releaseTaskProcesses(child);
            drop(v, child);
            assertEquals(2, v.nsproxyCount(parent));
            drop(v, parent);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void cloneNewUtsCopiesTheNamesAndSharesTheRest(Kind kind) {
        try (CredVariant v = open(kind)) {
            int parent = v.newTask();
            v.setUtsNodename(parent, "parent-host");
            Map<Ns, Integer> before = counts(v, parent);
            int child = v.dupTask(parent);
            assertEquals(0, v.copyCreds(parent, child, 0));
            v.setFlags(parent, 0);
            assertEquals(0, v.copyNamespaces(parent, child, CLONE_NEWUTS));
            assertEquals(TaskFlags.PF_SUPERPRIV, v.flags(parent) & TaskFlags.PF_SUPERPRIV, "ns_capable on the parent");
            assertFalse(v.sameNsproxy(parent, child));
            assertEquals(1, v.nsproxyCount(child));
            assertFalse(v.sameNs(parent, child, UTS));
            assertEquals(1, v.nsCount(child, UTS));
            assertEquals("parent-host", v.utsNodename(child), "clone_uts_ns copied the names");
            v.setUtsNodename(child, "child-host");
            assertEquals("parent-host", v.utsNodename(parent), "and they are its own now");
            assertEquals(NsRules.PROC_DYNAMIC_FIRST + 2, v.nsInum(child, UTS));
            for (Ns n : new Ns[] {MNT, IPC, CGROUP, NET}) {
                assertTrue(v.sameNs(parent, child, n), n + " shared");
                assertEquals(before.get(n) + 1, v.nsCount(child, n), n + " got a reference");
            }
            assertTrue(v.sameNs(parent, child, TIME) && v.sameNs(parent, child, TIME_FOR_CHILDREN));
            assertEquals(before.get(TIME) + 2, v.nsCount(child, TIME), "init_time_ns, once per pointer");
            assertEquals(1, v.ucount(0, UcountTypes.UCOUNT_UTS_NAMESPACES));

            v.releaseTaskProcesses(child);
            drop(v, child);
            assertEquals(before, counts(v, parent), "free_nsproxy put every namespace");
            assertEquals(0, v.ucount(0, UcountTypes.UCOUNT_UTS_NAMESPACES), "free_uts_ns gave the count back");
            assertEquals(0, v.live("uts_namespace"));
            drop(v, parent);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyNewFlagMakesEveryNamespaceAndTheChildEntersTheNewTimeNamespace(Kind kind) {
        try (CredVariant v = open(kind)) {
            int parent = v.newTask();
            int cssBefore = v.initCssSetRefcount();
            Map<Ns, Integer> before = counts(v, parent);
            int child = v.dupTask(parent);
            assertEquals(0, v.copyCreds(parent, child, 0));
            assertEquals(0, v.copyNamespaces(parent, child, ALL_NEW));
            for (Ns n : Ns.values()) {
                if (n != TIME) {
                    assertFalse(v.sameNs(parent, child, n), n + " is new");
                }
            }
            assertFalse(v.sameNs(parent, child, TIME), "timens_on_fork: the child entered its new time namespace");
            assertEquals(v.nsInum(child, TIME_FOR_CHILDREN), v.nsInum(child, TIME));
            assertEquals(2, v.nsCount(child, TIME), "as time_ns and time_ns_for_children");
            assertTrue(v.timeNsFrozen(child, TIME), "timens_commit froze its offsets");
            assertEquals(1, v.nsCount(child, PID), "the new pid namespace, held by the new nsproxy");
            assertEquals(cssBefore + 1, v.initCssSetRefcount(), "the cgroup namespace holds the parent's css_set");
            assertEquals(before, counts(v, parent), "the parent's namespaces are untouched");
            for (int type : new int[] {UcountTypes.UCOUNT_UTS_NAMESPACES, UcountTypes.UCOUNT_IPC_NAMESPACES,
                UcountTypes.UCOUNT_NET_NAMESPACES, UcountTypes.UCOUNT_CGROUP_NAMESPACES,
                UcountTypes.UCOUNT_TIME_NAMESPACES}) {
                assertEquals(1, v.ucount(0, type), UcountTypes.sysctlName(type));
            }
            assertEquals(2, v.ucount(0, UcountTypes.UCOUNT_MNT_NAMESPACES));
            assertEquals(1, v.live("net_namespace"));
            assertEquals(1, v.live("kmalloc-1k"), "the ipc namespace");

            v.releaseTaskProcesses(child);
            drop(v, child);
            assertEquals(cssBefore, v.initCssSetRefcount());
            assertEquals(0, v.ucount(0, UcountTypes.UCOUNT_TIME_NAMESPACES));
            assertEquals(0, v.live("net_namespace"));
            drop(v, parent);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void newNamespacesNeedCapSysAdminAndNewIpcRefusesSysvsem(Kind kind) {
        try (CredVariant v = open(kind)) {
            int parent = v.newTask();
            assertEquals(0, v.setCred(parent, 1000, 1000, Capabilities.capToMask(Capabilities.CAP_SYS_RESOURCE)));
            int child = v.dupTask(parent);
            assertEquals(0, v.copyCreds(parent, child, 0));
            for (long flag : new long[] {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET,
                CLONE_NEWCGROUP, CLONE_NEWTIME}) {
                assertEquals(-Errno.EPERM, v.copyNamespaces(parent, child, flag));
                assertTrue(v.sameNsproxy(parent, child), "the copy still points at the parent's set");
            }
            assertEquals(0, v.flags(parent) & TaskFlags.PF_SUPERPRIV);
            assertEquals(2, v.nsproxyCount(parent), "no reference taken by a refusal");

            assertEquals(0, v.setCred(parent, 1000, 1000, Capabilities.capToMask(Capabilities.CAP_SYS_ADMIN)));
            assertEquals(-Errno.EINVAL, v.copyNamespaces(parent, child, CLONE_NEWIPC | CLONE_SYSVSEM));
            assertEquals(0, v.copyNamespaces(parent, child, CLONE_NEWIPC));
            assertFalse(v.sameNs(parent, child, IPC));
            assertEquals(1, v.ucount(1000, UcountTypes.UCOUNT_IPC_NAMESPACES), "counted against the creator's euid");
            v.releaseTaskProcesses(child);
            drop(v, child);
            drop(v, parent);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aNamespaceOverItsUserLimitIsEnospcAndUnwindsTheOthers(Kind kind) {
        try (CredVariant v = open(kind)) {
            int parent = v.newTask();
            int child = v.dupTask(parent);
            assertEquals(0, v.copyCreds(parent, child, 0));
            Map<String, Long> before = v.counts();
            for (int type : new int[] {UcountTypes.UCOUNT_MNT_NAMESPACES, UcountTypes.UCOUNT_UTS_NAMESPACES,
                UcountTypes.UCOUNT_IPC_NAMESPACES, UcountTypes.UCOUNT_CGROUP_NAMESPACES,
                UcountTypes.UCOUNT_NET_NAMESPACES, UcountTypes.UCOUNT_TIME_NAMESPACES}) {
                long limit = type == UcountTypes.UCOUNT_MNT_NAMESPACES ? 1 : 0; // root already has one mnt ns
                assertEquals(limit, v.sysctlUcountMax(type, true, limit));
                assertEquals(-Errno.ENOSPC, v.copyNamespaces(parent, child, ALL_NEW), UcountTypes.sysctlName(type));
                assertTrue(v.sameNsproxy(parent, child));
                assertEquals(before, v.counts(), "every namespace made before the refused one was put");
                assertEquals(256, v.sysctlUcountMax(type, true, 256));
            }
            v.releaseTaskProcesses(child);
            v.exitCreds(child);
            v.freeTask(child);
            drop(v, parent);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void unshareTimeChangesOnlyTheChildrensTimeNamespaceAndAForkThenEntersIt(Kind kind) {
        try (CredVariant v = open(kind)) {
            int t = v.newTask();
            assertEquals(1, v.unshareNamespaces(t, CLONE_SYSVSEM), "nothing to unshare");
            assertTrue(v.nsproxyIsInit(t));
            assertEquals(0, v.unshareNamespaces(t, CLONE_NEWTIME));
            assertFalse(v.nsproxyIsInit(t));
            assertTrue(v.nsIsInit(t, TIME), "the task itself stays in its time namespace");
            assertFalse(v.nsIsInit(t, TIME_FOR_CHILDREN));
            assertFalse(v.timeNsFrozen(t, TIME_FOR_CHILDREN), "nobody entered it yet");
            assertEquals(1, v.nsproxyCount(t), "init_nsproxy lost the task's reference");

            assertEquals(0, v.setCred(t, 1000, 1000, 0));
            int child = v.dupTask(t);
            assertEquals(0, v.copyCreds(t, child, 0));
            assertEquals(0, v.copyNamespaces(t, child, 0), "no CLONE_NEW* flag: no CAP_SYS_ADMIN check");
            assertFalse(v.sameNsproxy(t, child), "a different time namespace for children needs a new set");
            assertTrue(v.sameNs(t, child, TIME_FOR_CHILDREN));
            assertEquals(v.nsInum(t, TIME_FOR_CHILDREN), v.nsInum(child, TIME), "the child lives in it");
            assertTrue(v.timeNsFrozen(child, TIME));
            assertEquals(3, v.nsCount(t, TIME_FOR_CHILDREN), "the parent's set, and the child's two pointers");
            assertEquals(-Errno.EPERM, v.unshareNamespaces(t, CLONE_NEWUTS), "unshare needs CAP_SYS_ADMIN too");
            v.releaseTaskProcesses(child);
            drop(v, child);
            drop(v, t);
            assertEquals(1, v.live("kmalloc-96"), "the time namespace is gone, root's ucounts remain");
        }
    }

    /** Sweeps k = 1.. over copy_namespaces(ALL_NEW) by {@code parent}; returns the errnos of the failures. */
    private static List<Integer> sweepCopyNamespaces(CredVariant v, int parent) {
        Map<String, Long> atStart = v.counts();
        int child = v.dupTask(parent);
        assertEquals(0, v.copyCreds(parent, child, 0));
        Map<String, Long> before = v.counts();
        Map<Ns, Integer> refs = counts(v, parent);
        List<Integer> errnos = new ArrayList<>();
        for (int k = 1; ; k++) {
            v.failSlab().failNth(k);
            int r = v.copyNamespaces(parent, child, ALL_NEW);
            boolean injected = !v.failSlab().armed();
            v.failSlab().disarm();
            if (!injected) {
                assertEquals(0, r);
                assertFalse(v.sameNsproxy(parent, child));
                break;
            }
            errnos.add(-r);
            assertTrue(v.sameNsproxy(parent, child), "k=" + k + ": the task keeps its parent's set");
            assertEquals(refs, counts(v, parent), "k=" + k + ": every reference given back");
            assertEquals(before, v.counts(), "k=" + k + ": nothing leaked");
        }
        v.releaseTaskProcesses(child);
        drop(v, child);
        assertEquals(atStart, v.counts());
        return errnos;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void failslabAtEveryAllocationOfCopyNamespacesUnwinds(Kind kind) {
        try (CredVariant v = open(kind)) {
            int root = v.newTask();
            // the nsproxy, then mnt, uts, ipc, pid, cgroup, net, time and its
            // vvar page: root's ucounts exist since boot, so inc_ucount allocates nothing
            assertEquals(List.of(Errno.ENOMEM, Errno.ENOMEM, Errno.ENOMEM, Errno.ENOMEM, Errno.ENOMEM, Errno.ENOMEM,
                Errno.ENOMEM, Errno.ENOMEM, Errno.ENOMEM), sweepCopyNamespaces(v, root));

            int admin = v.newTask();
            assertEquals(0, v.setCred(admin, 1000, 1000, Capabilities.capToMask(Capabilities.CAP_SYS_ADMIN)));
            // a user with no ucounts yet: the first inc_ucount (for mnt) kzallocs them, and its
            // failure reads -ENOSPC, as inc_ucount cannot tell it from a limit
            assertEquals(List.of(Errno.ENOMEM, Errno.ENOSPC, Errno.ENOMEM, Errno.ENOMEM, Errno.ENOMEM, Errno.ENOMEM,
                Errno.ENOMEM, Errno.ENOMEM, Errno.ENOMEM, Errno.ENOMEM), sweepCopyNamespaces(v, admin));
            drop(v, admin);
            drop(v, root);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void failslabAtEveryAllocationOfUnshareLeavesTheTaskInItsNamespaces(Kind kind) {
        try (CredVariant v = open(kind)) {
            int t = v.newTask();
            Map<String, Long> before = v.counts();
            int k = 1;
            for (; ; k++) {
                v.failSlab().failNth(k);
                long r = v.unshareNamespaces(t, CLONE_NEWUTS | CLONE_NEWNET);
                boolean injected = !v.failSlab().armed();
                v.failSlab().disarm();
                if (!injected) {
                    assertEquals(0, r);
                    break;
                }
                assertTrue(r == -Errno.ENOMEM || r == -Errno.ENOSPC, "k=" + k + ": " + r);
                assertTrue(v.nsproxyIsInit(t));
                assertEquals(2, v.nsproxyCount(t));
                assertEquals(before, v.counts());
            }
            assertEquals(4, k, "the nsproxy, the uts namespace, the net namespace, then success");
            assertFalse(v.nsIsInit(t, UTS));
            assertFalse(v.nsIsInit(t, NET));
            assertTrue(v.nsIsInit(t, IPC));
            drop(v, t);
            assertEquals(before, v.counts());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void exitTaskNamespacesDropsTheSetAndTheLastUserFreesIt(Kind kind) {
        try (CredVariant v = open(kind)) {
            int a = v.newTask();
            assertEquals(0, v.unshareNamespaces(a, CLONE_NEWNS));
            int b = v.dupTask(a);
            assertEquals(0, v.copyCreds(a, b, 0));
            assertEquals(0, v.copyNamespaces(a, b, 0));
            assertEquals(2, v.nsproxyCount(a));
            assertEquals(1, v.live("nsproxy"));
            v.exitTaskNamespaces(a);
            assertEquals(1, v.nsproxyCount(b));
            assertEquals(1, v.live("nsproxy"), "b still holds it");
            assertEquals(NsRules.PROC_DYNAMIC_FIRST + 2, v.nsInum(b, MNT));
            v.releaseTaskProcesses(b);
            drop(v, b);
            assertEquals(0, v.live("nsproxy"));
            assertEquals(1, v.live("kmalloc-128"), "only the initial mount namespace is left");
            v.exitCreds(a);
            v.freeTask(a);
        }
    }

    /** The two kernels, driven in lockstep, hand out the same inode numbers and hold the same counts. */
    @Test
    void bothKernelsGiveTheSameNumbersStepByStep() {
        try (CredVariant off = open(Kind.OFFHEAP); CredVariant heap = open(Kind.HEAP)) {
            CredVariant[] both = {off, heap};
            int[] p = new int[2];
            int[] c = new int[2];
            long[][] flags = {{CLONE_NEWUTS}, {CLONE_NEWNET | CLONE_NEWIPC}, {ALL_NEW}, {0}};
            for (int i = 0; i < 2; i++) {
                p[i] = both[i].newTask();
            }
            for (long[] f : flags) {
                for (int i = 0; i < 2; i++) {
                    c[i] = both[i].dupTask(p[i]);
                    assertEquals(0, both[i].copyCreds(p[i], c[i], 0));
                    assertEquals(0, both[i].copyNamespaces(p[i], c[i], f[0]));
                }
                for (Ns n : COMMON) {
                    assertEquals(off.nsInum(c[0], n), heap.nsInum(c[1], n),
                        n + " inum after " + Long.toHexString(f[0]));
                    assertEquals(off.nsCount(c[0], n), heap.nsCount(c[1], n), n + " count");
                }
                assertEquals(off.counts(), heap.counts());
                for (int i = 0; i < 2; i++) {
                    both[i].releaseTaskProcesses(c[i]);
                    drop(both[i], c[i]);
                    both[i].rcuBarrier();
                }
                assertEquals(off.counts(), heap.counts());
            }
            for (int i = 0; i < 2; i++) {
                drop(both[i], p[i]);
            }
        }
    }
}
