package org.kfork.rcu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The grace-period machinery of kernel/rcu/tree.c (Linux 5.12, CONFIG_TREE_RCU without
 * preemption): {@code struct rcu_state} with its single {@code rcu_node}, and the quiescent-state
 * and bookkeeping half of each CPU's {@code rcu_data} ({@link RcuData}). The off-heap port
 * ({@code org.kfork.kernel.rcu.Rcu}) and the heap twin ({@code org.kfork.heap.rcu.HeapRcu}) keep
 * their callback lists their own way and share this, since none of it depends on the representation.
 *
 * <h2>What is quiescent</h2>
 * A modeled CPU is busy while a task runs kernel code on it: inside a system call, or inside an RCU
 * read-side critical section. Each of those is <em>entered</em> ({@link #enter}, which returns a
 * token) and <em>left</em> ({@link #leave}); a task that blocks inside a call leaves (a voluntary
 * context switch is a quiescent state) and enters again when it runs. A CPU nobody is inside is
 * quiescent. Several Java threads may share a modeled CPU, so each CPU counts who is inside.
 *
 * <h2>The two phases</h2>
 * Counting alone would let a CPU shared by busy threads starve a grace period (its count might never
 * reach zero). So, as SRCU does, each CPU has two counters, one per phase:
 * <pre>
 *   enter: p = phase of gp_seq; readers[cpu][p]++; recheck the phase (else undo, retry); token = cpu &lt;&lt; 1 | p
 *   leave: readers[cpu][p]--; if it reached 0 and the running grace period waits for phase p: report a QS
 *   start of a grace period: gp_seq++ (the phase flips: new entrants count in the other counter),
 *                            then qsmask = every CPU whose old-phase counter is not 0
 *   end: qsmask empty, gp_seq to the next multiple of 4; start the next one if someone needs it
 * </pre>
 * A grace period thus waits exactly for the tasks and readers that were inside when it began; a
 * CPU is quiescent for it once they have all left. The phase is derived from {@code gp_seq}
 * (grace periods started, mod 2), so one volatile word carries both.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>While no grace period runs, every CPU's counter of the other phase is 0 (the last grace
 *       period drained it), except for an entrant that is about to undo.</li>
 *   <li>A grace period ends only when every CPU's old-phase counter has been seen at 0 after its
 *       start: callbacks waiting for it were queued before it began, and every task that could
 *       still hold a pointer to their objects was inside then and has left since.</li>
 *   <li>{@code gp_seq} and {@code gp_seq_needed} only grow; a requested grace period is never lost.</li>
 * </ul>
 *
 * <p>Cost of a boundary: enter is two volatile loads and one atomic add; leave is one atomic add,
 * plus a load when the counter reaches 0. The lock is taken only to start or end a grace period
 * or to report the last quiescent state a running one waits for.
 */
public final class RcuState {
    /** CONFIG_RCU_CPU_STALL_TIMEOUT of the reference config: 21 seconds. */
    public static final long RCU_CPU_STALL_TIMEOUT_MILLIS = 21_000;
    /** Longs between two CPUs' counters: 128 bytes, so CPUs never share a cache line pair. */
    private static final int STRIDE = 16;
    /** How often rcu_barrier looks again when nothing signals (another thread invoking a batch). */
    private static final long BARRIER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** rcu_barrier rounds quiesce() allows before it calls the callbacks self-perpetuating. */
    private static final int QUIESCE_ROUNDS = 64;

    private final int nrCpus;
    private final long allCpus;
    /** readers[(cpu + 1) * STRIDE + phase]: tasks and readers inside on that CPU in that phase. */
    private final AtomicLongArray readers;
    private final RcuData[] rdps;
    /** rcu_state.gp_seq; written only under {@link #lock}, read anywhere. */
    private volatile long gpSeq;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever gp_seq changes. */
    private final Condition gpChanged = lock.newCondition();
    /** rcu_state.gp_seq_needed: the furthest grace period anyone waits for. Guarded by lock. */
    private long gpSeqNeeded;
    /** rcu_node.qsmask: CPUs that still owe the running grace period a quiescent state. Guarded by lock. */
    private long qsmask;
    private volatile long stallTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(RCU_CPU_STALL_TIMEOUT_MILLIS);

    /** The state of a machine with {@code nrCpus} CPUs, 1 to 64. */
    public RcuState(int nrCpus) {
        if (nrCpus < 1 || nrCpus > 64) {
            throw new IllegalArgumentException("nr_cpus " + nrCpus);
        }
        this.nrCpus = nrCpus;
        this.allCpus = nrCpus == 64 ? -1L : (1L << nrCpus) - 1;
        this.readers = new AtomicLongArray((nrCpus + 2) * STRIDE);
        this.rdps = new RcuData[nrCpus];
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            rdps[cpu] = new RcuData();
        }
    }

    /** nr_cpu_ids. */
    public int nrCpus() {
        return nrCpus;
    }

    /** The bookkeeping of {@code cpu}'s callbacks (its monitor is the list lock). */
    public RcuData rdp(int cpu) {
        return rdps[checkCpu(cpu)];
    }

    // ------------------------------------------------------------------------------------------
    // The read side: entering and leaving
    // ------------------------------------------------------------------------------------------

    /**
     * A task (or reader) starts running kernel code on {@code cpu}: the CPU is not quiescent until
     * the returned token is passed to {@link #leave}.
     */
    public int enter(int cpu) {
        checkCpu(cpu);
        for (;;) {
            final int p = entrantPhase(gpSeq);
            readers.getAndIncrement(slot(cpu, p));
            // A grace period may have started between the load and the increment: it flipped the
            // phase, scanned counter p and may have missed us. If the phase still is p, every
            // grace period that starts from now on flips after our increment and sees it, so we may
            // go on. (Two flips in between are harmless: then p is the phase new entrants use, and
            // the grace period that scanned p has nothing we could have read.)
            if (entrantPhase(gpSeq) == p) {
                return cpu << 1 | p;
            }
            leaveSlot(cpu, p);
        }
    }

    /** A task or reader leaves what {@code token} entered: a quiescent state when it was the last. */
    public void leave(int token) {
        final int cpu = tokenCpu(token);
        if (cpu >= nrCpus || token < 0) {
            throw new IllegalArgumentException("RCU token " + token + " names no CPU of this machine");
        }
        leaveSlot(cpu, token & 1);
    }

    private void leaveSlot(int cpu, int p) {
        final int i = slot(cpu, p);
        long n = readers.decrementAndGet(i);
        if (n < 0) {
            n = readers.incrementAndGet(i);
            reportIfLast(cpu, p, n);
            throw new IllegalStateException("unbalanced RCU leave on CPU " + cpu + " (phase " + p
                + "): nothing entered with that token is still inside");
        }
        reportIfLast(cpu, p, n);
    }

    private void reportIfLast(int cpu, int p, long n) {
        if (n == 0) {
            // Racy read: if it is too early to see a grace period that flipped away from p, that
            // grace period's scan comes after our decrement and sees the 0 itself.
            final long s = gpSeq;
            if (RcuSeq.state(s) != 0 && waitPhase(s) == p) {
                reportQs(cpu, p);
            }
        }
    }

    /** The CPU a token was entered on. */
    public static int tokenCpu(int token) {
        return token >>> 1;
    }

    /** Tasks and readers inside on {@code cpu} now, both phases. */
    public long readers(int cpu) {
        checkCpu(cpu);
        return readers.get(slot(cpu, 0)) + readers.get(slot(cpu, 1));
    }

    // ------------------------------------------------------------------------------------------
    // Grace periods
    // ------------------------------------------------------------------------------------------

    /** rcu_state.gp_seq now. */
    public long gpSeq() {
        return gpSeq;
    }

    /** Grace periods completed since boot. */
    public long gracePeriodsCompleted() {
        return RcuSeq.ctr(gpSeq);
    }

    /** The CPUs that still owe the running grace period a quiescent state (0 when idle). */
    public long qsmask() {
        lock.lock();
        try {
            return qsmask;
        } finally {
            lock.unlock();
        }
    }

    /**
     * rcu_start_this_gp: records that someone needs grace period {@code seq} (a gp_seq value from
     * {@link RcuSeq#snap}) and starts one if none runs. A grace period whose CPUs are all quiescent
     * ends at once, within this call.
     *
     * @return gp_seq after the call
     */
    public long requestGp(long seq) {
        lock.lock();
        try {
            if (RcuSeq.ulongCmpLt(gpSeqNeeded, seq)) {
                gpSeqNeeded = seq;
            }
            startGpsLocked();
            return gpSeq;
        } finally {
            lock.unlock();
        }
    }

    /** rcu_report_qs_rdp: {@code cpu}'s counter of phase {@code p} was seen at 0. */
    private void reportQs(int cpu, int p) {
        lock.lock();
        try {
            final long s = gpSeq;
            final long bit = 1L << cpu;
            // Rechecked under the lock: the report may be late (its grace period ended and another
            // began). It is still true for the current one if that one waits for phase p and the
            // counter is 0 now, since nobody enters phase p while it runs.
            if (RcuSeq.state(s) == 0 || waitPhase(s) != p || (qsmask & bit) == 0
                || readers.get(slot(cpu, p)) != 0) {
                return;
            }
            qsmask &= ~bit;
            if (qsmask == 0) {
                endGpLocked();
                startGpsLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** rcu_gp_init, as long as a grace period is needed and none runs. Holds the lock. */
    private void startGpsLocked() {
        while (RcuSeq.state(gpSeq) == 0 && RcuSeq.ulongCmpLt(gpSeq, gpSeqNeeded)) {
            final long s = RcuSeq.start(gpSeq);
            // The flip: from this store on, entrants count in the other phase. The scan below
            // comes after it, so a leaver that missed the flip left a 0 the scan sees.
            gpSeq = s;
            final int p = waitPhase(s);
            long mask = allCpus;
            for (int cpu = 0; cpu < nrCpus; cpu++) {
                if (readers.get(slot(cpu, p)) == 0) {
                    mask &= ~(1L << cpu); // a CPU nobody is inside is quiescent
                }
            }
            qsmask = mask;
            gpChanged.signalAll();
            if (mask != 0) {
                return;
            }
            endGpLocked();
        }
    }

    /** rcu_gp_cleanup: the running grace period ends. Holds the lock. */
    private void endGpLocked() {
        qsmask = 0;
        gpSeq = RcuSeq.end(gpSeq);
        gpChanged.signalAll();
    }

    /**
     * synchronize_rcu's wait, for a thread that is not inside (it has left, or never entered):
     * requests grace period {@code seq} and blocks until it has ended.
     *
     * @throws RcuStallException when no grace period ends for the stall timeout
     */
    public void awaitGp(long seq) {
        requestGp(seq);
        boolean interrupted = false;
        lock.lock();
        try {
            long seen = gpSeq;
            long deadline = System.nanoTime() + stallTimeoutNanos;
            while (!RcuSeq.done(gpSeq, seq)) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw stallLocked("synchronize_rcu");
                }
                try {
                    gpChanged.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true; // synchronize_rcu sleeps uninterruptibly
                }
                if (gpSeq != seen) {
                    seen = gpSeq;
                    deadline = System.nanoTime() + stallTimeoutNanos;
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * rcu_barrier for a thread that is not inside: waits until every callback queued before the
     * call, on every CPU, has been invoked. It drives each CPU's callback processing itself
     * ({@code rcuCore}: advance, accelerate, request a grace period, invoke the done ones) and
     * sleeps while a grace period waits for CPUs that are inside; blocked tasks have left, so they
     * do not hold it up.
     *
     * @throws RcuStallException when nothing progresses for the stall timeout
     */
    public void barrier(IntConsumer rcuCore) {
        final long[] target = new long[nrCpus];
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            synchronized (rdps[cpu]) {
                target[cpu] = rdps[cpu].queued;
            }
        }
        long seenGp = gpSeq;
        long seenInvoked = invoked();
        long deadline = System.nanoTime() + stallTimeoutNanos;
        for (;;) {
            boolean done = true;
            for (int cpu = 0; cpu < nrCpus; cpu++) {
                if (rdps[cpu].invoked() - target[cpu] < 0) {
                    rcuCore.accept(cpu);
                    done &= rdps[cpu].invoked() - target[cpu] >= 0;
                }
            }
            if (done) {
                return;
            }
            final long s = awaitGpChange(seenGp, BARRIER_POLL_NANOS);
            final long inv = invoked();
            if (s != seenGp || inv != seenInvoked) {
                seenGp = s;
                seenInvoked = inv;
                deadline = System.nanoTime() + stallTimeoutNanos;
            } else if (System.nanoTime() - deadline >= 0) {
                lock.lock();
                try {
                    throw stallLocked("rcu_barrier");
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * rcu_barrier until no callback is pending: callbacks may queue callbacks (a task's free
     * drops its pid...), which one barrier does not wait for. The leak check runs this first.
     *
     * @throws IllegalStateException when callbacks keep queueing callbacks for 64 rounds
     */
    public void quiesce(IntConsumer rcuCore) {
        for (int round = 0; pending() != 0; round++) {
            if (round == QUIESCE_ROUNDS) {
                throw new IllegalStateException("RCU callbacks keep queueing callbacks: " + pending()
                    + " still pending after " + round + " rcu_barrier rounds");
            }
            barrier(rcuCore);
        }
    }

    /** Waits up to {@code nanos} for gp_seq to differ from {@code seen}; returns gp_seq. */
    private long awaitGpChange(long seen, long nanos) {
        lock.lock();
        try {
            if (gpSeq == seen) {
                gpChanged.awaitNanos(nanos);
            }
            return gpSeq;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in rcu_barrier", e);
        } finally {
            lock.unlock();
        }
    }

    /** The stall report: which CPUs hold the grace period, and how many are inside each. */
    private RcuStallException stallLocked(String waiter) {
        final StringBuilder sb = new StringBuilder("rcu: INFO: rcu_sched detected stalls on CPUs/tasks: {");
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            if ((qsmask & (1L << cpu)) != 0) {
                sb.append(' ').append(cpu);
            }
        }
        sb.append(" } (gp_seq ").append(gpSeq).append(", needed ").append(gpSeqNeeded).append("); ")
            .append(waiter).append(" waited ").append(TimeUnit.NANOSECONDS.toMillis(stallTimeoutNanos))
            .append(" ms");
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            final long inside = readers(cpu);
            if (inside != 0) {
                sb.append("; CPU ").append(cpu).append(": ").append(inside).append(" inside");
            }
        }
        if (RcuSeq.state(gpSeq) == 0) {
            sb.append("; no grace period runs: a CPU's callbacks are being invoked by a thread that does not return");
        }
        return new RcuStallException(sb.toString());
    }

    /** rcupdate.rcu_cpu_stall_timeout, in milliseconds (21 s by default). */
    public void setStallTimeoutMillis(long millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("stall timeout " + millis);
        }
        stallTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    // ------------------------------------------------------------------------------------------
    // Counters (tests and /proc)
    // ------------------------------------------------------------------------------------------

    /**
     * Tasks and readers inside on every CPU, in either phase: a racy sum, for lockdep-style
     * assertions. It is never 0 while the calling thread holds a token, so "0" proves that the
     * caller is outside every read-side section and call; more than 0 proves nothing of the
     * caller when other threads run.
     */
    public long inside() {
        long n = 0;
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            n += readers.get(slot(cpu, 0)) + readers.get(slot(cpu, 1));
        }
        return n;
    }

    /** Callbacks queued since boot, every CPU. */
    public long queued() {
        long n = 0;
        for (RcuData rdp : rdps) {
            synchronized (rdp) {
                n += rdp.queued;
            }
        }
        return n;
    }

    /** Callbacks invoked since boot, every CPU. */
    public long invoked() {
        long n = 0;
        for (RcuData rdp : rdps) {
            n += rdp.invoked();
        }
        return n;
    }

    /** Callbacks queued and not yet invoked, every CPU. */
    public long pending() {
        long n = 0;
        for (RcuData rdp : rdps) {
            synchronized (rdp) {
                n += rdp.queued - rdp.invoked;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------

    /** The phase entrants use: grace periods started, mod 2. */
    private static int entrantPhase(long s) {
        return (int) ((s + RcuSeq.RCU_SEQ_STATE_MASK) >>> RcuSeq.RCU_SEQ_CTR_SHIFT) & 1;
    }

    /** The phase a running grace period waits for: the entrants' phase before it started. */
    private static int waitPhase(long s) {
        return (int) (s >>> RcuSeq.RCU_SEQ_CTR_SHIFT) & 1;
    }

    private static int slot(int cpu, int phase) {
        return (cpu + 1) * STRIDE + phase;
    }

    private int checkCpu(int cpu) {
        if (cpu < 0 || cpu >= nrCpus) {
            throw new IllegalArgumentException("cpu " + cpu + " outside [0, " + nrCpus + ")");
        }
        return cpu;
    }
}
