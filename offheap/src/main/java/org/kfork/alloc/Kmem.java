package org.kfork.alloc;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.kfork.machine.Machine;

/**
 * The kernel-memory subsystems of one {@link Machine}: its modeled CPUs with their hotplug states,
 * the per-CPU areas, and the slab allocator. Created on first use with {@link #of(Machine)} and
 * torn down when the machine closes.
 *
 * <p>Subsystems that cache memory between operations (per-CPU freelists, cached thread stacks,
 * deferred frees, RCU callbacks, whose hook runs first) register a quiesce hook; {@link #quiesce(Machine)} runs them, empties the KASAN
 * quarantine and then shrinks every slab cache, so that a leak check compares what is really in
 * use rather than what happens to be cached.
 *
 * <p>When the machine closes, so does this: every cache, the CPUs and the per-CPU areas refuse
 * further use with {@link IllegalStateException}.
 */
public final class Kmem implements AutoCloseable {
    private static final Map<Machine, Kmem> BY_MACHINE = new IdentityHashMap<>();

    private final Machine machine;
    private final Cpus cpus;
    private final PerCpu percpu;
    private final SlabCaches slabs;
    private final List<Runnable> quiesceHooks = new ArrayList<>();

    private Kmem(Machine machine) {
        this.machine = machine;
        this.cpus = new Cpus(machine.nrCpus(), machine.window());
        this.percpu = new PerCpu(machine.pages(), machine.nrCpus());
        machine.registerAccounting("percpu.used_bytes", percpu::usedBytes);
        this.slabs = new SlabCaches(this);
    }

    /** The kernel-memory subsystems of {@code machine}, created on first use. */
    public static Kmem of(Machine machine) {
        synchronized (BY_MACHINE) {
            Kmem k = BY_MACHINE.get(machine);
            if (k == null) {
                if (machine.isClosed()) {
                    throw new IllegalStateException("machine is closed: " + machine);
                }
                k = new Kmem(machine);
                BY_MACHINE.put(machine, k);
                machine.onClose(k);
            }
            return k;
        }
    }

    /**
     * Brings {@code machine}'s caches to a quiet state for a leak check: runs the quiesce hooks
     * (stack caches, deferred frees), shrinks every slab cache, then drains the CPUs' page lists.
     * A machine without kernel-memory subsystems only has its page lists drained.
     */
    public static void quiesce(Machine machine) {
        final Kmem k;
        synchronized (BY_MACHINE) {
            k = BY_MACHINE.get(machine);
        }
        if (k != null) {
            k.quiesce();
        } else {
            machine.pages().drainAllPages();
        }
    }

    /**
     * Runs the quiesce hooks in registration order, frees every object waiting in the KASAN
     * quarantine, shrinks every slab cache, then drains the CPUs' page lists (the pages the shrink
     * freed land there first).
     */
    public void quiesce() {
        machine.checkOpen("Kmem.quiesce");
        final List<Runnable> hooks;
        synchronized (this) {
            hooks = new ArrayList<>(quiesceHooks);
        }
        for (Runnable r : hooks) {
            r.run();
        }
        slabs.drainQuarantine();
        slabs.shrinkAll();
        machine.pages().drainAllPages();
    }

    /** Registers work that releases cached memory before a leak check. */
    public synchronized void addQuiesceHook(Runnable hook) {
        machine.checkOpen("Kmem.addQuiesceHook");
        quiesceHooks.add(hook);
    }

    /**
     * Registers a quiesce hook that runs before every other one: rcu_barrier, whose callbacks free
     * objects into the caches and stacks that the other hooks then drain.
     */
    public synchronized void addQuiesceHookFirst(Runnable hook) {
        machine.checkOpen("Kmem.addQuiesceHookFirst");
        quiesceHooks.add(0, hook);
    }

    /** Removes a quiesce hook. */
    public synchronized void removeQuiesceHook(Runnable hook) {
        machine.checkOpen("Kmem.removeQuiesceHook");
        quiesceHooks.remove(hook);
    }

    /** The machine. */
    public Machine machine() {
        return machine;
    }

    /** The modeled CPUs and hotplug states. */
    public Cpus cpus() {
        return cpus;
    }

    /** The per-CPU areas. */
    public PerCpu percpu() {
        return percpu;
    }

    /** The slab allocator (kmem_cache_create, slab_caches, slabinfo). */
    public SlabCaches slabs() {
        return slabs;
    }

    /**
     * Forgets this machine's subsystems and marks every slab cache closed; the machine releases
     * the RAM itself, after which the CPUs and per-CPU areas fail too.
     */
    @Override
    public void close() {
        synchronized (BY_MACHINE) {
            BY_MACHINE.remove(machine);
        }
        slabs.close();
    }
}
