package org.kfork.kernel.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.pid.PidRules.PIDNS_ADDING;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.pid.HeapPids;
import org.kfork.testing.CpuStress;
import org.kfork.uapi.Errno;

/**
 * alloc_pid and free_pid from several threads at once, on both kernels: four threads on two
 * modeled CPUs allocate and free pids in init_pid_ns and in a child namespace (so each pid takes
 * numbers at one or two levels under pidmap_lock), each call between a system call's RCU entry
 * and exit, while two more threads look numbers up under rcu_read_lock. Checked at every step: no
 * number is ever held by two live pids of one namespace, and a pid found by number carries that
 * number (a lookup never sees a freed or half-built pid: in checked mode a freed struct would
 * fault). At the end every count is back, the IDRs are valid and nothing leaks.
 */
class PidsStressTest extends PidSuite {
    private static final int WORKERS = 4;
    private static final int READERS = 2;
    private static final int OPS = 3000;

    /** The kernel calls one thread makes, over either representation. */
    private interface Ops {
        /** alloc_pid in init_pid_ns (child false) or the child namespace; the pid or null. */
        Object alloc(boolean child);

        void free(Object pid);

        /** The pid's number in init_pid_ns and, at level 1, in the child namespace. */
        int nr(Object pid, boolean child);

        /** A lookup under rcu_read_lock: the number the found pid carries there, or 0 if none. */
        int lookup(int nr, boolean child);

        /** put_pid_ns of the child namespace's creator reference: its pids keep it alive. */
        void putChild();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a broken lock may make a walk loop
    void concurrentAllocAndFreeNeverShareANumber(Kind kind) throws Exception {
        final Ops ops = kind == Kind.OFFHEAP ? offHeapOps() : heapOps();
        final Object rootInit = ops.alloc(false);
        final Object childInit = ops.alloc(true);
        ops.putChild();
        final ConcurrentHashMap<Long, Object> owners = new ConcurrentHashMap<>();
        final AtomicLong found = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        CpuStress.run(WORKERS + READERS, CPUS, (thread, cpu, rnd) -> {
            if (thread >= WORKERS) {
                // the root's init lives through the run: a reader that starts after the workers
                // ended still finds it (the count below must not depend on the timing)
                assertEquals(ops.nr(rootInit, false), ops.lookup(ops.nr(rootInit, false), false), "init's pid");
                found.incrementAndGet();
                while (done.get() < WORKERS) {
                    final boolean child = rnd.nextBoolean();
                    final int nr = 1 + rnd.nextInt(2000);
                    final int seen = ops.lookup(nr, child);
                    if (seen != 0) {
                        assertEquals(nr, seen, "a lookup found a pid carrying another number");
                        found.incrementAndGet();
                    }
                }
                return;
            }
            final List<Object> mine = new ArrayList<>();
            final List<Boolean> where = new ArrayList<>();
            for (int i = 0; i < OPS; i++) {
                if (mine.size() < 50 && (mine.isEmpty() || rnd.nextInt(3) != 0)) {
                    final boolean child = rnd.nextBoolean();
                    final Object p = ops.alloc(child);
                    assertTrue(p != null, "alloc_pid failed");
                    assertNull(owners.putIfAbsent(key(false, ops.nr(p, false)), p), "a global number twice");
                    if (child) {
                        assertNull(owners.putIfAbsent(key(true, ops.nr(p, true)), p), "a child number twice");
                    }
                    mine.add(p);
                    where.add(child);
                } else {
                    final int at = rnd.nextInt(mine.size());
                    final Object p = mine.remove(at);
                    final boolean child = where.remove(at);
                    // out of the map before free_pid, which hands the number back
                    owners.remove(key(false, ops.nr(p, false)));
                    if (child) {
                        owners.remove(key(true, ops.nr(p, true)));
                    }
                    ops.free(p);
                }
            }
            for (Object p : mine) {
                ops.free(p);
            }
            done.incrementAndGet();
        });
        final PidVariant v = v(kind);
        final int root = v.initPidNs();
        assertEquals(PIDNS_ADDING + 2, v.pidAllocated(root), "the two inits are left");
        assertEquals(2, v.validateIdr(root));
        ops.free(childInit);
        ops.free(rootInit);
        v.rcuBarrier();
        assertTrue(found.get() > 0, "the readers found pids");
    }

    private static long key(boolean child, int nr) {
        return (child ? 1L << 32 : 0) | nr;
    }

    private Ops offHeapOps() {
        final long child = PidNamespaces.createPidNamespace(g, g.initUserNs, g.initPidNs, 0);
        final Ops ops = new Ops() {
            @Override
            public Object alloc(boolean inChild) {
                final int t = g.rcu.rcuSyscallEnter();
                try {
                    final long p = Pids.allocPid(g, inChild ? child : g.initPidNs, 0, 0, PidVariant.CAPABLE);
                    return Errno.isError(p) ? null : p;
                } finally {
                    g.rcu.rcuSyscallExit(t);
                }
            }

            @Override
            public void free(Object pid) {
                final int t = g.rcu.rcuSyscallEnter();
                try {
                    Pids.freePid(g, (Long) pid);
                } finally {
                    g.rcu.rcuSyscallExit(t);
                }
            }

            @Override
            public int nr(Object pid, boolean inChild) {
                return Pids.pidNrNs((Long) pid, inChild ? child : g.initPidNs);
            }

            @Override
            public int lookup(int nr, boolean inChild) {
                final long ns = inChild ? child : g.initPidNs;
                final int t = g.rcu.rcuReadLock();
                try {
                    return Pids.pidNrNs(Pids.findPidNs(g, nr, ns), ns);
                } finally {
                    g.rcu.rcuReadUnlock(t);
                }
            }

            @Override
            public void putChild() {
                PidNamespaces.putPidNs(g, child);
            }
        };
        return ops;
    }

    private Ops heapOps() {
        final HeapPidNamespace child = HeapPidNamespaces.createPidNamespace(hg, hg.initUserNs, hg.initPidNs, 0);
        final Ops ops = new Ops() {
            @Override
            public Object alloc(boolean inChild) {
                final int t = hg.rcu.rcuSyscallEnter();
                try {
                    final HeapPid p = HeapPids.allocPid(hg, inChild ? child : hg.initPidNs, null, 0, PidVariant.CAPABLE);
                    return ErrPtr.isErr(p) ? null : p;
                } finally {
                    hg.rcu.rcuSyscallExit(t);
                }
            }

            @Override
            public void free(Object pid) {
                final int t = hg.rcu.rcuSyscallEnter();
                try {
                    HeapPids.freePid(hg, (HeapPid) pid);
                } finally {
                    hg.rcu.rcuSyscallExit(t);
                }
            }

            @Override
            public int nr(Object pid, boolean inChild) {
                return HeapPids.pidNrNs((HeapPid) pid, inChild ? child : hg.initPidNs);
            }

            @Override
            public int lookup(int nr, boolean inChild) {
                final HeapPidNamespace ns = inChild ? child : hg.initPidNs;
                final int t = hg.rcu.rcuReadLock();
                try {
                    return HeapPids.pidNrNs(HeapPids.findPidNs(hg, nr, ns), ns);
                } finally {
                    hg.rcu.rcuReadUnlock(t);
                }
            }

            @Override
            public void putChild() {
                HeapPidNamespaces.putPidNs(hg, child);
            }
        };
        return ops;
    }
}
