package org.kfork.kernel.fork;

import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.PerCpuCounter;
import org.kfork.alloc.SlabFlags;
import org.kfork.cred.UcountTypes;
import org.kfork.kernel.struct.FilesStruct;
import org.kfork.kernel.struct.Fpu;
import org.kfork.kernel.struct.FsStruct;
import org.kfork.kernel.struct.ListHead;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.ThreadStruct;
import org.kfork.kernel.struct.UserNamespace;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.kernel.struct.WaitQueueHead;
import org.kfork.machine.Abi;
import org.kfork.machine.Mem;
import org.kfork.proc.Sysctls;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;

/**
 * kernel/fork.c (5.12), the boot-time half, on one machine: fork_init (the task_struct cache,
 * max_threads and the limits derived from it, the vm_stack_cache hotplug state) and
 * proc_caches_init (the caches of signal_struct, sighand_struct, files_struct, fs_struct,
 * mm_struct and vm_area_struct), plus sysctl kernel.threads-max and the process counters.
 *
 * <p>Invariants: the caches and the stack allocator live from {@link #boot} to {@link #close};
 * max_threads stays within [1, MAX_THREADS] (the automatic value within [MIN_THREADS,
 * MAX_THREADS]); a sighand_struct's lock and wait queue are initialized once per object, by the
 * cache's constructor.
 *
 * <p>fork_init writes {@code init_task.signal->rlim[RLIMIT_NPROC and RLIMIT_SIGPENDING]} into
 * the kernel's init_signals and {@code init_user_ns.ucount_max[]} into its init_user_ns (both
 * given to {@link #boot(Kmem, long, long)}); the rlimits are also held in {@link InitLimits} (the
 * only place when it is booted alone).
 */
public final class ForkInit implements AutoCloseable {
    /** cpumask_size(): BITS_TO_LONGS(NR_CPUS) longs, the cpu_bitmap that follows an mm_struct. */
    public static final int CPUMASK_SIZE = (Limits.NR_CPUS + Long.SIZE - 1) / Long.SIZE * Long.BYTES;
    /** ARCH_MIN_MMSTRUCT_ALIGN: 0 on x86. */
    public static final int ARCH_MIN_MMSTRUCT_ALIGN = 0;
    /** ARCH_MIN_TASKALIGN: 0 on x86 (fork_init raises it to L1_CACHE_BYTES). */
    public static final int ARCH_MIN_TASKALIGN = 0;

    /**
     * task_struct_whitelist: arch_thread_struct_whitelist gives the fpu register state inside
     * thread_struct, moved to its place in task_struct. The state is the last member of struct
     * fpu, so its size (fpu_kernel_xstate_size on the modeled CPU) is what follows its offset.
     */
    public static final int TASK_USEROFFSET = (int) (TaskStruct.THREAD + ThreadStruct.FPU + Fpu.STATE);
    /** The task_struct usercopy size: fpu_kernel_xstate_size. */
    public static final int TASK_USERSIZE = (int) (Fpu.SIZEOF - Fpu.STATE);

    /** What fork_init writes into init_task's rlimits, kept here too (booted alone, there is no init_signals). */
    public static final class InitLimits {
        /** init_task.signal->rlim[RLIMIT_NPROC].rlim_cur. */
        public long nprocCur;
        /** init_task.signal->rlim[RLIMIT_NPROC].rlim_max. */
        public long nprocMax;
        /** init_task.signal->rlim[RLIMIT_SIGPENDING].rlim_cur. */
        public long sigpendingCur;
        /** init_task.signal->rlim[RLIMIT_SIGPENDING].rlim_max. */
        public long sigpendingMax;
    }

    private final Kmem kmem;
    /** init_signals, or 0 when booted without a kernel. */
    private final long initSignals;
    /** init_user_ns, or 0 when booted without a kernel. */
    private final long initUserNs;
    private final InitLimits initLimits = new InitLimits();
    private final PerCpuCounter processCounts;
    private volatile int maxThreads;

    private KmemCache taskStructCachep;
    private KmemCache sighandCachep;
    private KmemCache signalCachep;
    private KmemCache filesCachep;
    private KmemCache fsCachep;
    private KmemCache mmCachep;
    private KmemCache vmAreaCachep;
    private ThreadStacks stacks;

    private ForkInit(Kmem kmem, long initSignals, long initUserNs) {
        this.kmem = kmem;
        this.initSignals = initSignals;
        this.initUserNs = initUserNs;
        this.processCounts = new PerCpuCounter(kmem.percpu());
    }

    /**
     * Boots fork.c on {@code kmem}'s machine without a kernel around it (no init_signals and no
     * init_user_ns to write the limits into: the rlimits are only kept in {@link #initLimits}):
     * fork_init, then proc_caches_init.
     */
    public static ForkInit boot(Kmem kmem) {
        return boot(kmem, 0, 0);
    }

    /**
     * Boots fork.c on {@code kmem}'s machine: fork_init, which also writes RLIMIT_NPROC and
     * RLIMIT_SIGPENDING into {@code initSignals} (init_task's signal_struct), then the limits of
     * the kernel's {@code init_user_ns} at that address (0: none), then proc_caches_init.
     */
    public static ForkInit boot(Kmem kmem, long initSignals, long initUserNs) {
        ForkInit f = new ForkInit(kmem, initSignals, initUserNs);
        f.forkInit();
        f.procCachesInit();
        return f;
    }

    /**
     * fork_init: the task_struct cache (arch_task_struct_size, aligned to at least L1_CACHE_BYTES,
     * usercopy window from task_struct_whitelist), max_threads, the init limits, the stack
     * allocator and its "fork:vm_stack_cache" hotplug state.
     */
    void forkInit() {
        final int align = Math.max(Abi.L1_CACHE_BYTES, ARCH_MIN_TASKALIGN);
        // arch_task_struct_size: sizeof(task_struct) with the modeled CPU's fpu state size
        taskStructCachep = kmem.slabs().createUsercopy("task_struct", (int) TaskStruct.SIZEOF, align,
            SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, TASK_USEROFFSET, TASK_USERSIZE, null);
        setMaxThreads(Limits.MAX_THREADS);
        initLimits.nprocCur = maxThreads / 2;
        initLimits.nprocMax = maxThreads / 2;
        initLimits.sigpendingCur = initLimits.nprocCur;
        initLimits.sigpendingMax = initLimits.nprocMax;
        if (initSignals != 0) {
            ForkSignal.forkInitRlimits(initSignals, maxThreads);
        }
        if (initUserNs != 0) {
            for (int i = 0; i < UcountTypes.UCOUNT_COUNTS; i++) {
                Mem.putInt(initUserNs + UserNamespace.UCOUNT_MAX + (long) i * Integer.BYTES, maxThreads / 2);
            }
        }
        stacks = new ThreadStacks(kmem);
        kmem.cpus().setupState("fork:vm_stack_cache", null, stacks::freeVmStackCache);
    }

    /** proc_caches_init: the caches of the structures a fork duplicates. */
    void procCachesInit() {
        final int common = SlabFlags.SLAB_HWCACHE_ALIGN | SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT;
        sighandCachep = kmem.slabs().create("sighand_cache", (int) SighandStruct.SIZEOF, 0,
            common | SlabFlags.SLAB_TYPESAFE_BY_RCU, ForkInit::sighandCtor);
        signalCachep = kmem.slabs().create("signal_cache", (int) SignalStruct.SIZEOF, 0, common, null);
        filesCachep = kmem.slabs().create("files_cache", (int) FilesStruct.SIZEOF, 0, common, null);
        fsCachep = kmem.slabs().create("fs_cache", (int) FsStruct.SIZEOF, 0, common, null);
        // mm_struct ends in the flexible cpu_bitmap[], sized for the possible CPUs
        final int mmSize = (int) MmStruct.SIZEOF + CPUMASK_SIZE;
        mmCachep = kmem.slabs().createUsercopy("mm_struct", mmSize, ARCH_MIN_MMSTRUCT_ALIGN, common,
            (int) MmStruct.SAVED_AUXV, (int) MmStruct.LAYOUT.sizeOf("saved_auxv"), null);
        // KMEM_CACHE passes __alignof__(struct vm_area_struct) as the alignment
        vmAreaCachep = kmem.slabs().create("vm_area_struct", (int) VmAreaStruct.SIZEOF, (int) VmAreaStruct.ALIGNOF,
            SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, null);
    }

    /**
     * sighand_ctor: a sighand_struct may be looked at under RCU after it was freed
     * (SLAB_TYPESAFE_BY_RCU), so its lock and wait queue are initialized once per object, here,
     * and never again.
     */
    static void sighandCtor(long sighand) {
        Mem.putInt(sighand + SighandStruct.SIGLOCK, 0); // spin_lock_init(&sighand->siglock)
        final long wqh = sighand + SighandStruct.SIGNALFD_WQH;
        Mem.putInt(wqh + WaitQueueHead.LOCK, 0); // init_waitqueue_head: its lock...
        final long head = wqh + WaitQueueHead.HEAD; // ...and an empty list head pointing at itself
        Mem.putLong(head + ListHead.NEXT, head);
        Mem.putLong(head + ListHead.PREV, head);
    }

    /**
     * set_max_threads: the thread structures may use at most 1/8 of RAM, so
     * {@code totalram_pages * PAGE_SIZE / (THREAD_SIZE * 8)}, no more than the suggestion, clamped
     * to [Limits.MIN_THREADS, Limits.MAX_THREADS] ({@link Limits#maxThreads}, shared with the heap
     * twin).
     */
    public void setMaxThreads(long maxThreadsSuggested) {
        maxThreads = Limits.maxThreads(kmem.machine().pages().totalramPages(), maxThreadsSuggested);
    }

    /** max_threads. */
    public int maxThreads() {
        return maxThreads;
    }

    /**
     * sysctl kernel.threads-max. A read returns max_threads. A write goes through
     * proc_dointvec_minmax with the bounds fork.c gives it (1 to MAX_THREADS; 5.12 lets an
     * administrator go below MIN_THREADS) and stores the value as is.
     *
     * @return max_threads after the call, or -EINVAL for a value outside the bounds
     */
    public int sysctlMaxThreads(boolean write, long value) {
        if (!write) {
            return maxThreads;
        }
        final int err = Sysctls.checkThreadsMax(value);
        if (err != 0) {
            return err;
        }
        maxThreads = (int) value;
        return maxThreads;
    }

    /** The limits fork_init set for init_task and init_user_ns. */
    public InitLimits initLimits() {
        return initLimits;
    }

    /** process_counts: a fork on {@code cpu} adds one, a release subtracts one. */
    public PerCpuCounter processCounts() {
        return processCounts;
    }

    /** nr_processes: process_counts summed over the possible CPUs. */
    public long nrProcesses() {
        return processCounts.sum();
    }

    /** task_struct_cachep. */
    public KmemCache taskStructCachep() {
        return taskStructCachep;
    }

    /** sighand_cachep. */
    public KmemCache sighandCachep() {
        return sighandCachep;
    }

    /** signal_cachep. */
    public KmemCache signalCachep() {
        return signalCachep;
    }

    /** files_cachep. */
    public KmemCache filesCachep() {
        return filesCachep;
    }

    /** fs_cachep. */
    public KmemCache fsCachep() {
        return fsCachep;
    }

    /** mm_cachep. */
    public KmemCache mmCachep() {
        return mmCachep;
    }

    /** vm_area_cachep. */
    public KmemCache vmAreaCachep() {
        return vmAreaCachep;
    }

    /** The thread stack allocator (VMAP_STACK with cached_stacks). */
    public ThreadStacks stacks() {
        return stacks;
    }

    /** The machine's kernel memory. */
    public Kmem kmem() {
        return kmem;
    }

    /**
     * Undoes the boot: removes the hotplug state, stops the stack allocator, destroys the caches
     * (which fails, listing the objects, if any is still allocated).
     */
    @Override
    public void close() {
        kmem.cpus().removeState("fork:vm_stack_cache");
        stacks.close();
        for (KmemCache c : new KmemCache[] {vmAreaCachep, mmCachep, fsCachep, filesCachep, signalCachep,
            sighandCachep, taskStructCachep}) {
            c.destroy();
        }
        processCounts.close();
    }
}
