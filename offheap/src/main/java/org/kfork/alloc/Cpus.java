package org.kfork.alloc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
     * @return 0, or -EINVAL when the CPU is already offline or is the last one online
     */
    public synchronized int cpuDown(int cpu) {
        checkLive("cpu_down");
        checkCpu(cpu);
        long mask = online.get();
        if ((mask & (1L << cpu)) == 0 || Long.bitCount(mask) == 1) {
            return -22;
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
