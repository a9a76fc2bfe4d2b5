package org.kfork.kernel.pid;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.pid.HeapPids;
import org.kfork.pid.PidRules;
import org.kfork.testing.HeapLeakCheck;
import org.kfork.uapi.Errno;

/**
 * Lincheck on the heap twin's alloc_pid and free_pid in one pid namespace: linearizable as a set
 * of pid numbers. alloc asks for a number with set_tid (so its answer does not depend on the
 * cursor: true when the number was free, false for -EEXIST); free gives back the pid held under
 * that number (false when none is); contains is find_pid_ns under rcu_read_lock; allocated is
 * pid_allocated. A number's alloc and free run on one thread, as only its task's release frees a
 * pid in the kernel, and because alloc_pid takes the number before its maker can hold the pid (so
 * a free on another thread could miss a pid a lookup already sees); the numbers, the lookups and
 * the count race with each other on the IDR and pidmap_lock.
 *
 * <p>All instances share one heap kernel; each works in a child namespace of its own (a fresh
 * IDR, with its pid 1 held throughout), which {@link #validate()} tears down as its init's death
 * would, so the kernel's counts return to their baseline ({@link #leaveNothingBehind()}). The
 * off-heap port runs on native memory that lincheck cannot interleave; PidsStressTest covers it.
 * The stress strategy runs here: lincheck's model checker also passed these operations, but it
 * builds instances it never validates, whose namespaces the shared kernel's leak check then finds.
 * nr_processes' per-CPU counter gets no lincheck test: its sum is a racy read of every CPU's
 * count, as 5.12's nr_processes() is, and is not linearizable (a sum can see an increment on one
 * CPU and miss an earlier decrement on another); the storms check its value at rest.
 */
public class HeapPidsLincheckTest {
    private static final int MAX_NR = 4;
    static final HeapGlobals G = HeapGlobals.boot(PidSuite.RAM / 4096, PidSuite.CPUS);
    static final Map<String, Long> BASELINE;

    static {
        // the level-1 pid kind exists before the baseline, as in PidSuite
        HeapPidNamespaces.putPidNs(G, HeapPidNamespaces.createPidNamespace(G, G.initUserNs, G.initPidNs, 0));
        BASELINE = HeapLeakCheck.quiescedCounts(G);
    }

    /** Instances not torn down yet: lincheck builds one it never runs nor validates. */
    private static final Set<HeapPidsLincheckTest> UNTORN = ConcurrentHashMap.newKeySet();

    private final HeapPidNamespace ns = HeapPidNamespaces.createPidNamespace(G, G.initUserNs, G.initPidNs, 0);
    private final AtomicReferenceArray<HeapPid> held = new AtomicReferenceArray<>(MAX_NR + 1);
    /** The namespace's pid 1, held for its whole life as its init's is. */
    private final HeapPid init;

    public HeapPidsLincheckTest() {
        if (ErrPtr.isErr(ns)) {
            throw new IllegalStateException("create_pid_namespace: " + ErrPtr.ptrErr(ns));
        }
        init = HeapPids.allocPid(G, ns, new int[] {1}, 1, PidVariant.CAPABLE);
        if (ErrPtr.isErr(init)) {
            throw new IllegalStateException("alloc_pid(1) = " + ErrPtr.ptrErr(init));
        }
        // numbers other than 1 may be requested once the namespace has a reaper (copy_process
        // makes its first task the reaper; any task object stands for it here)
        HeapPidNamespaces.setChildReaper(ns, G.initTask);
        UNTORN.add(this);
    }

    /** alloc_pid(ns, set_tid = {nr}): true when it got the number, false when it was taken. */
    private boolean alloc(int nr) {
        final int t = G.rcu.rcuSyscallEnter();
        try {
            final HeapPid p = HeapPids.allocPid(G, ns, new int[] {nr}, 1, PidVariant.CAPABLE);
            if (ErrPtr.isErr(p)) {
                if (ErrPtr.ptrErr(p) != -Errno.EEXIST) {
                    throw new IllegalStateException("alloc_pid(" + nr + ") = " + ErrPtr.ptrErr(p));
                }
                return false;
            }
            if (HeapPids.pidNrNs(p, ns) != nr || !held.compareAndSet(nr, null, p)) {
                throw new IllegalStateException("number " + nr + " handed out twice");
            }
            return true;
        } finally {
            G.rcu.rcuSyscallExit(t);
        }
    }

    /** free_pid of the pid held under {@code nr}: false when none is held. */
    private boolean free(int nr) {
        final HeapPid p = held.getAndSet(nr, null);
        if (p == null) {
            return false;
        }
        final int t = G.rcu.rcuSyscallEnter();
        try {
            HeapPids.freePid(G, p);
        } finally {
            G.rcu.rcuSyscallExit(t);
        }
        return true;
    }

    // Each number's alloc and free run on one thread (a pid is freed by its owner only, and the
    // number is taken in alloc_pid before its maker can hold it); numbers race with each other.

    @Operation(nonParallelGroup = "nr2")
    public boolean alloc2() {
        return alloc(2);
    }

    @Operation(nonParallelGroup = "nr2")
    public boolean free2() {
        return free(2);
    }

    @Operation(nonParallelGroup = "nr3")
    public boolean alloc3() {
        return alloc(3);
    }

    @Operation(nonParallelGroup = "nr3")
    public boolean free3() {
        return free(3);
    }

    @Operation(nonParallelGroup = "nr4")
    public boolean alloc4() {
        return alloc(4);
    }

    @Operation(nonParallelGroup = "nr4")
    public boolean free4() {
        return free(4);
    }

    /** find_pid_ns under rcu_read_lock, from any thread: the number is live in the namespace. */
    @Operation
    public boolean contains(@Param(gen = IntGen.class, conf = "2:4") int nr) {
        final int t = G.rcu.rcuReadLock();
        try {
            final HeapPid p = HeapPids.findPidNs(G, nr, ns);
            if (p != null && HeapPids.pidNrNs(p, ns) != nr) {
                throw new IllegalStateException("find_pid_ns(" + nr + ") found the pid numbered " + HeapPids.pidNrNs(p, ns));
            }
            return p != null;
        } finally {
            G.rcu.rcuReadUnlock(t);
        }
    }

    /**
     * pid_allocated, less PIDNS_ADDING and pid 1, read under pidmap_lock: alloc_pid publishes a
     * number (idr_replace, which find_pid_ns sees locklessly) a step before it counts it, as 5.12
     * does, so only a locked read is linearizable with the lookups.
     */
    @Operation
    public int allocated() {
        G.pidmapLock.lock();
        try {
            return (HeapPids.pidAllocated(ns) & ~PidRules.PIDNS_ADDING) - 1;
        } finally {
            G.pidmapLock.unlock();
        }
    }

    /** After each run: the pids left go, then pid 1, then the namespace (this test holds its last reference). */
    @Validate
    public void validate() {
        if (!UNTORN.remove(this)) {
            return;
        }
        for (int nr = 2; nr <= MAX_NR; nr++) {
            free(nr);
        }
        if (HeapPids.pidAllocated(ns) != (PidRules.PIDNS_ADDING | 1)) {
            throw new IllegalStateException("pid_allocated 0x" + Integer.toHexString(HeapPids.pidAllocated(ns))
                + " with only pid 1 left");
        }
        // the init's death: zap_pid_ns_processes' first step, then its pid goes
        HeapPids.disablePidAllocation(G, ns);
        final int t = G.rcu.rcuSyscallEnter();
        try {
            HeapPids.freePid(G, init);
        } finally {
            G.rcu.rcuSyscallExit(t);
        }
        HeapPidNamespaces.putPidNs(G, ns);
    }

    /** The sequential specification: a set of numbers. */
    public static class PidSet {
        private final Set<Integer> nrs = new HashSet<>();

        public boolean alloc2() {
            return nrs.add(2);
        }

        public boolean free2() {
            return nrs.remove(2);
        }

        public boolean alloc3() {
            return nrs.add(3);
        }

        public boolean free3() {
            return nrs.remove(3);
        }

        public boolean alloc4() {
            return nrs.add(4);
        }

        public boolean free4() {
            return nrs.remove(4);
        }

        public boolean contains(int nr) {
            return nrs.contains(nr);
        }

        public int allocated() {
            return nrs.size();
        }
    }

    @Test
    void stress() {
        new StressOptions()
            .threads(3)
            .actorsPerThread(4)
            .actorsBefore(1)
            .actorsAfter(1)
            .iterations(10)
            .invocationsPerIteration(200)
            .sequentialSpecification(PidSet.class)
            .check(HeapPidsLincheckTest.class);
    }

    @AfterAll
    static void leaveNothingBehind() {
        for (HeapPidsLincheckTest t : UNTORN.toArray(new HeapPidsLincheckTest[0])) {
            t.validate();
        }
        HeapLeakCheck.assertNoLeak(BASELINE, HeapLeakCheck.quiescedCounts(G));
        G.close();
    }
}
