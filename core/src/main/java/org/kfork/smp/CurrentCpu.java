package org.kfork.smp;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which modeled CPU the calling Java thread runs on: the JVM's smp_processor_id().
 *
 * <p>The kernel finds its CPU with one %gs-relative load. A Java thread has no such register, so
 * the lookup goes, cheapest first:
 * <ol>
 *   <li><b>The caller's context.</b> Code that already knows its CPU (a task's {@code cpu} field,
 *       a benchmark's per-thread state, a worker's loop variable) passes it explicitly: every
 *       per-CPU API has an overload taking {@code int cpu}. Cost: nothing.</li>
 *   <li><b>A pinned thread</b> ({@link CpuThread}, like a per-CPU kthread): one type check on
 *       {@code Thread.currentThread()} (an intrinsic) and one final-field load, about 1 ns.</li>
 *   <li><b>A foreign thread bound with {@link #bind(int)}</b> (a JMH or JUnit worker that wants a
 *       fixed CPU): a direct-mapped table indexed by the low bits of the thread id, each entry
 *       holding {@code id << 8 | cpu}; one array load and a compare, about 1 ns. Thread ids are
 *       never reused, so an entry can only match its own thread. Two bound threads whose ids
 *       collide fall back to a ThreadLocal (2 to 3 ns: a hash probe and a weak-reference load,
 *       measured in SlabBench as about 2.5 ns per lookup). Both are consulted only once some
 *       foreign thread has bound itself, so unbound programs never pay for them.</li>
 *   <li><b>Any other thread</b> is assigned by default: its thread id, mixed and reduced to
 *       {@code [0, nrCpus)} with a multiply and a shift (no division, no map lookup). The same
 *       thread always lands on the same CPU, so its per-CPU caches stay warm.</li>
 * </ol>
 *
 * <p>A CPU id is only a hint of locality, never a lock: the per-CPU operations built on it are
 * real atomics (xchg, cmpxchg), so they stay correct when two threads share a modeled CPU or when a
 * thread's binding changes in the middle of an operation, as a preempted kernel thread may migrate.
 * Exclusivity is a separate, explicit claim on one machine's CPU (the off-heap module's
 * {@code Cpus.own}, which also binds the thread here): only then may per-CPU data take plain
 * accesses, and only for the claiming thread.
 */
public final class CurrentCpu {
    /** The most CPUs any machine can have: NR_CPUS in the reference config. */
    public static final int MAX_CPUS = 64;

    /** Set once any foreign thread binds itself; until then no binding is looked up. */
    private static volatile boolean foreignBindings;
    /** Set once a binding had to go to the ThreadLocal (a table collision). */
    private static volatile boolean overflowBindings;

    private static final int TABLE_BITS = 10;
    /** Bound foreign threads: entry = thread id << 8 | cpu, 0 when free; index = id's low bits. */
    private static final AtomicLongArray TABLE = new AtomicLongArray(1 << TABLE_BITS);
    private static final ThreadLocal<int[]> BOUND = new ThreadLocal<>();

    private CurrentCpu() {
    }

    /**
     * The modeled CPU of the calling thread on a machine with {@code nrCpus} CPUs
     * (raw_smp_processor_id()).
     *
     * @param nrCpus nr_cpu_ids of the machine, 1 to {@link #MAX_CPUS}
     * @return a CPU id in {@code [0, nrCpus)}
     */
    @SuppressWarnings("deprecation") // Thread.getId(): threadId() arrived in 19; the baseline is 17
    public static int current(int nrCpus) {
        Thread t = Thread.currentThread();
        int cpu;
        if (t instanceof CpuThread) {
            cpu = ((CpuThread) t).cpu();
        } else if (foreignBindings) {
            long id = t.getId();
            long e = TABLE.getPlain((int) id & ((1 << TABLE_BITS) - 1));
            if (e >>> 8 == id) {
                cpu = (int) (e & 0xff);
            } else if (overflowBindings) {
                int[] bound = BOUND.get();
                cpu = bound != null ? bound[0] : spread(t, nrCpus);
            } else {
                return spread(t, nrCpus);
            }
        } else {
            return spread(t, nrCpus);
        }
        // A binding made for a bigger machine folds onto this one (rare, hence the branch).
        return cpu < nrCpus ? cpu : cpu % nrCpus;
    }

    /**
     * Binds the calling thread to {@code cpu} until {@link #unbind()}. A {@link CpuThread} cannot
     * be rebound to another CPU.
     *
     * @param cpu the modeled CPU, 0 to {@link #MAX_CPUS} - 1
     */
    @SuppressWarnings("deprecation") // Thread.getId(): threadId() arrived in 19; the baseline is 17
    public static void bind(int cpu) {
        checkCpu(cpu);
        Thread t = Thread.currentThread();
        if (t instanceof CpuThread) {
            if (((CpuThread) t).cpu() != cpu) {
                throw new IllegalStateException(t.getName() + " is pinned to CPU " + ((CpuThread) t).cpu());
            }
            return;
        }
        long id = t.getId();
        int slot = (int) id & ((1 << TABLE_BITS) - 1);
        long mine = id << 8 | cpu;
        for (;;) {
            long e = TABLE.get(slot);
            if (e != 0 && e >>> 8 != id) {
                // Collision with another bound thread (possibly dead: ids are never reused).
                int[] bound = BOUND.get();
                if (bound == null) {
                    BOUND.set(new int[] {cpu});
                } else {
                    bound[0] = cpu;
                }
                overflowBindings = true;
                break;
            }
            if (TABLE.compareAndSet(slot, e, mine)) {
                break;
            }
        }
        foreignBindings = true;
    }

    /** Drops the calling thread's binding: it goes back to the default assignment. */
    @SuppressWarnings("deprecation") // Thread.getId(): threadId() arrived in 19; the baseline is 17
    public static void unbind() {
        long id = Thread.currentThread().getId();
        int slot = (int) id & ((1 << TABLE_BITS) - 1);
        long e = TABLE.get(slot);
        if (e != 0 && e >>> 8 == id) {
            TABLE.compareAndSet(slot, e, 0);
        }
        BOUND.remove();
    }

    /** The CPU the calling thread is bound to, or -1 when it is assigned by default. */
    @SuppressWarnings("deprecation") // Thread.getId(): threadId() arrived in 19; the baseline is 17
    public static int boundCpu() {
        Thread t = Thread.currentThread();
        if (t instanceof CpuThread) {
            return ((CpuThread) t).cpu();
        }
        long id = t.getId();
        long e = TABLE.get((int) id & ((1 << TABLE_BITS) - 1));
        if (e != 0 && e >>> 8 == id) {
            return (int) (e & 0xff);
        }
        int[] bound = BOUND.get();
        return bound != null ? bound[0] : -1;
    }

    /** Validates a CPU id against {@link #MAX_CPUS}. */
    public static int checkCpu(int cpu) {
        if (cpu < 0 || cpu >= MAX_CPUS) {
            throw new IllegalArgumentException("cpu " + cpu + " outside [0, " + MAX_CPUS + ")");
        }
        return cpu;
    }

    /**
     * The default CPU of a thread: its id mixed by a Fibonacci multiply (consecutive ids spread),
     * then mapped onto {@code [0, nrCpus)} by Lemire's multiply-shift range reduction.
     */
    @SuppressWarnings("deprecation") // Thread.getId(): threadId() arrived in 19; the baseline is 17
    static int spread(Thread t, int nrCpus) {
        long mixed = (t.getId() * 0x9E37_79B9_7F4A_7C15L) >>> 32;
        return (int) ((mixed * nrCpus) >>> 32);
    }
}
