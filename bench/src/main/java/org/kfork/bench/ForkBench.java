package org.kfork.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.kfork.bench.harness.BenchSupport;
import org.kfork.mm.Mman;
import org.kfork.sched.Limits;
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
 * half that is not measured runs in a setup or teardown state of the invocation, with the RCU
 * callbacks the exits queued. The batch is the per-CPU stack cache's size (NR_CACHED_STACKS), so
 * that each child's stack comes from the cache and goes back to it, as in a real fork loop (and as
 * the native anchor's cached 16 KiB memset assumes); a larger batch would time vmalloc and
 * vfree_atomic for all but two of its children.
 * <ul>
 *   <li>{@code fork} @ n: fork() of init with {@code n} VMAs (one-page private anonymous mappings
 *       that do not merge, never faulted in: the native anchor's), until it returns in the parent.
 *       The children then exit and are reaped, untimed.</li>
 *   <li>{@code forkExit} @ n: the exit (do_exit, status 0) of such a child, made by the child,
 *       and init's wait4 for it, on children forked untimed before. The oldest child goes first,
 *       so wait4's scan of init's children finds it at the head of the list.</li>
 *   <li>{@code thread}: clone() with glibc's pthread_create flags
 *       ({@link ForkKernel#THREAD_FLAGS}); parent_tid and child_tid point at the thread's own word
 *       in a page of init's, the TLS and stack into it. The threads then exit, untimed.</li>
 *   <li>{@code threadExit}: such a thread's exit, which writes 0 to its child_tid word and wakes
 *       it, and releases the thread at once (exit signal -1: nobody waits).</li>
 *   <li>{@code vfork}: vfork() by init, which returns once the child let go of the mm; the child
 *       exits on a Java thread of its own ({@link VforkChild}), which waits until the child is
 *       woken; then init's wait4. The score includes the two threads' hand-over (an unpark, and
 *       the kernel's sleep and wake-up), as the real kernel's includes its context switches.</li>
 * </ul>
 * Checked mode is off ({@code -Dkfork.checked=false}) and bounds checks are disabled. On the
 * off-heap kernel fork, clone, exit and wait4 allocate nothing on the Java heap. The heap twin's
 * scores include the GC work its allocation causes (run with {@code -prof gc}; that figure also
 * counts the untimed halves, which run in the same iteration).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsPrepend = {BenchSupport.ADD_EXPORTS, BenchSupport.CHECKED_OFF, BenchSupport.AGRONA_BOUNDS_OFF})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ForkBench {
    /** Children (or threads) per invocation: NR_CACHED_STACKS, two. */
    public static final int BATCH = Limits.NR_CACHED_STACKS;
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

    /** Keeps each task of the batch in its slot, for the exits (untimed). */
    void trackBatch() {
        for (int i = 0; i < BATCH; i++) {
            k.track(i, pids[i]);
        }
    }

    /** Each child of the batch exits and init reaps it: what {@link #forkExit} times. */
    void reapBatch() {
        final ForkKernel k = this.k;
        final int[] pids = this.pids;
        for (int i = 0; i < BATCH; i++) {
            // the oldest child first: it is the first of init's children, so wait4's scan finds it at once
            k.exit(i);
            final int pid = k.wait4(pids[i]);
            if (pid != pids[i]) {
                throw new IllegalStateException("wait4(" + pids[i] + ") returned " + pid);
            }
        }
    }

    /** Each thread of the batch exits, and is reaped as it goes: what {@link #threadExit} times. */
    void exitThreads() {
        final ForkKernel k = this.k;
        for (int i = 0; i < BATCH; i++) {
            k.exit(i);
        }
    }

    /** After {@code fork}: the children exit and are reaped, untimed. */
    @State(Scope.Thread)
    public static class Forked {
        /** Reaps the batch. */
        @TearDown(Level.Invocation)
        public void reap(ForkBench b) {
            b.trackBatch();
            b.reapBatch();
            b.k.quiesce();
        }
    }

    /** Before {@code forkExit}: a batch of children, forked untimed. */
    @State(Scope.Thread)
    public static class Children {
        /** Forks the batch. */
        @Setup(Level.Invocation)
        public void fork(ForkBench b) {
            b.forkBatch();
            b.trackBatch();
        }

        /** The frees the exits left to RCU. */
        @TearDown(Level.Invocation)
        public void quiesce(ForkBench b) {
            b.k.quiesce();
        }
    }

    /** After {@code thread}: the threads exit, untimed. */
    @State(Scope.Thread)
    public static class Made {
        /** Ends the batch's threads. */
        @TearDown(Level.Invocation)
        public void exit(ForkBench b) {
            b.trackBatch();
            b.exitThreads();
            b.k.quiesce();
        }
    }

    /** Before {@code threadExit}: a batch of threads, made untimed. */
    @State(Scope.Thread)
    public static class Threads {
        /** Makes the batch. */
        @Setup(Level.Invocation)
        public void make(ForkBench b, ThreadArea a) {
            b.threadBatch(a);
            b.trackBatch();
        }

        /** The frees the exits left to RCU. */
        @TearDown(Level.Invocation)
        public void quiesce(ForkBench b) {
            b.k.quiesce();
        }
    }

    /**
     * The Java thread that acts for each vfork child: the parent (the benchmark's thread) blocks
     * in vfork until the child lets go of the mm, so the child's exit must come from another
     * thread. For each request it waits for the child to be woken, then the child exits.
     */
    @State(Scope.Benchmark)
    public static class VforkChild {
        private Thread thread;
        private volatile boolean stop;
        /** vforks asked for; written by the benchmark's thread only. */
        private volatile int requested;
        /** vfork children that exited; written by the child's thread only. */
        volatile int exited;

        /** Starts the child's thread. */
        @Setup(Level.Trial)
        public void start(ForkBench b) {
            final ForkKernel k = b.k;
            thread = new Thread(() -> {
                int done = 0;
                while (!stop) {
                    if (requested == done) {
                        LockSupport.park(this);
                        continue;
                    }
                    k.exitVforkChild();
                    exited = ++done;
                }
            }, "vfork child");
            thread.setDaemon(true);
            thread.start();
        }

        /** Tells the child's thread that a vfork child is coming. */
        void request() {
            requested++;
            LockSupport.unpark(thread);
        }

        /**
         * Waits until the child's thread is done with every child asked for: the parent may reap
         * a child (wait4 returns once it is a zombie) before its do_exit has quite ended.
         */
        void awaitExits() {
            while (exited != requested) {
                Thread.onSpinWait();
            }
        }

        /** Stops the child's thread. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            stop = true;
            LockSupport.unpark(thread);
            thread.join(10_000);
        }
    }

    /** After {@code vfork}: the children's exits ended, and the frees they left to RCU run. */
    @State(Scope.Thread)
    public static class Vforked {
        /** Waits for the exits, then runs the frees. */
        @TearDown(Level.Invocation)
        public void quiesce(ForkBench b, VforkChild c) {
            c.awaitExits();
            b.k.quiesce();
        }
    }

    /** fork() of init with n VMAs, BATCH times: the score is ns per fork. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void fork(Process p, Forked f) {
        forkBatch();
    }

    /** The exit of a child of such a fork and init's wait4 for it, BATCH times: ns per exit + wait4. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void forkExit(Process p, Children c) {
        reapBatch();
    }

    /** clone() with pthread_create's flags, BATCH times: the score is ns per clone. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void thread(ThreadArea a, Made m) {
        threadBatch(a);
    }

    /**
     * The exit of such a thread (CLONE_CHILD_CLEARTID's word cleared and woken, the thread
     * released at once: its exit signal is -1), BATCH times: ns per exit.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void threadExit(ThreadArea a, Threads t) {
        exitThreads();
    }

    /**
     * vfork() by init, the child's exit (on the child's thread) that lets the parent go on, and
     * init's wait4 for it, BATCH times: ns per vfork + exit + wait4.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void vfork(VforkChild c, Vforked v) {
        final ForkKernel k = this.k;
        for (int i = 0; i < BATCH; i++) {
            c.request();
            final int pid = k.vfork();
            check(pid, "vfork");
            if (k.wait4(pid) != pid) {
                throw new IllegalStateException("wait4 after vfork");
            }
        }
    }

    /**
     * Runs this class alone: JMH's command line (e.g. {@code -p n=10 -p variant=OFFHEAP -prof gc}
     * overrides the annotations).
     */
    public static void main(String[] args) {
        BenchSupport.runAlone(ForkBench.class, args);
    }
}
