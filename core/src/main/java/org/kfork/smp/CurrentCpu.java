package org.kfork.smp;

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
 *       fixed CPU): a ThreadLocal, about 2 to 3 ns. It is consulted only once some foreign thread
 *       has ever bound itself, so unbound programs never pay for it.</li>
 *   <li><b>Any other thread</b> is assigned by default: its thread id, mixed and reduced to
 *       {@code [0, nrCpus)} with a multiply and a shift (no division, no map lookup). The same
 *       thread always lands on the same CPU, so its per-CPU caches stay warm.</li>
 * </ol>
 *
 * <p>A CPU id is only a hint of locality, never a lock: the per-CPU operations built on it are
 * real atomics (xchg, cmpxchg), so they stay correct when two threads share a modeled CPU or when a
 * thread's binding changes in the middle of an operation, as a preempted kernel thread may migrate.
 */
public final class CurrentCpu {
    /** The most CPUs any machine can have: NR_CPUS in the reference config. */
    public static final int MAX_CPUS = 64;

    /** Set once any foreign thread binds itself; until then the ThreadLocal is never read. */
    private static volatile boolean foreignBindings;

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
    public static int current(int nrCpus) {
        Thread t = Thread.currentThread();
        int cpu;
        if (t instanceof CpuThread) {
            cpu = ((CpuThread) t).cpu();
        } else if (foreignBindings) {
            int[] bound = BOUND.get();
            cpu = bound != null ? bound[0] : spread(t, nrCpus);
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
    public static void bind(int cpu) {
        checkCpu(cpu);
        Thread t = Thread.currentThread();
        if (t instanceof CpuThread) {
            if (((CpuThread) t).cpu() != cpu) {
                throw new IllegalStateException(t.getName() + " is pinned to CPU " + ((CpuThread) t).cpu());
            }
            return;
        }
        int[] bound = BOUND.get();
        if (bound == null) {
            BOUND.set(new int[] {cpu});
        } else {
            bound[0] = cpu;
        }
        foreignBindings = true;
    }

    /** Drops the calling thread's binding: it goes back to the default assignment. */
    public static void unbind() {
        BOUND.remove();
    }

    /** The CPU the calling thread is bound to, or -1 when it is assigned by default. */
    public static int boundCpu() {
        Thread t = Thread.currentThread();
        if (t instanceof CpuThread) {
            return ((CpuThread) t).cpu();
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
