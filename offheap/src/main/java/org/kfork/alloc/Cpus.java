package org.kfork.alloc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.kfork.machine.RamWindow;
import org.kfork.smp.CurrentCpu;

/**
 * The modeled CPUs of one machine: nr_cpu_ids, the online mask, and cpuhp-style hotplug states.
 *
 * <p>The current CPU comes from {@link CurrentCpu} (a pinned {@link org.kfork.smp.CpuThread}, an
 * explicit binding, or a default spread of thread ids), reduced to this machine's CPUs. Per-CPU
 * APIs also take the CPU explicitly, for callers that carry it in their own context.
 *
 * <p>Hotplug follows kernel/cpu.c in miniature: {@link #setupState} registers a named state with a
 * startup callback (run when a CPU comes online) and a teardown callback (run when it goes
 * offline). Going down runs the teardowns in reverse order of registration, coming up runs the
 * startups in order, as cpuhp walks its state machine. fork_init registers
 * "fork:vm_stack_cache" with free_vm_stack_cache as its teardown.
 *
 * <h2>Owned CPUs</h2>
 * The kernel's this_cpu operations run with preemption off, so they are plain loads and stores. A
 * Java thread cannot turn preemption off, and two threads may share a modeled CPU, so per-CPU
 * operations are atomics by default. A thread that claims a CPU with {@link #own} holds it
 * exclusively until it closes the returned {@link Owned} (or dies): the claim is a compare-and-set
 * of the CPU's owner slot, so a CPU is never owned twice. On its own CPU the owner may then use
 * plain accesses ({@link KmemCache}'s freelist does); every other thread keeps off that CPU's
 * per-CPU data (the slab caches send it to their shared pool), and the hot path tells the two
 * apart with one load of the owner slot ({@link #ownedByCurrentThread}).
 *
 * <p>The hand-over is the delicate step: a thread may have read a per-CPU word just before the
 * claim and be about to compare-and-set it. So a claim runs the registered ownership hooks
 * ({@link #addOwnershipHook}) before it returns; the slab caches' hook changes the tag of each
 * freelist head of that CPU with a compare-and-set, which fails every such in-flight update, and the
 * atomic paths read the owner slot again after each read of the head, so their retry sees the
 * owner. A release publishes the owner's plain stores with a volatile write of the slot.
 *
 * <p>The CPUs of a machine ({@link Kmem#cpus()}) go with it: once it has closed, the online mask
 * and the hotplug states throw {@link IllegalStateException}. {@link #current()} and
 * {@link #nrCpus()} depend only on the calling thread and stay usable.
 */
public final class Cpus {
    /** A hotplug callback: takes the CPU, returns 0 or a negative errno (as cpuhp callbacks do). */
    @FunctionalInterface
    public interface HotplugCallback {
        /** Runs for {@code cpu}; returns 0 on success. */
        int call(int cpu);
    }

    private static final class State {
        final String name;
        final HotplugCallback startup;
        final HotplugCallback teardown;

        State(String name, HotplugCallback startup, HotplugCallback teardown) {
            this.name = name;
            this.startup = startup;
            this.teardown = teardown;
        }
    }

    private final int nrCpus;
    /** The machine's RAM window, or null for CPUs that belong to no machine. */
    private final RamWindow window;
    /** cpu_online_mask: bit n set when CPU n is online. NR_CPUS is at most 64, so one word. */
    private final AtomicLong online;
    private final List<State> states = new ArrayList<>();
    /** CPU n's owner ({@link #own}), or null; written by compare-and-set only. */
    private final Thread[] owners;
    /** Run after each claim, before the claimer's first plain access ({@link #addOwnershipHook}). */
    private final List<IntConsumer> ownershipHooks = new CopyOnWriteArrayList<>();

    private static final VarHandle OWNERS = MethodHandles.arrayElementVarHandle(Thread[].class);

    /** All {@code nrCpus} CPUs, all online, belonging to no machine. */
    public Cpus(int nrCpus) {
        this(nrCpus, null);
    }

    /** The CPUs of the machine that holds {@code window}. */
    Cpus(int nrCpus, RamWindow window) {
        if (nrCpus < 1 || nrCpus > CurrentCpu.MAX_CPUS) {
            throw new IllegalArgumentException("nr_cpus " + nrCpus);
        }
        this.nrCpus = nrCpus;
        this.window = window;
        this.online = new AtomicLong(nrCpus == 64 ? -1L : (1L << nrCpus) - 1);
        this.owners = new Thread[nrCpus];
    }

    /** A CPU owned by the thread that claimed it ({@link #own}); closing it gives the CPU up. */
    public final class Owned implements AutoCloseable {
        private final int cpu;
        private final Thread owner;
        /** The binding the owner had before the claim, restored on release ({@link CurrentCpu#boundCpu}). */
        private final int previousBinding;
        private boolean released;

        private Owned(int cpu, Thread owner, int previousBinding) {
            this.cpu = cpu;
            this.owner = owner;
            this.previousBinding = previousBinding;
        }

        /** The owned CPU. */
        public int cpu() {
            return cpu;
        }

        /**
         * Gives the CPU up: from now on every thread takes the atomic paths on it again. The
         * owner's binding goes back to what it was before the claim. A second close does nothing.
         *
         * @throws IllegalStateException when called by another thread than the owner
         */
        @Override
        public void close() {
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("CPU " + cpu + " is owned by " + owner.getName()
                    + "; only it can give the CPU up, not " + Thread.currentThread().getName());
            }
            if (released) {
                return;
            }
            released = true;
            // The volatile store publishes every plain store the owner made to the CPU's data.
            OWNERS.compareAndSet(owners, cpu, owner, (Thread) null);
            rebind(previousBinding);
        }

        @Override
        public String toString() {
            return "CPU " + cpu + " owned by " + owner.getName() + (released ? " (released)" : "");
        }
    }

    /**
     * Claims {@code cpu} for the calling thread alone, and binds the thread to it
     * ({@link CurrentCpu#bind}), so that {@link #current()} answers it. On an owned CPU the owner's
     * per-CPU operations are plain loads and stores, as the kernel's are under preempt_disable;
     * other threads keep off its per-CPU data. A CPU whose owner has died without giving it up is
     * taken over.
     *
     * @return the ownership, to close when done (try-with-resources)
     * @throws IllegalStateException    when another live thread owns the CPU, when the calling
     *                                  thread owns it already, when the CPU is offline, or when
     *                                  the calling thread is a
     *                                  {@link org.kfork.smp.CpuThread} pinned to another CPU
     * @throws IllegalArgumentException for a CPU outside {@code [0, nrCpus)}
     */
    public Owned own(int cpu) {
        checkLive("own cpu");
        checkCpu(cpu);
        final Thread me = Thread.currentThread();
        final int previousBinding = CurrentCpu.boundCpu();
        CurrentCpu.bind(cpu); // refuses a CpuThread pinned elsewhere, before anything is claimed
        synchronized (this) { // against cpu_down, which must not find the CPU claimed halfway
            for (;;) {
                final Thread t = (Thread) OWNERS.getVolatile(owners, cpu);
                final String refusal = t == me ? "CPU " + cpu + " is owned by this thread already"
                    : t != null && t.isAlive() ? "CPU " + cpu + " is owned by " + t.getName()
                    : (online.get() & (1L << cpu)) == 0 ? "CPU " + cpu + " is offline" : null;
                if (refusal != null) {
                    rebind(previousBinding);
                    throw new IllegalStateException(refusal);
                }
                if (OWNERS.compareAndSet(owners, cpu, t, me)) {
                    break;
                }
            }
        }
        for (IntConsumer hook : ownershipHooks) {
            hook.accept(cpu);
        }
        return new Owned(cpu, me, previousBinding);
    }

    /** Puts the calling thread's binding back to {@code cpu} (-1: none). */
    private static void rebind(int cpu) {
        if (cpu < 0) {
            CurrentCpu.unbind();
        } else {
            CurrentCpu.bind(cpu);
        }
    }

    /** The live thread that owns {@code cpu}, or null. */
    public Thread owner(int cpu) {
        checkCpu(cpu);
        final Thread t = (Thread) OWNERS.getVolatile(owners, cpu);
        return t != null && t.isAlive() ? t : null;
    }

    /**
     * Whether the calling thread owns {@code cpu}: the hot paths' test, one load of the owner
     * slot (only the owner itself ever writes its own reference there, so a plain load that sees
     * it is exact).
     */
    public boolean ownedByCurrentThread(int cpu) {
        return owners[cpu] == Thread.currentThread();
    }

    /** The owner slots, for the per-CPU hot paths of this package to test with one load. */
    Thread[] ownerSlots() {
        return owners;
    }

    /**
     * Whether a thread other than the caller owns {@code cpu} and is alive. A dead owner's slot
     * is cleared on the way (its plain stores are visible: a thread's end happens-before
     * {@code isAlive()} answering false), so the CPU goes back to the atomic paths.
     */
    boolean ownedByAnother(int cpu) {
        final Thread t = (Thread) OWNERS.getVolatile(owners, cpu);
        if (t == null || t == Thread.currentThread()) {
            return false;
        }
        if (t.isAlive()) {
            return true;
        }
        OWNERS.compareAndSet(owners, cpu, t, (Thread) null);
        return false;
    }

    /**
     * Registers work to run on each claim of a CPU, in the claiming thread, after the claim and
     * before {@link #own} returns: it must fence off the CPU's per-CPU data from threads that read
     * it before the claim (see the class comment).
     */
    void addOwnershipHook(IntConsumer hook) {
        ownershipHooks.add(hook);
    }

    /** nr_cpu_ids: possible CPUs are 0 to nrCpus - 1. */
    public int nrCpus() {
        return nrCpus;
    }

    /** smp_processor_id(): the calling thread's modeled CPU on this machine. */
    public int current() {
        return CurrentCpu.current(nrCpus);
    }

    /** cpu_online(cpu). */
    public boolean isOnline(int cpu) {
        checkLive("cpu_online");
        checkCpu(cpu);
        return (online.get() & (1L << cpu)) != 0;
    }

    /** num_online_cpus(). */
    public int numOnline() {
        checkLive("num_online_cpus");
        return Long.bitCount(online.get());
    }

    /**
     * cpuhp_setup_state: registers a named state. Its startup runs now for each online CPU (the
     * kernel's "invoke callbacks" flavour), and its teardown runs when a CPU goes down.
     *
     * @param name     the state's name, e.g. "fork:vm_stack_cache"
     * @param startup  run when a CPU comes up, or null
     * @param teardown run when a CPU goes down, or null
     * @return the state's index, to pass to {@link #removeState}
     */
    public synchronized int setupState(String name, HotplugCallback startup, HotplugCallback teardown) {
        checkLive("cpuhp_setup_state");
        State s = new State(name, startup, teardown);
        if (startup != null) {
            for (int cpu = 0; cpu < nrCpus; cpu++) {
                if (isOnline(cpu)) {
                    int rc = startup.call(cpu);
                    if (rc != 0) {
                        return rc;
                    }
                }
            }
        }
        states.add(s);
        return states.size() - 1;
    }

    /** cpuhp_remove_state_nocalls: forgets a state without running callbacks. */
    public synchronized void removeState(String name) {
        checkLive("cpuhp_remove_state");
        states.removeIf(s -> s.name.equals(name));
    }

    /** The names of the registered states, in order. */
    public synchronized List<String> stateNames() {
        checkLive("cpuhp states");
        List<String> names = new ArrayList<>();
        for (State s : states) {
            names.add(s.name);
        }
        return names;
    }

    /**
     * cpu_down: takes {@code cpu} offline and runs every teardown, last registered first.
     *
     * @return 0, -EINVAL when the CPU is already offline or is the last one online, or -EBUSY
     *         when another thread owns it ({@link #own}): its per-CPU data is that thread's, and
     *         only it may take the CPU down
     */
    public synchronized int cpuDown(int cpu) {
        checkLive("cpu_down");
        checkCpu(cpu);
        long mask = online.get();
        if ((mask & (1L << cpu)) == 0 || Long.bitCount(mask) == 1) {
            return -22;
        }
        if (ownedByAnother(cpu)) {
            return -16;
        }
        online.set(mask & ~(1L << cpu));
        for (int i = states.size() - 1; i >= 0; i--) {
            State s = states.get(i);
            if (s.teardown != null) {
                s.teardown.call(cpu);
            }
        }
        return 0;
    }

    /**
     * cpu_up: brings {@code cpu} online and runs every startup in order.
     *
     * @return 0, or -EINVAL when it is already online
     */
    public synchronized int cpuUp(int cpu) {
        checkLive("cpu_up");
        checkCpu(cpu);
        long mask = online.get();
        if ((mask & (1L << cpu)) != 0) {
            return -22;
        }
        for (State s : states) {
            if (s.startup != null) {
                int rc = s.startup.call(cpu);
                if (rc != 0) {
                    return rc;
                }
            }
        }
        online.set(mask | (1L << cpu));
        return 0;
    }

    private void checkLive(String op) {
        if (window != null) {
            window.checkLive(op);
        }
    }

    private void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= nrCpus) {
            throw new IllegalArgumentException("cpu " + cpu + " outside [0, " + nrCpus + ")");
        }
    }
}
