package org.kfork.bench;

import static org.kfork.mm.Mman.*;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.kfork.bench.harness.BenchSupport;
import org.kfork.heap.mm.HeapMmSystem;
import org.kfork.kernel.mm.Mm;
import org.kfork.kernel.mm.OffHeapMmSystem;
import org.kfork.machine.Machine;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
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
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * dup_mm of an mm with {@code n} VMAs, then the teardown of the copy (mmput: exit_mmap, __mmdrop),
 * per operation. The score is nanoseconds per dup+teardown; divide by {@code n} for ns per VMA
 * ({@link #main} prints that column; JMH cannot take a per-parameter ops-per-invocation).
 *
 * <ul>
 *   <li>{@code variant}: OFFHEAP_APPEND (the kernel's dup_mmap: each copy linked at the right end of
 *       the tree), OFFHEAP_STRUCTURAL (the O(n) structural clone of the parent's tree), and the heap
 *       twin in both modes.</li>
 *   <li>{@code space}: UNTOUCHED, private anonymous VMAs never faulted (no anon_vma, the kernel
 *       anchor's case); ANON, the same after a write fault in each (anon_vma_prepare). Neighbours
 *       differ only in protection, so, as in the kernel, they may share one anon_vma
 *       (find_mergeable_anon_vma ignores the access bits); the child still gets one anon_vma and two
 *       chains per VMA from anon_vma_fork.</li>
 *   <li>Protections alternate (PROT_READ, PROT_READ|PROT_WRITE), so no two VMAs merge.</li>
 * </ul>
 * Checked mode is off ({@code -Dkfork.checked=false}) and bounds checks are disabled.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DupMmapBench {
    /** The number of VMAs of the parent mm. */
    @Param({"10", "100", "1000", "10000", "60000"})
    public int n;

    /** Representation and dup mode. */
    @Param({"OFFHEAP_APPEND", "OFFHEAP_STRUCTURAL", "HEAP_APPEND", "HEAP_STRUCTURAL"})
    public String variant;

    /** UNTOUCHED or ANON. */
    @Param({"UNTOUCHED", "ANON"})
    public String space;

    private Machine machine;
    private OffHeapMmSystem offSys;
    private long offParent;
    private HeapMmSystem heapSys;
    private AddressSpace heapParent;
    private DupMode mode;
    private boolean offheap;

    /** Builds the parent address space. */
    @Setup(Level.Trial)
    public void setup() {
        offheap = variant.startsWith("OFFHEAP");
        mode = variant.endsWith("STRUCTURAL") ? DupMode.STRUCTURAL : DupMode.APPEND;
        AddressSpace parent;
        if (offheap) {
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

    /** n one-page private anonymous VMAs with alternating protections, optionally each faulted. */
    static void build(AddressSpace mm, int n, boolean anon) {
        for (int i = 0; i < n; i++) {
            long a = mm.mmap(0, PAGE_SIZE, i % 2 == 0 ? PROT_READ : PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            if (a < 0) {
                throw new IllegalStateException("mmap #" + i + ": " + a);
            }
            if (anon && mm.touch(a) != 0) {
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
        if (offheap) {
            Mm.mmput(offSys, offParent);
            offSys.close();
            machine.close();
        } else {
            heapParent.mmput();
            heapSys.close();
        }
    }

    /** dup_mm then mmput of the copy. */
    @Benchmark
    public void dupMmAndTeardown() {
        if (offheap) {
            long child = Mm.dupMm(offSys, offParent, 0, mode);
            if (child == 0) {
                throw new IllegalStateException("dup_mm failed");
            }
            Mm.mmput(offSys, child);
        } else {
            heapParent.dup(mode).mmput();
        }
    }

    /**
     * Runs this class alone (JMH options from the command line, e.g. {@code -p n=10000 -prof gc}
     * override the annotations; the fork flags come from {@link BenchSupport#forkJvmArgs()}), then
     * prints ns per VMA.
     */
    public static void main(String[] args) throws RunnerException {
        CommandLineOptions cli;
        try {
            cli = new CommandLineOptions(args);
        } catch (org.openjdk.jmh.runner.options.CommandLineOptionException e) {
            throw new RunnerException(e);
        }
        List<String> jvm = new ArrayList<>(cli.getJvmArgsAppend().orElse(List.of()));
        jvm.addAll(BenchSupport.forkJvmArgs());
        ChainedOptionsBuilder b = new OptionsBuilder().parent(cli).jvmArgsAppend(jvm.toArray(new String[0]));
        if (cli.getIncludes().isEmpty()) {
            b.include("^" + java.util.regex.Pattern.quote(DupMmapBench.class.getName()) + "\\.");
        }
        Options opts = b.build();
        Collection<RunResult> results = new Runner(opts).run();
        System.out.println();
        System.out.printf("%-20s %-10s %7s %14s %12s%n", "variant", "space", "n", "ns/dup+exit", "ns/VMA");
        for (RunResult r : results) {
            int n = Integer.parseInt(r.getParams().getParam("n"));
            double score = r.getPrimaryResult().getScore();
            System.out.printf("%-20s %-10s %7d %14.0f %12.1f%n", r.getParams().getParam("variant"),
                r.getParams().getParam("space"), n, score, score / n);
        }
    }
}
