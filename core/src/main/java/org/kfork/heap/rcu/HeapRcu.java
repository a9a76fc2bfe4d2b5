package org.kfork.heap.rcu;

import java.util.function.IntConsumer;
import org.kfork.rcu.RcuApi;
import org.kfork.rcu.RcuData;
import org.kfork.rcu.RcuSeq;
import org.kfork.rcu.RcuState;
import org.kfork.smp.CurrentCpu;

/**
 * The heap twin of {@code org.kfork.kernel.rcu.Rcu} (kernel/rcu/tree.c): the same protocol, the
 * same methods in the same order, over Java objects. A callback is a {@link HeapCallbackHead}
 * (usually the object being freed, which extends it) whose {@code func} is a
 * {@link HeapRcuCallback} reference, queued on the CPU's {@link HeapSegCbList}. The grace-period
 * machinery is the shared {@link RcuState}; what is quiescent, where callbacks run and why runs
 * are deterministic is said there and in the off-heap class.
 */
public final class HeapRcu implements RcuApi {
    private final int nrCpus;
    private final RcuState state;
    private final HeapSegCbList[] cblists;
    /** rcu_core as the barrier's per-CPU step (a named class: lincheck cannot see into lambdas' fields). */
    private final IntConsumer rcuCore = new IntConsumer() {
        @Override
        public void accept(int cpu) {
            rcuCore(cpu);
        }
    };

    /** RCU for a machine of {@code nrCpus} CPUs (rcu_init). */
    public HeapRcu(int nrCpus) {
        if (nrCpus < 1 || nrCpus > CurrentCpu.MAX_CPUS) {
            throw new IllegalArgumentException("nrCpus " + nrCpus);
        }
        this.nrCpus = nrCpus;
        this.state = new RcuState(nrCpus);
        this.cblists = new HeapSegCbList[nrCpus];
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            cblists[cpu] = new HeapSegCbList();
        }
    }

    // ------------------------------------------------------------------------------------------
    // The system-call exit (entry, blocking and the read side are RcuApi's, shared)
    // ------------------------------------------------------------------------------------------

    /** The system call of {@code token} returns; its CPU's done callbacks run. */
    @Override
    public void rcuSyscallExit(int token) {
        state.leave(token);
        final int cpu = RcuState.tokenCpu(token);
        // Racy read, as off-heap: a callback being queued right now waits for a later boundary.
        if (cblists[cpu].len() != 0) {
            rcuCore(cpu);
        }
    }

    // ------------------------------------------------------------------------------------------
    // The update side
    // ------------------------------------------------------------------------------------------

    /** call_rcu on the calling thread's CPU. */
    public void callRcu(HeapCallbackHead head, HeapRcuCallback func) {
        callRcu(head, func, CurrentCpu.current(nrCpus));
    }

    /**
     * call_rcu: queues {@code head} on {@code cpu}; {@code func} runs with it after a grace period.
     *
     * @throws IllegalArgumentException for a null head or func
     */
    public void callRcu(HeapCallbackHead head, HeapRcuCallback func, int cpu) {
        if (head == null || func == null) {
            throw new IllegalArgumentException("call_rcu: null " + (head == null ? "rcu_head" : "func"));
        }
        final RcuData rdp = state.rdp(cpu);
        head.func = func;
        synchronized (rdp) {
            cblists[cpu].enqueue(head);
            rdp.noteQueued();
        }
    }

    /** rcu_barrier, from a thread that is not inside a call. */
    @Override
    public void rcuBarrier() {
        state.barrier(rcuCore);
    }

    /** rcu_barrier until nothing is pending. */
    @Override
    public void quiesce() {
        state.quiesce(rcuCore);
    }

    // ------------------------------------------------------------------------------------------
    // Callback processing
    // ------------------------------------------------------------------------------------------

    /** rcu_core for {@code cpu}: advance, accelerate, request, then rcu_do_batch. */
    void rcuCore(int cpu) {
        final RcuData rdp = state.rdp(cpu);
        final HeapSegCbList l = cblists[cpu];
        for (;;) {
            final boolean needGp;
            final long seq;
            synchronized (rdp) {
                final long s = state.gpSeq();
                l.advance(s);
                seq = RcuSeq.snap(s); // read after the callbacks were queued: a GP that begins later
                needGp = l.accelerate(seq);
            }
            if (!needGp || !RcuSeq.done(state.requestGp(seq), seq)) {
                break;
            }
        }
        rcuDoBatch(cpu);
    }

    /** rcu_do_batch: {@code cpu}'s done callbacks in queue order, one thread at a time. */
    private void rcuDoBatch(int cpu) {
        final RcuData rdp = state.rdp(cpu);
        final HeapSegCbList l = cblists[cpu];
        for (;;) {
            final long n;
            final HeapCallbackHead last;
            HeapCallbackHead rest;
            synchronized (rdp) {
                if (!l.readyCbs() || !rdp.startInvoking()) {
                    return;
                }
                n = l.doneCount();
                last = l.doneTail();
                rest = l.extractDoneCbs();
            }
            long done = 0;
            try {
                while (rest != null) {
                    final HeapCallbackHead rhp = rest;
                    // Read before the call: the callback retires the object.
                    final HeapCallbackHead next = rhp.next;
                    final HeapRcuCallback fn = rhp.func;
                    rest = next;
                    done++;
                    fn.call(rhp);
                }
            } finally {
                synchronized (rdp) {
                    if (rest != null) {
                        l.insertDoneCbs(rest, last, n - done);
                    }
                    rdp.noteInvoked(done);
                    rdp.stopInvoking();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Inspection and counters
    // ------------------------------------------------------------------------------------------

    /** {@code cpu}'s callback list. */
    public HeapSegCbList cblist(int cpu) {
        return cblists[cpu];
    }

    /** The shared grace-period state. */
    @Override
    public RcuState state() {
        return state;
    }

}
