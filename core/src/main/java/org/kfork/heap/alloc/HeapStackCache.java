package org.kfork.heap.alloc;

import java.util.Arrays;
import org.kfork.smp.CurrentCpu;

/**
 * The heap twin of fork.c's thread-stack allocator with its per-CPU {@code cached_stacks}: a stack
 * is a {@code byte[THREAD_SIZE]} and the GC plays vfree.
 *
 * <p>The protocol is the kernel's, on the same atomics as the off-heap version:
 * <ul>
 *   <li>take: for each of the CPU's {@value #NR_CACHED_STACKS} slots, {@code xchg(slot, null)};
 *       the first non-null result is reused, zeroed first (stale pointers must not leak into a new
 *       task);</li>
 *   <li>give back: for each slot, {@code cmpxchg(slot, null -> stack)}; when both are taken, the
 *       stack is dropped for the GC (the kernel's vfree_atomic).</li>
 * </ul>
 * The slots of different CPUs are on different cache lines ({@link HeapStackSlots}), so threads on
 * different CPUs never contend; two threads on one CPU are still correct because each step is a
 * single atomic.
 */
public final class HeapStackCache {
    /** THREAD_SIZE: 16 KiB kernel stacks, as on x86_64 without KASAN. */
    public static final int THREAD_SIZE = 16384;
    /** NR_CACHED_STACKS: how many free stacks each CPU keeps. */
    public static final int NR_CACHED_STACKS = 2;

    private final HeapStackSlots[] cpus;
    private final boolean zeroOnReuse;

    /**
     * Creates a cache for {@code nrCpus} CPUs.
     *
     * @param nrCpus      number of modeled CPUs
     * @param zeroOnReuse clear a reused stack as the kernel does; false only to measure the
     *                    protocol without the 16 KiB memset
     */
    public HeapStackCache(int nrCpus, boolean zeroOnReuse) {
        if (nrCpus < 1 || nrCpus > CurrentCpu.MAX_CPUS) {
            throw new IllegalArgumentException("nrCpus " + nrCpus);
        }
        this.cpus = new HeapStackSlots[nrCpus];
        for (int i = 0; i < nrCpus; i++) {
            cpus[i] = new HeapStackSlots();
        }
        this.zeroOnReuse = zeroOnReuse;
    }

    /** Number of modeled CPUs. */
    public int nrCpus() {
        return cpus.length;
    }

    /** alloc_thread_stack_node on the calling thread's CPU. */
    public byte[] allocStack() {
        return allocStack(CurrentCpu.current(cpus.length));
    }

    /**
     * alloc_thread_stack_node on {@code cpu}: a cached stack when there is one, else a new one.
     *
     * @return a zeroed stack (when zeroing is on)
     */
    public byte[] allocStack(int cpu) {
        HeapStackSlots slots = cpus[cpu];
        // xchg: whoever swaps the stack out owns it; a racing thread on this CPU sees null.
        byte[] s = (byte[]) HeapStackSlots.SLOT0.getAndSet(slots, (byte[]) null);
        if (s == null) {
            s = (byte[]) HeapStackSlots.SLOT1.getAndSet(slots, (byte[]) null);
            if (s == null) {
                return new byte[THREAD_SIZE];
            }
        }
        if (zeroOnReuse) {
            Arrays.fill(s, (byte) 0);
        }
        return s;
    }

    /** free_thread_stack on the calling thread's CPU. */
    public void freeStack(byte[] stack) {
        freeStack(CurrentCpu.current(cpus.length), stack);
    }

    /**
     * free_thread_stack on {@code cpu}: park the stack in an empty slot, else leave it to the GC.
     *
     * @return true when the stack was cached
     */
    public boolean freeStack(int cpu, byte[] stack) {
        if (stack == null || stack.length != THREAD_SIZE) {
            throw new IllegalArgumentException("not a thread stack");
        }
        HeapStackSlots slots = cpus[cpu];
        // cmpxchg(NULL -> stack): only an empty slot takes it, so a cached stack is never overwritten.
        return HeapStackSlots.SLOT0.compareAndSet(slots, (byte[]) null, stack)
            || HeapStackSlots.SLOT1.compareAndSet(slots, (byte[]) null, stack);
    }

    /**
     * free_vm_stack_cache: the CPU went offline, so drop its cached stacks.
     *
     * @return how many stacks were dropped
     */
    public int freeCpuCache(int cpu) {
        HeapStackSlots slots = cpus[cpu];
        int n = 0;
        if (HeapStackSlots.SLOT0.getAndSet(slots, (byte[]) null) != null) {
            n++;
        }
        if (HeapStackSlots.SLOT1.getAndSet(slots, (byte[]) null) != null) {
            n++;
        }
        return n;
    }

    /** How many stacks {@code cpu} holds now (a racy snapshot). */
    public int cachedCount(int cpu) {
        HeapStackSlots slots = cpus[cpu];
        return (slots.slot0 != null ? 1 : 0) + (slots.slot1 != null ? 1 : 0);
    }
}
