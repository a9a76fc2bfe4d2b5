package org.kfork.heap.fork;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.kfork.arch.X86_64;
import org.kfork.mm.FailSlab;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskState;
import org.kfork.smp.CurrentCpu;

/**
 * The heap twin of {@code org.kfork.kernel.fork.ThreadStacks}: kernel/fork.c (5.12), the
 * thread-stack half, with its per-CPU {@code cached_stacks}. A stack is a
 * {@code byte[THREAD_SIZE]} and the GC plays vfree, so the twin has no vmalloc area, no deferred
 * free and no memcg charge; the rest runs the same steps in the same order.
 *
 * <p>The cache protocol is the kernel's, on the same atomics as the off-heap version:
 * <ul>
 *   <li>take: for each of the CPU's {@link Limits#NR_CACHED_STACKS} slots,
 *       {@code xchg(slot, null)}; the first non-null result is reused, zeroed first (stale
 *       pointers must not leak into a new task);</li>
 *   <li>give back: for each slot, {@code cmpxchg(slot, null -> stack)}; when both are taken, the
 *       stack is dropped for the GC (the kernel's vfree_atomic).</li>
 * </ul>
 * The slots of different CPUs are on different cache lines ({@link HeapStackSlots}), so threads on
 * different CPUs never contend; two threads on one CPU are still correct because each step is a
 * single atomic.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>A stack is in one place at a time: a task's {@code stack} or one cached_stacks slot.</li>
 *   <li>Each CPU caches at most {@link Limits#NR_CACHED_STACKS} stacks.</li>
 *   <li>{@code stack_refcount} never goes below zero: a put at zero is refused and changes nothing.</li>
 *   <li>A stack is released only from a TASK_DEAD task; otherwise it is leaked with a warning.</li>
 * </ul>
 */
public final class HeapThreadStacks {
    /** The stack end magic, read and written as the little-endian long at the stack's lowest address. */
    private static final VarHandle STACK_WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Longs between two CPUs' NR_KERNEL_STACK_KB counters: 128 bytes, as hot per-CPU data. */
    private static final int COUNTER_STRIDE = 16;

    private final HeapStackSlots[] cpus;
    private final boolean zeroOnReuse;
    private final AtomicLongArray nrKernelStackKb;
    private final AtomicLong warnings = new AtomicLong();

    /** A stack cache for {@code nrCpus} CPUs that zeroes reused stacks, as the kernel does. */
    public HeapThreadStacks(int nrCpus) {
        this(nrCpus, true);
    }

    /**
     * A stack cache for {@code nrCpus} CPUs.
     *
     * @param nrCpus      number of modeled CPUs
     * @param zeroOnReuse clear a reused stack as the kernel does; false only to measure the
     *                    protocol without the 16 KiB memset
     */
    public HeapThreadStacks(int nrCpus, boolean zeroOnReuse) {
        if (nrCpus < 1 || nrCpus > CurrentCpu.MAX_CPUS) {
            throw new IllegalArgumentException("nrCpus " + nrCpus);
        }
        this.cpus = new HeapStackSlots[nrCpus];
        for (int i = 0; i < nrCpus; i++) {
            cpus[i] = new HeapStackSlots();
        }
        this.zeroOnReuse = zeroOnReuse;
        this.nrKernelStackKb = new AtomicLongArray(nrCpus * COUNTER_STRIDE);
    }

    /** Number of modeled CPUs. */
    public int nrCpus() {
        return cpus.length;
    }

    // ------------------------------------------------------------------------------------------
    // alloc_thread_stack_node / free_thread_stack
    // ------------------------------------------------------------------------------------------

    /** alloc_thread_stack_node on the calling thread's CPU. */
    public byte[] allocThreadStackNode(HeapTask tsk) {
        return allocThreadStackNode(tsk, CurrentCpu.current(cpus.length));
    }

    /**
     * alloc_thread_stack_node: a cached stack of {@code cpu} if there is one, else a new one. Sets
     * {@code tsk->stack}. The heap has one node, so there is no node argument.
     *
     * @return the stack (never null: the heap throws OutOfMemoryError instead)
     */
    public byte[] allocThreadStackNode(HeapTask tsk, int cpu) {
        return allocThreadStackNode(tsk, cpu, null);
    }

    /**
     * alloc_thread_stack_node with fault injection, as the off-heap twin's: a stack that is not in
     * the per-CPU cache first asks {@code failSlab} (the vm_struct kmalloc of 5.12's vmalloc).
     *
     * @param failSlab the kernel's injector, or null for none
     * @return the stack, or null when the injector failed the allocation
     */
    public byte[] allocThreadStackNode(HeapTask tsk, int cpu, FailSlab failSlab) {
        byte[] s = takeCached(cpu);
        if (s == null) {
            if (failSlab != null && failSlab.shouldFail()) {
                return null;
            }
            s = new byte[X86_64.THREAD_SIZE];
        }
        tsk.stack = s;
        return s;
    }

    /**
     * The cache-hit half of alloc_thread_stack_node, on its own: takes a cached stack of
     * {@code cpu}, zeroed, or returns null.
     */
    public byte[] takeCached(int cpu) {
        final HeapStackSlots slots = cpus[cpu];
        // xchg: whoever swaps the stack out owns it; a racing thread on this CPU sees null.
        byte[] s = (byte[]) HeapStackSlots.SLOT0.getAndSet(slots, (byte[]) null);
        if (s == null) {
            s = (byte[]) HeapStackSlots.SLOT1.getAndSet(slots, (byte[]) null);
            if (s == null) {
                return null;
            }
        }
        if (zeroOnReuse) {
            Arrays.fill(s, (byte) 0);
        }
        return s;
    }

    /**
     * The cache half of free_thread_stack: parks {@code stack} in an empty slot of {@code cpu}.
     *
     * @return true when cached; false when both slots are taken
     */
    public boolean putCached(int cpu, byte[] stack) {
        if (stack == null || stack.length != X86_64.THREAD_SIZE) {
            throw new IllegalArgumentException("not a thread stack");
        }
        final HeapStackSlots slots = cpus[cpu];
        // cmpxchg(NULL -> stack): only an empty slot takes it, so a cached stack is never overwritten.
        return HeapStackSlots.SLOT0.compareAndSet(slots, (byte[]) null, stack)
            || HeapStackSlots.SLOT1.compareAndSet(slots, (byte[]) null, stack);
    }

    /** free_thread_stack on the calling thread's CPU. */
    public void freeThreadStack(HeapTask tsk) {
        freeThreadStack(tsk, CurrentCpu.current(cpus.length));
    }

    /** free_thread_stack: caches the stack on {@code cpu}, or leaves it to the GC (vfree_atomic). */
    public void freeThreadStack(HeapTask tsk, int cpu) {
        putCached(cpu, tsk.stack);
    }

    /**
     * free_vm_stack_cache: the cpuhp teardown for a dead CPU; drops its cached stacks for the GC.
     *
     * @return 0
     */
    public int freeVmStackCache(int cpu) {
        final HeapStackSlots slots = cpus[cpu];
        HeapStackSlots.SLOT0.getAndSet(slots, (byte[]) null);
        HeapStackSlots.SLOT1.getAndSet(slots, (byte[]) null);
        return 0;
    }

    /** How many stacks {@code cpu} has cached now (a racy snapshot). */
    public int cachedCount(int cpu) {
        final HeapStackSlots slots = cpus[cpu];
        return (slots.slot0 != null ? 1 : 0) + (slots.slot1 != null ? 1 : 0);
    }

    // ------------------------------------------------------------------------------------------
    // Accounting
    // ------------------------------------------------------------------------------------------

    /**
     * account_kernel_stack: NR_KERNEL_STACK_KB of the node goes up (account = 1) or down (-1) by
     * the stack's size, page by page as the kernel does for vmalloc'ed stacks.
     */
    public void accountKernelStack(HeapTask tsk, int account, int cpu) {
        final int nr = tsk.stack.length / X86_64.PAGE_SIZE;
        for (int i = 0; i < nr; i++) {
            nrKernelStackKb.getAndAdd(cpu * COUNTER_STRIDE, (long) account * (X86_64.PAGE_SIZE / 1024));
        }
    }

    /** NR_KERNEL_STACK_KB of node 0, summed over CPUs. */
    public long nrKernelStackKb() {
        long sum = 0;
        for (int cpu = 0; cpu < cpus.length; cpu++) {
            sum += nrKernelStackKb.get(cpu * COUNTER_STRIDE);
        }
        return sum;
    }

    // ------------------------------------------------------------------------------------------
    // Lifetime
    // ------------------------------------------------------------------------------------------

    /**
     * release_task_stack: the task must be TASK_DEAD, else it warns and leaks the stack rather than
     * free it under a live task.
     *
     * @return true when the stack was released
     */
    public boolean releaseTaskStack(HeapTask tsk, int cpu) {
        if (tsk.state != TaskState.TASK_DEAD) {
            warnings.incrementAndGet();
            return false;
        }
        accountKernelStack(tsk, -1, cpu);
        freeThreadStack(tsk, cpu);
        tsk.stack = null;
        return true;
    }

    /** try_get_task_stack: a reference to the stack if it is still there, else null. */
    public byte[] tryGetTaskStack(HeapTask tsk) {
        for (;;) {
            final int c = tsk.stackRefcount;
            if (c == 0) {
                return null;
            }
            if (HeapTask.STACK_REFCOUNT.compareAndSet(tsk, c, c + 1)) {
                return tsk.stack;
            }
        }
    }

    /**
     * put_task_stack: drops a reference; the last one releases the stack. A put of a count already
     * at zero is a caller bug (5.12's refcount_t warns and saturates there): it is refused and the
     * count stays at zero, as mmput does, so that try_get_task_stack cannot revive a released stack.
     *
     * @return true when this call released the stack
     * @throws IllegalStateException when stack_refcount is already zero
     */
    public boolean putTaskStack(HeapTask tsk, int cpu) {
        for (;;) {
            final int c = tsk.stackRefcount;
            if (c <= 0) {
                throw new IllegalStateException("put_task_stack: stack_refcount is already " + c
                    + " (use-after-free of the stack of task " + tsk + ")");
            }
            if (HeapTask.STACK_REFCOUNT.compareAndSet(tsk, c, c - 1)) {
                return c == 1 && releaseTaskStack(tsk, cpu);
            }
        }
    }

    /** WARN_ONs seen (release of the stack of a task that is not dead). */
    public long warnings() {
        return warnings.get();
    }

    // ------------------------------------------------------------------------------------------
    // Overflow detection
    // ------------------------------------------------------------------------------------------

    /** set_task_stack_end_magic: STACK_END_MAGIC at end_of_stack (the lowest address). */
    public void setTaskStackEndMagic(HeapTask tsk) {
        STACK_WORD.set(tsk.stack, 0, Limits.STACK_END_MAGIC);
    }

    /** task_stack_end_corrupted. */
    public boolean taskStackEndCorrupted(HeapTask tsk) {
        return (long) STACK_WORD.get(tsk.stack, 0) != Limits.STACK_END_MAGIC;
    }

    /**
     * The scheduler's check: reports an overwritten STACK_END_MAGIC as a stack overflow.
     *
     * @throws IllegalStateException "Thread overran stack, or stack corrupted"
     */
    public void checkStackEnd(HeapTask tsk) {
        if (taskStackEndCorrupted(tsk)) {
            throw new IllegalStateException("Kernel panic - not syncing: corrupted stack end detected inside scheduler:"
                + " Thread overran stack, or stack corrupted (task " + tsk + ")");
        }
    }
}
