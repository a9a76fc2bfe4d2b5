package org.kfork.kernel.cred;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.uapi.Capabilities.CAP_CHECKPOINT_RESTORE;
import static org.kfork.uapi.Capabilities.CAP_FULL_SET;
import static org.kfork.uapi.Capabilities.CAP_KILL;
import static org.kfork.uapi.Capabilities.CAP_SYS_ADMIN;
import static org.kfork.uapi.Capabilities.CAP_SYS_NICE;
import static org.kfork.uapi.Capabilities.CAP_SYS_PTRACE;
import static org.kfork.uapi.Capabilities.CAP_SYS_RAWIO;
import static org.kfork.uapi.Capabilities.CAP_SYS_RESOURCE;
import static org.kfork.uapi.Capabilities.capToMask;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.cred.UcountTypes;
import org.kfork.sched.TaskFlags;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/**
 * One suite, both kernels: kernel/cred.c, kernel/user.c, kernel/capability.c and kernel/ucount.c
 * (org.kfork.kernel.cred and its heap twin). Every test runs with checked mode and the leak check
 * on the machine, and the heap variant checks its object counts when it closes.
 */
class CredTest extends CredFixture {
    private static final long THREAD = CloneFlags.CLONE_VM | CloneFlags.CLONE_FS | CloneFlags.CLONE_FILES
        | CloneFlags.CLONE_SIGHAND | CloneFlags.CLONE_THREAD;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void initCredIsRootWithEveryCapabilityButInheritableAndAmbient(Kind kind) {
        try (CredVariant v = open(kind)) {
            int init = v.newTask();
            CredVariant.CredView c = v.cred(init);
            assertEquals(new CredVariant.CredView(0, 0, 0, 0, 0, 0, 0, 0, CAP_FULL_SET, CAP_FULL_SET, 0, 0,
                CAP_FULL_SET, 6, 0), c, "init_cred: usage 4, plus this task's two pointers");
            assertEquals(0x1ff_ffffffffL, CAP_FULL_SET);
            assertTrue(v.credIsInitCred(init));
            assertEquals(1, v.userProcesses(0), "root_user counts init_task");
            assertEquals(1, v.userCount(0), "root_user's one reference is init_cred's");
            assertEquals(256, v.sysctlUcountMax(UcountTypes.UCOUNT_PID_NAMESPACES, false, 0),
                "fork_init: init_user_ns.ucount_max[] = max_threads / 2 (512 on 64 MiB)");
            for (int type = 0; type < UcountTypes.UCOUNT_COUNTS; type++) {
                assertEquals(256, v.sysctlUcountMax(type, false, 0), UcountTypes.sysctlName(type));
            }
            drop(v, init);
        }
    }

    /** exit_creds and the end of the init-like task's namespaces, then its memory. */
    private static void drop(CredVariant v, int t) {
        v.exitCreds(t);
        v.exitTaskNamespaces(t);
        v.freeTask(t);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aThreadSharesItsParentsCredAndCountsAsAProcessOfItsUser(Kind kind) {
        try (CredVariant v = open(kind)) {
            int parent = v.newTask();
            long jar = v.live("cred_jar");
            int child = v.dupTask(parent);
            assertEquals(0, v.copyCreds(parent, child, THREAD));
            assertTrue(v.sameCred(parent, child));
            assertEquals(v.cred(child), v.realCred(child));
            assertEquals(8, v.cred(parent).usage(), "get_cred twice for the thread's two pointers");
            assertEquals(2, v.userProcesses(0));
            assertEquals(jar, v.live("cred_jar"), "nothing allocated for a thread");

            v.releaseTaskProcesses(child);
            v.exitCreds(child);
            v.freeTask(child);
            assertEquals(6, v.cred(parent).usage());
            assertEquals(1, v.userProcesses(0));
            drop(v, parent);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aProcessGetsItsOwnCopyFreedAfterAGracePeriod(Kind kind) {
        try (CredVariant v = open(kind)) {
            int parent = v.newTask();
            assertEquals(0, v.setCred(parent, 1000, 100, capToMask(CAP_KILL)));
            int child = v.dupTask(parent);
            assertEquals(0, v.copyCreds(parent, child, 0));
            assertFalse(v.sameCred(parent, child), "prepare_creds made a private copy");
            CredVariant.CredView c = v.cred(child);
            assertEquals(v.realCred(child), c);
            assertEquals(2, c.usage(), "one reference per pointer");
            assertEquals(1000, c.uid());
            assertEquals(100, c.egid());
            assertEquals(capToMask(CAP_KILL), c.capEffective());
            assertEquals(2, v.userProcesses(1000), "the parent moved here, the child is counted here");
            assertEquals(2, v.userCount(1000), "each cred holds its user");
            assertEquals(2, v.live("cred_jar"));

            v.releaseTaskProcesses(child);
            v.exitCreds(child);
            v.freeTask(child);
            assertEquals(2, v.live("cred_jar"), "put_cred_rcu waits for a grace period");
            v.rcuBarrier();
            assertEquals(1, v.live("cred_jar"), "rcu_barrier ran put_cred_rcu");
            assertEquals(1, v.userCount(1000), "put_cred_rcu dropped the child's user reference");
            assertEquals(1, v.userProcesses(1000));
            drop(v, parent);
            v.rcuBarrier();
            assertEquals(0, v.live("cred_jar"));
            assertEquals(-1, v.userCount(1000), "the last free_uid unhashed and freed the user_struct");
            assertEquals(0, v.live("uid_cache"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void cloneNewUserIsEinvalWithoutUserNamespacesAndLeavesNothing(Kind kind) {
        try (CredVariant v = open(kind)) {
            int parent = v.newTask();
            int child = v.dupTask(parent);
            assertEquals(-Errno.EINVAL, v.copyCreds(parent, child, CloneFlags.CLONE_NEWUSER));
            assertTrue(v.sameCred(parent, child), "the copy still points at the parent's cred");
            assertEquals(6, v.cred(parent).usage(), "and took no reference");
            assertEquals(1, v.userProcesses(0));
            v.freeTask(child);
            v.rcuBarrier();
            assertEquals(0, v.live("cred_jar"), "the prepared cred went through RCU");
            assertEquals(1, v.userCount(0));
            drop(v, parent);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void processCountsFollowForksExitsAndUserChanges(Kind kind) {
        try (CredVariant v = open(kind)) {
            int init = v.newTask();
            List<Integer> kids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int c = v.dupTask(init);
                assertEquals(0, v.copyCreds(init, c, i % 2 == 0 ? 0 : THREAD));
                kids.add(c);
            }
            assertEquals(6, v.userProcesses(0));
            assertEquals(0, v.setCred(kids.get(0), 42, 42, 0));
            assertEquals(0, v.setCred(kids.get(2), 42, 42, 0));
            assertEquals(4, v.userProcesses(0), "commit_creds moved two processes");
            assertEquals(2, v.userProcesses(42));
            assertEquals(0, v.setCred(kids.get(2), 42, 7, 0), "same uid: no move");
            assertEquals(2, v.userProcesses(42));
            for (int c : kids) {
                v.releaseTaskProcesses(c);
                v.exitCreds(c);
                v.freeTask(c);
            }
            assertEquals(1, v.userProcesses(0));
            v.rcuBarrier();
            assertEquals(-1, v.userProcesses(42), "user 42 is gone with its last cred");
            drop(v, init);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void setCredSetsEveryIdAndTheCapabilitySetsAndMinusOneLeavesIdsAlone(Kind kind) {
        try (CredVariant v = open(kind)) {
            int t = v.newTask();
            long caps = capToMask(CAP_SYS_NICE) | capToMask(CAP_SYS_ADMIN) | (1L << 50);
            assertEquals(0, v.setCred(t, 1000, 2000, caps));
            CredVariant.CredView c = v.cred(t);
            assertEquals(new CredVariant.CredView(1000, 2000, 1000, 2000, 1000, 2000, 1000, 2000,
                caps & CAP_FULL_SET, caps & CAP_FULL_SET, 0, 0, CAP_FULL_SET, 2, 1000), c,
                "bits beyond CAP_LAST_CAP dropped; bounding and inheritable sets unchanged");
            assertEquals(v.cred(t), v.realCred(t));
            assertEquals(0, v.setCred(t, -1, 3000, 0));
            c = v.cred(t);
            assertEquals(1000, c.uid(), "(uid_t) -1 leaves the uids");
            assertEquals(1000, c.fsuid());
            assertEquals(3000, c.sgid());
            assertEquals(0, c.capEffective());
            assertEquals(0, v.setCred(t, 0, -1, CAP_FULL_SET));
            assertEquals(3000, v.cred(t).gid(), "(gid_t) -1 leaves the gids");
            assertEquals(0, v.cred(t).uid());
            drop(v, t);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void commitCredsMakesTheMmUndumpableOnlyWhenIdsChangeOrCapabilitiesGrow(Kind kind) {
        try (CredVariant v = open(kind)) {
            int t = v.newTask();
            v.giveMm(t, 0xcc | 1); // MMF_DUMP_FILTER_DEFAULT | SUID_DUMP_USER
            v.setPdeathSignal(t, 9);
            assertEquals(0, v.setCred(t, 0, 0, CAP_FULL_SET));
            assertEquals(0xcd, v.mmFlags(t), "same ids, same capabilities: dumpable stays");
            assertEquals(9, v.pdeathSignal(t));
            assertEquals(0, v.setCred(t, 0, 0, CAP_FULL_SET & ~capToMask(CAP_KILL)));
            assertEquals(0xcd, v.mmFlags(t), "dropping a capability keeps the mm dumpable");
            assertEquals(9, v.pdeathSignal(t));
            assertEquals(0, v.setCred(t, 0, 0, CAP_FULL_SET));
            assertEquals(0xcc, v.mmFlags(t), "gaining one: SUID_DUMP_DISABLE, the dump filter kept");
            assertEquals(0, v.pdeathSignal(t));
            v.setPdeathSignal(t, 9);
            assertEquals(0, v.setCred(t, 5, 0, CAP_FULL_SET));
            assertEquals(0, v.pdeathSignal(t), "a new euid clears pdeath_signal");
            v.dropMm(t);
            drop(v, t);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theUidHashKeepsAUserWhileReferencedAndFreesItAtZero(Kind kind) {
        try (CredVariant v = open(kind)) {
            assertEquals(-1, v.userCount(500));
            assertTrue(v.allocUid(500));
            assertEquals(1, v.userCount(500));
            assertEquals(0, v.userProcesses(500));
            assertEquals(1, v.live("uid_cache"));
            assertTrue(v.allocUid(500), "found in the hash");
            assertEquals(2, v.userCount(500));
            assertEquals(1, v.live("uid_cache"));
            assertTrue(v.allocUid(627), "same bucket (uidhashfn), another user");
            assertEquals(2, v.live("uid_cache"));
            v.freeUid(500); // find_user's reference and one of alloc_uid's
            assertEquals(1, v.userCount(500));
            v.freeUid(500);
            assertEquals(-1, v.userCount(500), "free_uid at zero unhashed it");
            assertEquals(1, v.userCount(627), "its bucket neighbour is still there");
            v.freeUid(627);
            assertEquals(0, v.live("uid_cache"));
            assertEquals(1, v.userCount(0), "root_user is never freed");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void capableUsesTheEffectiveSetAndSetsPfSuperprivOnlyOnSuccess(Kind kind) {
        try (CredVariant v = open(kind)) {
            int t = v.newTask();
            for (int cap : new int[] {CAP_SYS_ADMIN, CAP_SYS_RESOURCE, CAP_CHECKPOINT_RESTORE, CAP_SYS_PTRACE,
                CAP_SYS_RAWIO, CAP_SYS_NICE}) {
                assertTrue(v.capable(t, cap), "root has " + cap);
            }
            assertEquals(TaskFlags.PF_SUPERPRIV, v.flags(t) & TaskFlags.PF_SUPERPRIV);
            v.setFlags(t, 0);
            assertTrue(v.hasCapability(t, CAP_SYS_ADMIN));
            assertEquals(0, v.flags(t), "has_capability sets nothing");

            assertEquals(0, v.setCred(t, 1000, 1000, capToMask(CAP_SYS_RESOURCE)));
            assertFalse(v.capable(t, CAP_SYS_ADMIN));
            assertFalse(v.hasCapability(t, CAP_SYS_ADMIN));
            assertEquals(0, v.flags(t) & TaskFlags.PF_SUPERPRIV, "a refused check sets nothing");
            assertTrue(v.capable(t, CAP_SYS_RESOURCE));
            assertEquals(TaskFlags.PF_SUPERPRIV, v.flags(t) & TaskFlags.PF_SUPERPRIV);
            assertThrows(IllegalArgumentException.class, () -> v.capable(t, 41),
                "capable() of an invalid cap is a BUG");
            assertThrows(IllegalArgumentException.class, () -> v.capable(t, -1));
            drop(v, t);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void getTaskCredPinsTheObjectiveCredAndPrepareAbortFreesThroughRcu(Kind kind) {
        try (CredVariant v = open(kind)) {
            int t = v.newTask();
            assertEquals(0, v.setCred(t, 9, 9, 0));
            assertEquals(3, v.pinnedUsage(t));
            assertEquals(2, v.cred(t).usage());
            assertTrue(v.prepareThenAbort(t));
            assertEquals(2, v.live("cred_jar"), "the aborted cred waits for its grace period");
            v.rcuBarrier();
            assertEquals(1, v.live("cred_jar"));
            assertEquals(1, v.userCount(9));
            drop(v, t);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void ucountsStopAtTheLimitOfTheirTypeAndUserAndComeBack(Kind kind) {
        try (CredVariant v = open(kind)) {
            final int pid = UcountTypes.UCOUNT_PID_NAMESPACES;
            final long base = v.live("kmalloc-96"); // root's ucounts, for the initial mount namespace
            assertEquals(2, v.sysctlUcountMax(pid, true, 2));
            assertEquals(-Errno.EINVAL, v.sysctlUcountMax(pid, true, -1));
            assertEquals(-Errno.EINVAL, v.sysctlUcountMax(pid, true, 1L << 31));
            assertEquals(2, v.sysctlUcountMax(pid, false, 0), "a refused write changes nothing");
            int a = v.incUcount(7, pid);
            int b = v.incUcount(7, pid);
            assertTrue(a >= 0 && b >= 0);
            assertEquals(2, v.ucount(7, pid));
            assertEquals(-1, v.incUcount(7, pid), "the third is over user.max_pid_namespaces");
            assertEquals(2, v.ucount(7, pid), "a refused inc changes nothing");
            int other = v.incUcount(8, pid);
            assertTrue(other >= 0, "the limit is per user");
            int uts = v.incUcount(7, UcountTypes.UCOUNT_UTS_NAMESPACES);
            assertTrue(uts >= 0, "and per type");
            assertEquals(2, v.live("kmalloc-96") - base, "one ucounts per (user_ns, uid)");
            v.decUcount(a, pid);
            assertEquals(1, v.ucount(7, pid));
            int c = v.incUcount(7, pid);
            assertTrue(c >= 0);
            for (int h : new int[] {b, c}) {
                v.decUcount(h, pid);
            }
            v.decUcount(uts, UcountTypes.UCOUNT_UTS_NAMESPACES);
            v.decUcount(other, pid);
            assertEquals(-1, v.ucount(7, pid), "the last holder freed the ucounts");
            assertEquals(0, v.live("kmalloc-96") - base);
            assertEquals(0, v.sysctlUcountMax(pid, true, 0));
            assertEquals(-1, v.incUcount(7, pid), "a limit of 0 refuses all");
            assertEquals(256, v.sysctlUcountMax(pid, true, 256));
            assertThrows(IllegalArgumentException.class, () -> v.incUcount(7, UcountTypes.UCOUNT_COUNTS));
        }
    }

    /** failslab at every allocation point of an operation: each failure unwinds and leaks nothing. */
    private static void sweep(CredVariant v, String what, IntSupplier op, Runnable undo, Runnable checkUnchanged) {
        Map<String, Long> before = v.counts();
        for (int k = 1; ; k++) {
            v.failSlab().failNth(k);
            int r = op.getAsInt();
            boolean injected = !v.failSlab().armed();
            v.failSlab().disarm();
            if (!injected) {
                assertEquals(0, r, what + " succeeds once no allocation fails (k=" + k + ")");
                undo.run();
                v.rcuBarrier();
                assertEquals(before, v.counts(), what + ": the success undone leaves nothing");
                assertTrue(k > 1, what + " allocates");
                return;
            }
            assertTrue(r == -Errno.ENOMEM || r == -Errno.EAGAIN, what + " at k=" + k + " gave " + Errno.name(r));
            checkUnchanged.run();
            v.rcuBarrier();
            assertEquals(before, v.counts(), what + ": failure " + k + " leaks nothing");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void failslabAtEveryAllocationOfCopyCredsAndSetCredUnwinds(Kind kind) {
        try (CredVariant v = open(kind)) {
            int parent = v.newTask();
            int[] child = {v.dupTask(parent)};
            sweep(v, "copy_creds", () -> v.copyCreds(parent, child[0], 0), () -> {
                v.releaseTaskProcesses(child[0]);
                v.exitCreds(child[0]);
            }, () -> assertTrue(v.sameCred(parent, child[0])));
            v.freeTask(child[0]);

            assertEquals(0, v.setCred(parent, 0, 0, CAP_FULL_SET)); // a cred of its own, so undo restores the counts
            CredVariant.CredView before = v.cred(parent);
            sweep(v, "set_cred", () -> v.setCred(parent, 77, 77, 0), () -> {
                assertEquals(77, v.cred(parent).uid());
                assertEquals(0, v.setCred(parent, 0, 0, CAP_FULL_SET));
            }, () -> {
                assertEquals(before, v.cred(parent), "the task keeps its cred");
                assertEquals(1, v.userProcesses(0));
            });
            drop(v, parent);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void putOfADeadCredOrUserIsRefused(Kind kind) {
        try (CredVariant v = open(kind)) {
            int t = v.newTask();
            assertEquals(0, v.setCred(t, 3, 3, 0));
            int c = v.dupTask(t);
            assertEquals(0, v.copyCreds(t, c, 0));
            v.releaseTaskProcesses(c);
            v.exitCreds(c);
            assertThrows(RuntimeException.class, () -> v.exitCreds(c), "a second exit_creds finds no cred");
            v.freeTask(c);
            assertNotEquals(-1, v.userCount(3));
            drop(v, t);
        }
    }
}
