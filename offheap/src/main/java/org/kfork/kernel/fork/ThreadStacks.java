package org.kfork.kernel.fork;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.kfork.alloc.Cpus;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.MemcgCharge;
import org.kfork.alloc.PerCpu;
import org.kfork.alloc.PerCpuCounter;
import org.kfork.alloc.VmStruct;
import org.kfork.alloc.VmallocArea;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Abi;
import org.kfork.machine.Mem;
import org.kfork.mm.FailSlab;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskState;

/**
 * kernel/fork.c (5.12), the thread-stack half: alloc_thread_stack_node, free_thread_stack,
 * free_vm_stack_cache, account_kernel_stack, memcg_charge_kernel_stack, release_task_stack,
 * try_get_task_stack, put_task_stack and the stack-end magic, with CONFIG_VMAP_STACK and
 * CONFIG_THREAD_INFO_IN_TASK: stacks are 16 KiB vmalloc areas, each CPU keeps up to
 * {@link Limits#NR_CACHED_STACKS} freed stacks in {@code cached_stacks}, and a stack
 * that does not fit there is freed later by a worker (vfree_atomic).
 *
 * <h2>The per-CPU cache protocol</h2>
 * <pre>
 *   per-CPU area of cpu n:   | cached_stacks[0] | cached_stacks[1] |   (vm_struct pointers, 0 = empty)
 *
 *   take   (alloc_thread_stack_node): for each slot, s = this_cpu_xchg(slot, NULL); first s != NULL wins
 *   return (free_thread_stack):       for each slot, this_cpu_cmpxchg(slot, NULL -> vm) == NULL wins
 *   neither slot empty:               vfree_atomic(vm): onto an llist (through vm_struct.next), freed by the worker
 * </pre>
 * Both steps are single atomics on the CPU's own cache line: a stack is owned by whoever swapped it
 * out, and a cached stack is never overwritten. A reused stack is zeroed (stale pointers must not
 * reach a new task) and unpoisoned; a cached one is poisoned in checked mode.
 *
 * <h2>Lifetime (CONFIG_THREAD_INFO_IN_TASK)</h2>
 * {@code task_struct.stack_refcount} counts users of the stack; {@link #putTaskStack} drops one and
 * the last one releases the stack, once the task is TASK_DEAD ({@link #releaseTaskStack}).
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>A stack is in one place at a time: a task's {@code stack_vm_area}, one cached_stacks slot,
 *       or the deferred-free list.</li>
 *   <li>Each CPU caches at most {@link Limits#NR_CACHED_STACKS} stacks, poisoned while cached.</li>
 *   <li>{@code stack_refcount} never goes below zero: a put at zero is refused and changes nothing.</li>
 *   <li>A stack is released only from a TASK_DEAD task; otherwise it is leaked with a warning.</li>
 * </ul>
 */
public final class ThreadStacks implements AutoCloseable {
    /** Pages per stack. */
    public static final int STACK_PAGES = Abi.THREAD_SIZE / Abi.PAGE_SIZE;

    private final Kmem kmem;
    private final PerCpu percpu;
    private final Cpus cpus;
    private final VmallocArea vmalloc;
    private final int cachedOff;
    private final boolean zeroOnReuse;
    private final PerCpuCounter nrKernelStackKb;
    private final MemcgCharge memcg;
    /**
     * vfree_deferred's llist: the areas waiting for the worker, linked through their vm_struct's
     * next field (the kernel links them through the area itself), so queueing allocates nothing.
     */
    private final AtomicLong deferred = new AtomicLong();
    private final Object drainLock = new Object();
    private final AtomicLong deferredFrees = new AtomicLong();
    private final AtomicLong warnings = new AtomicLong();
    private final Thread worker;
    private final Runnable quiesceHook = this::quiesce;
    private volatile boolean running = true;

    /** A stack allocator that zeroes reused stacks, as the kernel does. */
    public ThreadStacks(Kmem kmem) {
        this(kmem, true);
    }

    /**
     * A stack allocator.
     *
     * @param kmem        the machine's kernel memory
     * @param zeroOnReuse memset a reused stack (the kernel always does; false only to measure the
     *                    cache protocol alone)
     */
    public ThreadStacks(Kmem kmem, boolean zeroOnReuse) {
        this.kmem = kmem;
        this.percpu = kmem.percpu();
        this.cpus = kmem.cpus();
        this.zeroOnReuse = zeroOnReuse;
        this.cachedOff = percpu.alloc(8 * Limits.NR_CACHED_STACKS, 8);
        if (cachedOff < 0) {
            throw new IllegalStateException("per-CPU area full");
        }
        this.vmalloc = new VmallocArea(kmem);
        this.nrKernelStackKb = new PerCpuCounter(percpu);
        this.memcg = new MemcgCharge(kmem.machine().ramStart(), kmem.machine().ramBytes());
        kmem.machine().registerAccounting("stacks.vmalloc_areas", vmalloc::nrAreas);
        kmem.machine().registerAccounting("stacks.nr_kernel_stack_kb", nrKernelStackKb::sum);
        kmem.machine().registerAccounting("stacks.memcg_pages", memcg::usagePages);
        kmem.addQuiesceHook(quiesceHook);
        this.worker = new Thread(this::workerLoop, "kfork-vfree-atomic");
        worker.setDaemon(true);
        worker.start();
    }

    // ------------------------------------------------------------------------------------------
    // alloc_thread_stack_node / free_thread_stack
    // ------------------------------------------------------------------------------------------

    /** alloc_thread_stack_node on the calling thread's CPU. */
    public long allocThreadStackNode(long tsk, int node) {
        return allocThreadStackNode(tsk, node, cpus.current());
    }

    /**
     * alloc_thread_stack_node: a cached stack of {@code cpu} if there is one, else a new vmalloc
     * area. Sets {@code tsk->stack} and {@code tsk->stack_vm_area}.
     *
     * @return the stack's lowest address (a vmalloc address), or 0 (NULL) when out of memory
     */
    public long allocThreadStackNode(long tsk, int node, int cpu) {
        return allocThreadStackNode(tsk, node, cpu, null);
    }

    /**
     * alloc_thread_stack_node with fault injection: as {@link #allocThreadStackNode(long, int, int)},
     * but a stack that is not in the per-CPU cache first asks {@code failSlab}, as 5.12's
     * __vmalloc_node_range meets failslab at its kmalloc of the area's vm_struct. (5.12 has three
     * slab allocations there, the vm_struct, the vmap_area and the pages array; the model allocates
     * them as one object, so it has one injection point.) A cache hit allocates nothing and asks
     * nothing.
     *
     * @param failSlab the kernel's injector, or null for none
     */
    public long allocThreadStackNode(long tsk, int node, int cpu, FailSlab failSlab) {
        if (node != 0 && node != KmemCache.NUMA_NO_NODE) {
            throw new IllegalArgumentException("node " + node);
        }
        final long vm = takeCached(cpu);
        if (vm != Abi.NULL) {
            final long addr = VmStruct.addr(vm);
            Mem.putLong(tsk + TaskStruct.STACK_VM_AREA, vm);
            Mem.putLong(tsk + TaskStruct.STACK, addr);
            return addr;
        }
        if (failSlab != null && failSlab.shouldFail()) {
            return Abi.NULL;
        }
        final long fresh = vmalloc.vmalloc(STACK_PAGES, cpu);
        if (fresh == Abi.NULL) {
            return Abi.NULL;
        }
        final long addr = VmStruct.addr(fresh);
        // free_thread_stack can run where find_vm_area cannot, so the vm_struct is cached in the task.
        Mem.putLong(tsk + TaskStruct.STACK_VM_AREA, fresh);
        Mem.putLong(tsk + TaskStruct.STACK, addr);
        return addr;
    }

    /**
     * The cache-hit half of alloc_thread_stack_node, on its own: takes a cached stack of
     * {@code cpu}, unpoisoned and zeroed, or returns 0.
     */
    public long takeCached(int cpu) {
        for (int i = 0; i < Limits.NR_CACHED_STACKS; i++) {
            // xchg: whoever swaps the stack out owns it; a racing thread on this CPU sees NULL.
            final long s = percpu.xchg(cpu, cachedOff + 8 * i, Abi.NULL);
            if (s == Abi.NULL) {
                continue;
            }
            vmalloc.unpoison(s);
            if (zeroOnReuse) {
                vmalloc.zero(s);
            }
            return s;
        }
        return Abi.NULL;
    }

    /**
     * The cache half of free_thread_stack: parks {@code vm} in an empty slot of {@code cpu}.
     *
     * @return true when cached; false when both slots are taken
     */
    public boolean putCached(int cpu, long vm) {
        vmalloc.poison(vm);
        for (int i = 0; i < Limits.NR_CACHED_STACKS; i++) {
            // cmpxchg(NULL -> vm): only an empty slot takes it, so no cached stack is overwritten.
            if (percpu.cmpxchg(cpu, cachedOff + 8 * i, Abi.NULL, vm) == Abi.NULL) {
                return true;
            }
        }
        vmalloc.unpoison(vm);
        return false;
    }

    /** free_thread_stack on the calling thread's CPU. */
    public void freeThreadStack(long tsk) {
        freeThreadStack(tsk, cpus.current());
    }

    /**
     * free_thread_stack: uncharges the stack's pages from the memcg, caches the stack on
     * {@code cpu} or hands it to the deferred free.
     */
    public void freeThreadStack(long tsk, int cpu) {
        final long vm = Mem.getLong(tsk + TaskStruct.STACK_VM_AREA);
        for (int i = 0; i < STACK_PAGES; i++) {
            memcg.unchargePage(VmStruct.page(vm, i));
        }
        if (!putCached(cpu, vm)) {
            vfreeAtomic(vm);
        }
    }

    /**
     * vfree_atomic: queue the area for the worker (no vfree in atomic context). As the kernel's
     * llist_add + schedule_work, only the add that finds the list empty wakes the worker: a
     * non-empty list means a wake-up is already on its way, or the worker is draining and will
     * see this area on its next pass (it parks only after a pass that found nothing).
     */
    public void vfreeAtomic(long vm) {
        long head;
        do { // llist_add
            head = deferred.get();
            Mem.putLong(vm + VmStruct.NEXT, head);
        } while (!deferred.compareAndSet(head, vm));
        deferredFrees.incrementAndGet();
        if (head == Abi.NULL) {
            LockSupport.unpark(worker);
        }
    }

    /** Frees everything queued by {@link #vfreeAtomic} now, on the calling thread (flush_work). */
    public int flushDeferred() {
        int n = 0;
        synchronized (drainLock) {
            long vm = deferred.getAndSet(0); // llist_del_all
            while (vm != 0) {
                final long next = Mem.getLong(vm + VmStruct.NEXT);
                vmalloc.vfree(vm, cpus.current());
                vm = next;
                n++;
            }
        }
        return n;
    }

    private void workerLoop() {
        while (running) {
            if (flushDeferred() == 0) {
                LockSupport.parkNanos(this, 10_000_000L);
            }
        }
    }

    /**
     * free_vm_stack_cache: the cpuhp teardown for a dead CPU; vfrees its cached stacks.
     *
     * @return 0
     */
    public int freeVmStackCache(int cpu) {
        for (int i = 0; i < Limits.NR_CACHED_STACKS; i++) {
            final long vm = percpu.xchg(cpu, cachedOff + 8 * i, Abi.NULL);
            if (vm != Abi.NULL) {
                vmalloc.unpoison(vm);
                vmalloc.vfree(vm, cpus.current());
            }
        }
        return 0;
    }

    /** How many stacks {@code cpu} has cached now. */
    public int cachedCount(int cpu) {
        int n = 0;
        for (int i = 0; i < Limits.NR_CACHED_STACKS; i++) {
            if (percpu.read(cpu, cachedOff + 8 * i) != Abi.NULL) {
                n++;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------
    // Accounting
    // ------------------------------------------------------------------------------------------

    /**
     * account_kernel_stack: NR_KERNEL_STACK_KB of the node goes up (account = 1) or down (-1) by
     * the stack's size, page by page as the kernel does for vmalloc'ed stacks.
     */
    public void accountKernelStack(long tsk, int account, int cpu) {
        final long vm = Mem.getLong(tsk + TaskStruct.STACK_VM_AREA);
        final int nr = VmStruct.nrPages(vm);
        for (int i = 0; i < nr; i++) {
            nrKernelStackKb.add(cpu, (long) account * (Abi.PAGE_SIZE / 1024));
        }
    }

    /** NR_KERNEL_STACK_KB of node 0, summed over CPUs. */
    public long nrKernelStackKb() {
        return nrKernelStackKb.sum();
    }

    /**
     * memcg_charge_kernel_stack: charges each page of the stack. On failure the pages charged so
     * far stay charged; free_thread_stack uncharges exactly those.
     *
     * @return 0 or -ENOMEM
     */
    public int memcgChargeKernelStack(long tsk) {
        final long vm = Mem.getLong(tsk + TaskStruct.STACK_VM_AREA);
        if (VmStruct.nrPages(vm) != STACK_PAGES) {
            throw new IllegalStateException("BUG: stack vm_struct has " + VmStruct.nrPages(vm) + " pages");
        }
        for (int i = 0; i < STACK_PAGES; i++) {
            final int ret = memcg.chargePage(VmStruct.page(vm, i));
            if (ret != 0) {
                return ret;
            }
        }
        return 0;
    }

    /** The memcg model the stacks are charged to. */
    public MemcgCharge memcg() {
        return memcg;
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
    public boolean releaseTaskStack(long tsk, int cpu) {
        if (Mem.getLong(tsk + TaskStruct.STATE) != TaskState.TASK_DEAD) {
            warnings.incrementAndGet();
            return false;
        }
        accountKernelStack(tsk, -1, cpu);
        freeThreadStack(tsk, cpu);
        Mem.putLong(tsk + TaskStruct.STACK, Abi.NULL);
        Mem.putLong(tsk + TaskStruct.STACK_VM_AREA, Abi.NULL);
        return true;
    }

    /** try_get_task_stack: a reference to the stack if it is still there, else 0. */
    public long tryGetTaskStack(long tsk) {
        final long rc = tsk + TaskStruct.STACK_REFCOUNT;
        for (;;) {
            final int c = Mem.getIntVolatile(rc);
            if (c == 0) {
                return Abi.NULL;
            }
            if (Mem.compareAndSetInt(rc, c, c + 1)) {
                return Mem.getLong(tsk + TaskStruct.STACK);
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
    public boolean putTaskStack(long tsk, int cpu) {
        final long rc = tsk + TaskStruct.STACK_REFCOUNT;
        for (;;) {
            final int c = Mem.getIntVolatile(rc);
            if (c <= 0) {
                throw new IllegalStateException("put_task_stack: stack_refcount is already " + c
                    + " (use-after-free of the stack of task 0x" + Long.toHexString(tsk) + ")");
            }
            if (Mem.compareAndSetInt(rc, c, c - 1)) {
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

    /** The direct-map address behind a stack's vmalloc address (its page table walk). */
    public long translate(long vaddr) {
        return vmalloc.translate(vaddr);
    }

    /** set_task_stack_end_magic: STACK_END_MAGIC at end_of_stack (the lowest address). */
    public void setTaskStackEndMagic(long tsk) {
        vmalloc.putLong(endOfStack(tsk), Limits.STACK_END_MAGIC);
    }

    /** task_stack_end_corrupted. */
    public boolean taskStackEndCorrupted(long tsk) {
        return vmalloc.getLong(endOfStack(tsk)) != Limits.STACK_END_MAGIC;
    }

    /**
     * The scheduler's check: reports an overwritten STACK_END_MAGIC as a stack overflow.
     *
     * @throws IllegalStateException "Thread overran stack, or stack corrupted"
     */
    public void checkStackEnd(long tsk) {
        if (taskStackEndCorrupted(tsk)) {
            throw new IllegalStateException("Kernel panic - not syncing: corrupted stack end detected inside scheduler:"
                + " Thread overran stack, or stack corrupted (task 0x" + Long.toHexString(tsk) + ", stack 0x"
                + Long.toHexString(Mem.getLong(tsk + TaskStruct.STACK)) + ")");
        }
    }

    /** end_of_stack: with THREAD_INFO_IN_TASK and a downward stack, task->stack itself. */
    public static long endOfStack(long tsk) {
        return Mem.getLong(tsk + TaskStruct.STACK);
    }

    /** The vmalloc area the stacks live in. */
    public VmallocArea vmalloc() {
        return vmalloc;
    }

    /** Stacks queued for deferred free so far. */
    public long deferredFrees() {
        return deferredFrees.get();
    }

    /** Flushes the deferred frees and every CPU's cached stacks (before a leak check). */
    public void quiesce() {
        flushDeferred();
        for (int cpu = 0; cpu < cpus.nrCpus(); cpu++) {
            freeVmStackCache(cpu);
        }
    }

    /** Stops the worker, frees every cached and queued stack, and releases the per-CPU slots. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(worker);
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        quiesce();
        kmem.removeQuiesceHook(quiesceHook);
        kmem.machine().unregisterAccounting("stacks.vmalloc_areas");
        kmem.machine().unregisterAccounting("stacks.nr_kernel_stack_kb");
        kmem.machine().unregisterAccounting("stacks.memcg_pages");
        nrKernelStackKb.close();
        percpu.free(cachedOff, 8 * Limits.NR_CACHED_STACKS);
        vmalloc.close();
    }
}
