package org.kfork.kernel.rcu;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.heap.rcu.HeapCallbackHead;
import org.kfork.heap.rcu.HeapRcu;
import org.kfork.heap.rcu.HeapRcuCallback;
import org.kfork.heap.rcu.HeapSegCbList;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.rcu.RcuApi;
import org.kfork.rcu.RcuState;
import org.kfork.rcu.Segcblist;
import org.kfork.testing.LeakCheck;

/**
 * The two RCU variants behind one test interface. A callback is identified by an int id: the
 * off-heap variant queues the callback_head inside a 32-byte slab object ({@code u64 id} at 0,
 * callback_head at 8) and its callback frees the object, so checked mode catches a double run and
 * the leak check a lost one; the heap variant queues an object that extends HeapCallbackHead.
 */
enum RcuVariant {
    /** The heap twin (core, org.kfork.heap.rcu). */
    HEAP {
        @Override
        Instance create(int nrCpus) {
            return new HeapInstance(nrCpus);
        }
    },
    /** The off-heap port (org.kfork.kernel.rcu) on its own machine, leak-checked at close. */
    OFFHEAP {
        @Override
        Instance create(int nrCpus) {
            return new OffHeapInstance(nrCpus);
        }
    };

    abstract Instance create(int nrCpus);

    /** One RCU under test. {@link #close} drains it (and runs the leak check off-heap). */
    abstract static class Instance implements AutoCloseable {
        /** Ids in the order their callbacks ran. */
        final List<Integer> invoked = Collections.synchronizedList(new ArrayList<>());
        /** Runs in each callback, before it frees the object (tests check invariants there). */
        volatile IntConsumer onInvoke = id -> { };

        final void record(int id) {
            onInvoke.accept(id);
            invoked.add(id);
        }

        /** A snapshot of the ids invoked so far. */
        final List<Integer> invokedIds() {
            synchronized (invoked) {
                return new ArrayList<>(invoked);
            }
        }

        /** The RCU under test, through the interface both representations implement. */
        final RcuApi api;

        Instance(RcuApi api) {
            this.api = api;
        }

        final int enter(int cpu) {
            return api.rcuSyscallEnter(cpu);
        }

        final void exit(int token) {
            api.rcuSyscallExit(token);
        }

        final void contextSwitch(int token) {
            api.rcuNoteContextSwitch(token);
        }

        final int resume(int cpu) {
            return api.rcuNoteResume(cpu);
        }

        final int readLock(int cpu) {
            return api.rcuReadLock(cpu);
        }

        final void readUnlock(int token) {
            api.rcuReadUnlock(token);
        }

        /** call_rcu of a fresh object with this id, on {@code cpu}. */
        abstract void queue(int id, int cpu);

        final void synchronize() {
            api.synchronizeRcu();
        }

        final int synchronize(int token) {
            return api.synchronizeRcu(token);
        }

        final void barrier() {
            api.rcuBarrier();
        }

        final RcuState state() {
            return api.state();
        }

        final long queued() {
            return api.callbacksQueued();
        }

        final long invokedCount() {
            return api.callbacksInvoked();
        }

        final long pending() {
            return api.callbacksPending();
        }

        final long gps() {
            return api.gracePeriodsCompleted();
        }

        final void setStallTimeoutMillis(long millis) {
            api.setStallTimeoutMillis(millis);
        }

        /** Checks every CPU's list. */
        abstract void validate();

        /** The ids of {@code cpu}'s list, segment by segment (DONE, WAIT, NEXT_READY, NEXT). */
        abstract List<List<Integer>> segments(int cpu);

        @Override
        public void close() {
            api.quiesce();
        }
    }

    /** The heap twin. */
    static final class HeapInstance extends Instance {
        /** A heap object carrying an id. */
        static final class Obj extends HeapCallbackHead {
            final int id;
            boolean freed;

            Obj(int id) {
                this.id = id;
            }
        }

        final HeapRcu rcu;
        final HeapRcuCallback free = h -> {
            Obj o = (Obj) h;
            if (o.freed) {
                throw new IllegalStateException("callback " + o.id + " ran twice");
            }
            record(o.id);
            o.freed = true;
        };

        HeapInstance(int nrCpus) {
            this(new HeapRcu(nrCpus));
        }

        private HeapInstance(HeapRcu rcu) {
            super(rcu);
            this.rcu = rcu;
        }







        @Override
        void queue(int id, int cpu) {
            rcu.callRcu(new Obj(id), free, cpu);
        }










        @Override
        void validate() {
            for (int cpu = 0; cpu < rcu.state().nrCpus(); cpu++) {
                synchronized (rcu.state().rdp(cpu)) {
                    rcu.cblist(cpu).validate(1 << 24);
                }
            }
        }

        @Override
        List<List<Integer>> segments(int cpu) {
            List<List<Integer>> out = new ArrayList<>();
            synchronized (rcu.state().rdp(cpu)) {
                HeapSegCbList l = rcu.cblist(cpu);
                for (int s = 0; s < Segcblist.RCU_CBLIST_NSEGS; s++) {
                    List<Integer> ids = new ArrayList<>();
                    for (HeapCallbackHead h : l.segment(s)) {
                        ids.add(((Obj) h).id);
                    }
                    out.add(ids);
                }
            }
            return out;
        }

    }

    /** The off-heap port on a machine of its own. */
    static final class OffHeapInstance extends Instance {
        /** struct test_obj { u64 id; struct callback_head rcu; u64 pad; }. */
        static final int ID = 0;
        static final int RCU = 8;
        static final int SIZE = 32;

        final Machine machine;
        final Rcu rcu;
        final KmemCache objs;
        final long free;
        final Map<String, Long> baseline;

        OffHeapInstance(int nrCpus) {
            this(Machine.builder().ram(16L << 20).cpus(nrCpus).build());
        }

        private OffHeapInstance(Machine machine) {
            super(Rcu.of(machine));
            if (!Kasan.ENABLED) {
                machine.close();
                throw new AssertionError("checked mode must be on in off-heap tests (-Dkfork.checked=true)");
            }
            this.machine = machine;
            this.rcu = (Rcu) api;
            this.objs = Kmem.of(machine).slabs().create("rcu_test_obj", SIZE, 0, 0, null);
            this.free = rcu.register("rcu_test_free", head -> {
                long obj = head - RCU; // container_of
                record((int) Mem.getLong(obj + ID));
                objs.free(obj);
            });
            this.baseline = LeakCheck.quiescedSnapshot(machine);
        }







        @Override
        void queue(int id, int cpu) {
            long obj = objs.alloc(cpu);
            if (obj == 0) {
                throw new IllegalStateException("out of RAM");
            }
            Mem.putLong(obj + ID, id);
            rcu.callRcu(obj + RCU, free, cpu);
        }










        @Override
        void validate() {
            for (int cpu = 0; cpu < rcu.state().nrCpus(); cpu++) {
                synchronized (rcu.state().rdp(cpu)) {
                    SegCbList.validate(rcu.cblist(cpu), 1 << 24);
                }
            }
        }

        @Override
        List<List<Integer>> segments(int cpu) {
            List<List<Integer>> out = new ArrayList<>();
            synchronized (rcu.state().rdp(cpu)) {
                for (int s = 0; s < Segcblist.RCU_CBLIST_NSEGS; s++) {
                    List<Integer> ids = new ArrayList<>();
                    for (long h : SegCbList.segment(rcu.cblist(cpu), s)) {
                        ids.add((int) Mem.getLong(h - RCU + ID));
                    }
                    out.add(ids);
                }
            }
            return out;
        }


        /** Drains RCU through the leak check itself (Kmem.quiesce runs RCU's hook first), then closes. */
        @Override
        public void close() {
            try {
                LeakCheck.assertNoLeak(baseline, LeakCheck.quiescedSnapshot(machine));
            } finally {
                machine.close();
            }
        }
    }
}
