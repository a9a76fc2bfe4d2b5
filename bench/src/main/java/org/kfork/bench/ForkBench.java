package org.kfork.bench;

import java.util.concurrent.TimeUnit;

import org.kfork.bench.harness.BenchSupport;
import org.kfork.mm.Mman;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Creating processes and threads on both kernels, in <b>nanoseconds per call</b>, with the
 * creating call and the teardown timed separately, as bench/native/clone.c times the real kernel
 * (the anchors are in {@link org.kfork.bench.harness.AnchorMap}).
 *
 * <p>One kernel per trial: a fixed machine of {@link #CPUS} CPUs and {@link #RAM_BYTES} of RAM,
 * init (pid 1) with an mm of its own, and init makes every call. Each invocation handles
 * {@link #BATCH} children (@OperationsPerInvocation), so the timer's cost is spread over them; the
 * half that is not measured runs in a setup or teardown state of the invocation:
 * <ul>
 *   <li>{@code fork} @ n: fork() of init with {@code n} VMAs (one-page private anonymous mappings
 *       that do not merge, never faulted in: the native anchor's), until it returns in the parent.
 *       The children are reaped afterwards, untimed.</li>
 *   <li>{@code thread}: clone() with glibc's pthread_create flags
 *       ({@link ForkKernel#THREAD_FLAGS}); parent_tid, child_tid and the TLS point into a page of
 *       init's, the thread's own word in it. The threads are taken down afterwards, untimed.</li>
 * </ul>
 * Checked mode is off ({@code -Dkfork.checked=false}) and bounds checks are disabled. The off-heap
 * kernel allocates nothing on the Java heap on these paths; the heap twin's scores include the GC
 * work its allocation causes (run with {@code -prof gc} to see both).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsPrepend = {BenchSupport.ADD_EXPORTS, BenchSupport.CHECKED_OFF, BenchSupport.AGRONA_BOUNDS_OFF})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ForkBench {
    /** Children (or threads) per invocation. */
    public static final int BATCH = 32;
    /** The machine's CPUs, as {@code kfork run}'s fixed machine. */
    public static final int CPUS = 2;
    /** The machine's RAM: room for a batch of 10000-VMA children with init's. */
    public static final long RAM_BYTES = 1L << 30;

    /** Where the kernel's structures live. */
    public enum Variant {
        /** The modeled machine: task_struct and the rest off-heap. */
        OFFHEAP,
        /** The heap twin: HeapTask and the rest as Java objects. */
        HEAP
    }

    /** OFFHEAP or HEAP. */
    @Param
    public Variant variant;

    ForkKernel k;
    /** The pids of the batch, in the order made. */
    final int[] pids = new int[BATCH];

    /** Boots the kernel and makes init. */
    @Setup(Level.Trial)
    public void boot() {
        k = variant == Variant.OFFHEAP ? new OffHeapForkKernel(RAM_BYTES, CPUS, BATCH)
            : new HeapForkKernel(RAM_BYTES / Mman.PAGE_SIZE, CPUS, BATCH);
    }

    /** Stops the kernel. */
    @TearDown(Level.Trial)
    public void shutdown() {
        k.close();
    }

    /** Fails loudly: a benchmark whose call failed measures nothing. */
    static void check(int ret, String what) {
        if (ret <= 0) {
            throw new IllegalStateException(what + " returned " + ret);
        }
    }

    /** init's VMAs for {@code fork}. */
    @State(Scope.Benchmark)
    public static class Process {
        /** The number of VMAs of the forking process (the native anchors' sizes). */
        @Param({"10", "100", "1000", "10000"})
        public int n;

        /** Maps them. */
        @Setup(Level.Trial)
        public void map(ForkBench b) {
            b.k.mapVmas(n);
        }
    }

    /** The page of init's where the threads' ids and TLS are. */
    @State(Scope.Benchmark)
    public static class ThreadArea {
        long page;

        /** Maps it. */
        @Setup(Level.Trial)
        public void map(ForkBench b) {
            page = b.k.mapPage();
        }

        /** Slot {@code i}'s tid word (glibc's pd->tid: parent_tid and child_tid point at it). */
        long tid(int i) {
            return page + (long) Integer.BYTES * i;
        }
    }

    /** Makes the batch's children: what {@link #fork} times. */
    void forkBatch() {
        final ForkKernel k = this.k;
        final int[] pids = this.pids;
        for (int i = 0; i < BATCH; i++) {
            final int pid = k.fork();
            check(pid, "fork");
            pids[i] = pid;
        }
    }

    /** Makes the batch's threads: what {@link #thread} times. */
    void threadBatch(ThreadArea a) {
        final ForkKernel k = this.k;
        final int[] pids = this.pids;
        final long tls = a.page + Mman.PAGE_SIZE / 2;
        final long stack = a.page + Mman.PAGE_SIZE;
        for (int i = 0; i < BATCH; i++) {
            final long tid = a.tid(i);
            final int pid = k.thread(stack, tid, tid, tls);
            check(pid, "clone");
            pids[i] = pid;
        }
    }

    /** Takes the batch's tasks down (TEMPORARY stand-in for exit + wait4, until the exit room lands). */
    void releaseBatch() {
        for (int i = 0; i < BATCH; i++) {
            k.track(i, pids[i]);
            k.release(i);
        }
        k.quiesce();
    }

    /** After {@code fork} and {@code thread}: the batch is taken down, untimed. */
    @State(Scope.Thread)
    public static class Made {
        /** Takes the batch down. */
        @TearDown(Level.Invocation)
        public void takeDown(ForkBench b) {
            b.releaseBatch();
        }
    }

    /** fork() of init with n VMAs, BATCH times: the score is ns per fork. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void fork(Process p, Made m) {
        forkBatch();
    }

    /** clone() with pthread_create's flags, BATCH times: the score is ns per clone. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void thread(ThreadArea a, Made m) {
        threadBatch(a);
    }

    /**
     * Runs this class alone: JMH's command line (e.g. {@code -p n=10 -p variant=OFFHEAP -prof gc}
     * overrides the annotations).
     */
    public static void main(String[] args) {
        BenchSupport.runAlone(ForkBench.class, args);
    }
}
