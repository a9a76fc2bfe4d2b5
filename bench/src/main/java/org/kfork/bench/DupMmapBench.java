package org.kfork.bench;

import static org.kfork.mm.Mman.*;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

import org.kfork.alloc.Cpus;
import org.kfork.alloc.Kmem;
import org.kfork.bench.harness.BenchSupport;
import org.kfork.heap.mm.HeapMmSystem;
import org.kfork.kernel.fork.ForkMm;
import org.kfork.kernel.mm.Mm;
import org.kfork.kernel.mm.OffHeapMmSystem;
import org.kfork.machine.Machine;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.uapi.Errno;
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
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;

/**
 * dup_mm of an mm with {@code n} VMAs, and the teardown (mmput: exit_mmap, __mmdrop) of such a
 * copy, each timed separately and scored in <b>nanoseconds per VMA</b>.
 *
 * <p>Each invocation handles {@link #VMAS} VMAs: {@code VMAS / n} copies of the parent
 * ({@code n} divides {@link #VMAS} for every parameter). {@code dup} makes the copies (they are
 * torn down, untimed, after the invocation); {@code exit} tears down copies made, untimed, before
 * it. So both scores are per VMA at every {@code n}, and the timer's overhead is spread over 60000
 * VMAs.
 *
 * <ul>
 *   <li>{@code variant}: OFFHEAP (the modeled machine) or HEAP (the heap twin).</li>
 *   <li>{@code mode}: APPEND, the kernel's dup_mmap (each copy linked at the right end of the
 *       tree, with the gap update), or STRUCTURAL, the O(n) clone of the parent tree's shape.</li>
 *   <li>{@code space}: UNTOUCHED, private anonymous VMAs never faulted (no anon_vma, no page: the
 *       kernel anchor's case); ANON, each written once (anon_vma_prepare and a page of its own).
 *       Neighbours differ only in protection, so, as in the kernel, they may share one anon_vma
 *       (find_mergeable_anon_vma ignores the access bits); the child still gets one anon_vma and
 *       two chains per VMA from anon_vma_fork, and a copy of each page (copy_page_range: the
 *       model copies private pages at fork; see docs/mm.md).</li>
 *   <li>Protections alternate (PROT_READ, PROT_READ|PROT_WRITE; for ANON, where every VMA must
 *       take a write, PROT_READ|PROT_WRITE|PROT_EXEC and PROT_READ|PROT_WRITE), so no two VMAs
 *       merge.</li>
 * </ul>
 * Checked mode is off ({@code -Dkfork.checked=false}) and bounds checks are disabled. The heap
 * twin's scores include the GC work its allocation causes; run with {@code -prof gc} to see it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsPrepend = {BenchSupport.ADD_EXPORTS, BenchSupport.CHECKED_OFF, BenchSupport.AGRONA_BOUNDS_OFF})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DupMmapBench {
    /** VMAs copied or torn down per invocation: a multiple of every {@code n}. */
    public static final int VMAS = 60_000;

    /** The number of VMAs of the parent mm. */
    @Param({"10", "100", "1000", "10000", "60000"})
    public int n;

    /** Where the structures live. */
    public enum Variant {
        /** The modeled machine: mm_struct and vm_area_struct off-heap. */
        OFFHEAP,
        /** The heap twin: HeapMm and HeapVma objects. */
        HEAP
    }

    /** OFFHEAP or HEAP. */
    @Param
    public Variant variant;

    /** APPEND (the kernel's) or STRUCTURAL. */
    @Param
    public DupMode mode;

    /** UNTOUCHED or ANON. */
    @Param({"UNTOUCHED", "ANON"})
    public String space;

    private Machine machine;
    OffHeapMmSystem offSys;
    long offParent;
    HeapMmSystem heapSys;
    AddressSpace heapParent;
    final long[] offChildren = new long[VMAS];
    final AddressSpace[] heapChildren = new AddressSpace[VMAS];
    int copies;

    /** Builds the parent address space. */
    @Setup(Level.Trial)
    public void setup() {
        if (VMAS % n != 0) {
            throw new IllegalArgumentException("n must divide " + VMAS + ": " + n);
        }
        copies = VMAS / n;
        AddressSpace parent;
        if (variant == Variant.OFFHEAP) {
            // Room for the parent and a whole invocation's copies (about 220 bytes a VMA with
            // its anon_vma chains), plus the page tables' pgd pages of the small-n copies.
            machine = Machine.create(1L << 30);
            offSys = OffHeapMmSystem.boot(machine);
            parent = offSys.mmAlloc();
            offParent = ((Mm) parent).address();
        } else {
            heapSys = new HeapMmSystem((1L << 30) >> PAGE_SHIFT);
            parent = heapSys.mmAlloc();
            heapParent = parent;
        }
        build(parent, n, "ANON".equals(space));
    }

    /**
     * n one-page private anonymous VMAs with alternating protections, optionally each written to
     * (then every VMA is writable, the protections alternating in PROT_EXEC).
     */
    static void build(AddressSpace mm, int n, boolean anon) {
        int even = anon ? PROT_READ | PROT_WRITE | PROT_EXEC : PROT_READ;
        for (int i = 0; i < n; i++) {
            long a = mm.mmap(0, PAGE_SIZE, i % 2 == 0 ? even : PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            if (a < 0) {
                throw new IllegalStateException("mmap #" + i + ": " + a);
            }
            if (anon && mm.touch(a, true) != 0) {
                throw new IllegalStateException("fault #" + i);
            }
        }
        if (mm.mapCount() != n) {
            throw new IllegalStateException("VMAs merged: " + mm.mapCount() + " != " + n);
        }
    }

    /** Tears the parent down. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (variant == Variant.OFFHEAP) {
            ForkMm.mmput(offSys, offParent);
            offSys.close();
            machine.close();
        } else {
            heapParent.mmput();
            heapSys.close();
        }
    }

    /** Makes VMAS / n copies of the parent: what {@link #dup} times and {@link #exit} tears down. */
    public void makeCopies() {
        for (int i = 0; i < copies; i++) {
            if (variant == Variant.OFFHEAP) {
                offChildren[i] = dupOffHeap();
            } else {
                heapChildren[i] = heapParent.dup(mode);
            }
        }
    }

    /** Tears down the copies: what {@link #exit} times, and the untimed cleanup after {@link #dup}. */
    public void dropCopies() {
        for (int i = 0; i < copies; i++) {
            if (variant == Variant.OFFHEAP) {
                if (offChildren[i] != 0) {
                    ForkMm.mmput(offSys, offChildren[i]);
                    offChildren[i] = 0;
                }
            } else if (heapChildren[i] != null) {
                heapChildren[i].mmput();
                heapChildren[i] = null;
            }
        }
    }

    private long dupOffHeap() {
        long child = ForkMm.dupMm(offSys, offParent, 0, mode);
        if (Errno.isError(child)) {
            throw new IllegalStateException("dup_mm failed: " + Errno.name((int) -child));
        }
        return child;
    }

    /** The untimed half of each benchmark: what {@code dup} made, or what {@code exit} needs. */
    @State(Scope.Thread)
    public static class Copies {
        /** Tears down after {@code dup}. */
        @TearDown(Level.Invocation)
        public void afterDup(DupMmapBench b) {
            b.dropCopies();
        }
    }

    /**
     * The benchmark thread owns CPU 0 of the off-heap machine while it measures ({@code Cpus.own}),
     * as a kernel task runs its per-CPU operations with preemption off: the slab freelists take
     * their plain paths. An iteration's setup claims it, so the claim is the measuring thread's.
     */
    @State(Scope.Thread)
    public static class OwnedCpu {
        Cpus.Owned owned;

        /** Claims CPU 0 for the off-heap variant. */
        @Setup(Level.Iteration)
        public void own(DupMmapBench b) {
            if (b.variant == Variant.OFFHEAP) {
                owned = Kmem.of(b.machine).cpus().own(0);
            }
        }

        /** Gives it up. */
        @TearDown(Level.Iteration)
        public void release() {
            if (owned != null) {
                owned.close();
                owned = null;
            }
        }
    }

    /** The copies that {@code exit} tears down, made before each invocation. */
    @State(Scope.Thread)
    public static class Prepared {
        /** Makes the copies before {@code exit}. */
        @Setup(Level.Invocation)
        public void beforeExit(DupMmapBench b) {
            b.makeCopies();
        }
    }

    /** dup_mm of the parent, VMAS / n times: the score is ns per VMA copied. */
    @Benchmark
    @OperationsPerInvocation(VMAS)
    public void dup(Copies c, OwnedCpu cpu) {
        makeCopies();
    }

    /** mmput of VMAS / n copies (exit_mmap, __mmdrop): the score is ns per VMA torn down. */
    @Benchmark
    @OperationsPerInvocation(VMAS)
    public void exit(Prepared p, OwnedCpu cpu) {
        dropCopies();
    }

    /**
     * Runs this class alone (JMH options from the command line, e.g. {@code -p n=10000 -prof gc}
     * override the annotations; the fork flags come from {@link BenchSupport#withForkFlags}), then
     * prints a table of ns per VMA.
     */
    public static void main(String[] args) throws RunnerException {
        CommandLineOptions cli;
        try {
            cli = new CommandLineOptions(args);
        } catch (org.openjdk.jmh.runner.options.CommandLineOptionException e) {
            throw new RunnerException(e);
        }
        ChainedOptionsBuilder b = BenchSupport.withForkFlags(cli);
        if (cli.getIncludes().isEmpty()) {
            b.include(BenchSupport.includeOf(DupMmapBench.class));
        }
        Options opts = b.build();
        Collection<RunResult> results = new Runner(opts).run();
        System.out.println();
        System.out.printf("%-6s %-8s %-11s %-10s %7s %10s%n", "op", "variant", "mode", "space", "n", "ns/VMA");
        for (RunResult r : results) {
            System.out.printf("%-6s %-8s %-11s %-10s %7s %10.1f%n", r.getParams().getBenchmark().replaceAll(".*\\.", ""),
                r.getParams().getParam("variant"), r.getParams().getParam("mode"), r.getParams().getParam("space"),
                r.getParams().getParam("n"), r.getPrimaryResult().getScore());
        }
    }
}
