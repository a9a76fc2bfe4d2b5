package org.kfork.kernel.rcu;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import org.kfork.alloc.Cpus;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.PerCpu;
import org.kfork.kernel.KernelText;
import org.kfork.kernel.struct.CallbackHead;
import org.kfork.kernel.struct.RcuSegcblist;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.rcu.RcuApi;
import org.kfork.rcu.RcuData;
import org.kfork.rcu.RcuSeq;
import org.kfork.rcu.RcuState;

/**
 * kernel/rcu/tree.c (Linux 5.12, CONFIG_TREE_RCU without preemption, no callback-offloaded CPUs),
 * the part the fork path needs: call_rcu, synchronize_rcu, rcu_barrier, rcu_read_lock and
 * rcu_read_unlock, and the processing of each CPU's callbacks (rcu_core, rcu_do_batch). One per
 * machine ({@link #of}). The heap twin is {@code org.kfork.heap.rcu.HeapRcu}; both share the
 * grace-period machinery, {@link RcuState}, which says what is quiescent.
 *
 * <h2>Callbacks in RAM</h2>
 * call_rcu queues the {@code struct callback_head} inside the object to free: its {@code func}
 * word gets a kernel-text address ({@link #register}, done at boot), its {@code next} word links
 * it into the calling CPU's {@link RcuSegcblist}, which sits in the per-CPU area, in queue order.
 * An address in {@code func} that names no registered callback when the callback runs is a kernel
 * bug (the object was overwritten or reused too early): it throws, naming the callback.
 *
 * <h2>Where things happen (and why runs are deterministic)</h2>
 * The system-call layer brackets each call with {@link #rcuSyscallEnter} and
 * {@link #rcuSyscallExit}; a task that blocks inside a call reports it
 * ({@link #rcuNoteContextSwitch}, then {@link #rcuNoteResume}). Everything else happens at those
 * boundaries, on the calling thread:
 * <ul>
 *   <li>Entry only counts the task in (two loads and an atomic add). It runs no callbacks.</li>
 *   <li>Exit counts it out (an atomic add; a quiescent state when it was the last one inside that
 *       the running grace period waits for, which may end that grace period and start the next).
 *       Then, only if the CPU has callbacks: their segments advance to the completed grace period,
 *       new ones are assigned the next grace period and it is requested (started at once when none
 *       runs; one whose CPUs are all quiescent ends at once), and the CPU's done callbacks run, in
 *       queue order.</li>
 * </ul>
 * No background thread drives grace periods, so a single-threaded sequence of calls frees the same
 * objects at the same boundaries in every run. A callback queued inside a call runs, at the
 * earliest, at the exit of that call (when nobody else, on any CPU, is inside), else at the first
 * exit on its CPU after its grace period has ended, or in {@link #rcuBarrier}.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>A callback runs once, after a grace period that began after it was queued, so never while
 *       a task or reader that was inside then is still inside.</li>
 *   <li>A CPU's callbacks run in the order they were queued on it, by one thread at a time.</li>
 *   <li>Queued = invoked + pending ({@code rcu.callbacks_pending}, an accounting counter of the
 *       machine, back at 0 after the leak check's quiesce).</li>
 * </ul>
 *
 * <p>Thread safety: boundaries, call_rcu and barriers may race from any threads. A CPU's list is
 * changed under its {@link RcuData} monitor (the kernel disables interrupts; here threads may share
 * a modeled CPU), and its callbacks are invoked by one thread at a time, in order.
 */
public final class Rcu implements RcuApi, AutoCloseable {
    private static final Map<Machine, Rcu> BY_MACHINE = new IdentityHashMap<>();

    private final Machine machine;
    private final Kmem kmem;
    private final Cpus cpus;
    private final PerCpu percpu;
    private final KernelText text;
    private final RcuState state;
    /** The per-CPU variable holding each CPU's struct rcu_segcblist. */
    private final int cblistOff;
    /** rcu_core as the barrier's per-CPU step (a named class: lincheck cannot see into lambdas' fields). */
    private final IntConsumer rcuCore = new IntConsumer() {
        @Override
        public void accept(int cpu) {
            rcuCore(cpu);
        }
    };
    private final Runnable quiesceHook = this::quiesce;
    private boolean closed;

    private Rcu(Machine machine) {
        this.machine = machine;
        this.kmem = Kmem.of(machine);
        this.cpus = kmem.cpus();
        this.percpu = kmem.percpu();
        this.text = KernelText.of(machine);
        this.state = new RcuState(cpus.nrCpus());
        this.cblistOff = percpu.alloc((int) RcuSegcblist.SIZEOF, (int) RcuSegcblist.ALIGNOF);
        if (cblistOff < 0) {
            throw new IllegalStateException("per-CPU area full: no room for the RCU callback lists");
        }
        for (int cpu = 0; cpu < cpus.nrCpus(); cpu++) {
            SegCbList.init(cblist(cpu));
        }
        machine.registerAccounting("rcu.callbacks_pending", state::pending);
        kmem.addQuiesceHookFirst(quiesceHook);
    }

    /** RCU of {@code machine}, set up on first use (rcu_init). */
    public static Rcu of(Machine machine) {
        synchronized (BY_MACHINE) {
            Rcu r = BY_MACHINE.get(machine);
            if (r == null) {
                if (machine.isClosed()) {
                    throw new IllegalStateException("machine is closed: " + machine);
                }
                r = new Rcu(machine);
                BY_MACHINE.put(machine, r);
                machine.onClose(r);
            }
            return r;
        }
    }

    /**
     * Places an RCU callback in the kernel text, at boot.
     *
     * @param name its kernel name ("delayed_put_pid", "put_cred_rcu"...)
     * @return the address callRcu takes as {@code func}
     */
    public long register(String name, RcuCallback fn) {
        return text.register(name, fn);
    }

    /** The symbol of a callback address ({@code delayed_put_pid+0x0/0x10}). */
    public String symbol(long func) {
        return text.symbol(func);
    }

    // ------------------------------------------------------------------------------------------
    // The system-call exit (entry, blocking and the read side are RcuApi's, shared)
    // ------------------------------------------------------------------------------------------

    /**
     * The system call of {@code token} returns: counts it out (a quiescent state when it was the
     * last one inside), then, if its CPU has callbacks, advances them and runs the done ones.
     */
    @Override
    public void rcuSyscallExit(int token) {
        state.leave(token);
        final int cpu = RcuState.tokenCpu(token);
        // Racy read of the CPU's callback count: a callback another thread is queueing right now
        // is handled at a later boundary, as a softirq raised a moment too late would be.
        if (SegCbList.len(cblist(cpu)) != 0) {
            rcuCore(cpu);
        }
    }

    // ------------------------------------------------------------------------------------------
    // The update side
    // ------------------------------------------------------------------------------------------

    /** call_rcu on the calling thread's CPU. */
    public void callRcu(long head, long func) {
        callRcu(head, func, cpus.current());
    }

    /**
     * call_rcu: queues the callback_head at {@code head} on {@code cpu}; {@code func} runs with it
     * once every task and reader inside when the grace period after this call began has left.
     *
     * @param head the callback_head (rcu_head) inside a live object, 8-aligned
     * @param func a callback's address from {@link #register}
     * @throws IllegalArgumentException for a NULL or misaligned head, or an unregistered func
     */
    public void callRcu(long head, long func, int cpu) {
        if (head == 0 || (head & (CallbackHead.ALIGNOF - 1)) != 0) {
            throw new IllegalArgumentException("call_rcu: bad rcu_head 0x" + Long.toHexString(head));
        }
        if (text.resolve(func, RcuCallback.class) == null) {
            throw new IllegalArgumentException("call_rcu: func " + text.symbol(func) + " is no registered RCU callback");
        }
        final RcuData rdp = state.rdp(cpu);
        Mem.putLong(head + CallbackHead.FUNC, func);
        synchronized (rdp) {
            SegCbList.enqueue(cblist(cpu), head);
            rdp.noteQueued();
        }
    }

    /**
     * rcu_barrier, from a thread that is not inside a call: returns once every callback queued
     * before it, on every CPU, has run. Tasks blocked inside calls do not hold it up.
     *
     * @throws org.kfork.rcu.RcuStallException when nothing progresses for the stall timeout
     */
    @Override
    public void rcuBarrier() {
        state.barrier(rcuCore);
    }

    /** rcu_barrier until nothing is pending (callbacks may queue callbacks): the leak check's hook. */
    @Override
    public void quiesce() {
        state.quiesce(rcuCore);
    }

    // ------------------------------------------------------------------------------------------
    // Callback processing
    // ------------------------------------------------------------------------------------------

    /**
     * rcu_core for {@code cpu}: note grace-period changes (advance the segments, assign the new
     * callbacks the next grace period and request it, again while requests end grace periods at
     * once), then rcu_do_batch.
     */
    void rcuCore(int cpu) {
        final RcuData rdp = state.rdp(cpu);
        final long l = cblist(cpu);
        for (;;) {
            final boolean needGp;
            final long seq;
            synchronized (rdp) {
                final long s = state.gpSeq();
                SegCbList.advance(l, s);
                seq = RcuSeq.snap(s); // read after the callbacks were queued: a GP that begins later
                needGp = SegCbList.accelerate(l, seq);
            }
            if (!needGp || !RcuSeq.done(state.requestGp(seq), seq)) {
                break;
            }
        }
        rcuDoBatch(cpu);
    }

    /**
     * rcu_do_batch: runs {@code cpu}'s done callbacks in queue order, without a batch limit. One
     * thread at a time per CPU; a thread that finds another one invoking leaves the work to it
     * (which looks again for done callbacks before it stops). If a callback throws, the ones after
     * it go back to the front of DONE and the exception propagates.
     */
    private void rcuDoBatch(int cpu) {
        final RcuData rdp = state.rdp(cpu);
        final long l = cblist(cpu);
        for (;;) {
            final long n;
            final long lastNext;
            long rest;
            synchronized (rdp) {
                if (!SegCbList.readyCbs(l) || !rdp.startInvoking()) {
                    return;
                }
                n = SegCbList.doneCount(l);
                lastNext = SegCbList.doneTail(l);
                rest = SegCbList.extractDoneCbs(l);
            }
            long done = 0;
            try {
                while (rest != 0) {
                    final long rhp = rest;
                    // Read before the call: the callback frees the object holding rhp.
                    final long next = Mem.getLong(rhp + CallbackHead.NEXT);
                    final long func = Mem.getLong(rhp + CallbackHead.FUNC);
                    rest = next;
                    done++;
                    final RcuCallback fn = text.resolve(func, RcuCallback.class);
                    if (fn == null) {
                        throw new IllegalStateException("BUG: RCU callback at 0x" + Long.toHexString(rhp) + " on CPU "
                            + cpu + " has func " + text.symbol(func) + ", which is no registered RCU callback"
                            + " (the object was overwritten or reused before its grace period ended)");
                    }
                    fn.call(rhp);
                }
            } finally {
                synchronized (rdp) {
                    if (rest != 0) {
                        SegCbList.insertDoneCbs(l, rest, lastNext, n - done);
                    }
                    rdp.noteInvoked(done);
                    rdp.stopInvoking();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Inspection and counters (tests, /proc)
    // ------------------------------------------------------------------------------------------

    /** The address of {@code cpu}'s struct rcu_segcblist (per_cpu_ptr(&rcu_data.cblist, cpu)). */
    public long cblist(int cpu) {
        return percpu.ptr(cpu, cblistOff);
    }

    /** The shared grace-period state (gp_seq, qsmask, who is inside). */
    @Override
    public RcuState state() {
        return state;
    }

    /**
     * Releases the per-CPU lists. Callbacks still queued are dropped with the machine's RAM: they
     * are not run, since the subsystems they free into may be closed already. A subsystem that goes
     * away before its machine runs {@link #rcuBarrier} first, as kmem_cache_destroy does.
     */
    @Override
    public void close() {
        synchronized (BY_MACHINE) {
            if (closed) {
                return;
            }
            closed = true;
            BY_MACHINE.remove(machine);
        }
        kmem.removeQuiesceHook(quiesceHook);
        machine.unregisterAccounting("rcu.callbacks_pending");
        percpu.free(cblistOff, (int) RcuSegcblist.SIZEOF);
    }
}
