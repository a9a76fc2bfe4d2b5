package org.kfork.bench;

import java.util.concurrent.TimeUnit;

import org.agrona.UnsafeApi;
import org.kfork.bench.harness.BenchSupport;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.VmFlags;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
import org.openjdk.jmh.runner.RunnerException;

/**
 * What a modeled-address field read costs: {@code vma->vm_flags} through the memory facade
 * ({@link Mem#getLong}) against a raw Unsafe read at the same host address and a heap twin's
 * field read. The goal: OFFHEAP at most 1.1x RAW_UNSAFE.
 *
 * <ul>
 *   <li>{@code read}: one vm_flags read of one VMA per op.</li>
 *   <li>{@code scan}: vm_flags of 64 VMAs per invocation, laid out 200 bytes apart as a slab of
 *       vm_area_struct would hold them; reported per read.</li>
 * </ul>
 * The variant switch sits outside each loop so it costs the same for every variant, and is
 * amortised in {@code scan}.
 *
 * <p>Run alone: {@code java -cp bench/target/benchmarks.jar org.kfork.bench.FieldAccessBench}
 * (JMH options may follow); the JVM flags come from {@link BenchSupport}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsPrepend = {BenchSupport.ADD_EXPORTS, BenchSupport.CHECKED_OFF, BenchSupport.AGRONA_BOUNDS_OFF})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FieldAccessBench {
    /**
     * offsetof(struct vm_area_struct, vm_flags), 80, from the layout class as kfork code reads it:
     * a static final the JIT folds, which is part of what is measured.
     */
    static final long VM_FLAGS = VmAreaStruct.VM_FLAGS;
    /** sizeof(struct vm_area_struct), 200 in 5.12: the stride of a slab of VMAs. */
    static final long VMA_SIZE = VmAreaStruct.SIZEOF;
    /** VMAs read per {@code scan} invocation. */
    static final int SCAN = 64;

    /** Where the field lives. */
    public enum Variant {
        /** A modeled vm_area_struct in the machine's RAM, read through {@link Mem}. */
        OFFHEAP,
        /** The same bytes read with Agrona's UnsafeApi at the host address: the floor. */
        RAW_UNSAFE,
        /** A heap twin object's {@code long} field. */
        HEAP
    }

    /** Which representation is read. */
    @Param
    public Variant variant;

    /**
     * A minimal heap twin of vm_area_struct up to vm_flags, the fields in kernel order (core's
     * HeapVma will replace it once it exists; the read is the same {@code getfield}).
     */
    static final class VmaTwin {
        long vmStart;
        long vmEnd;
        VmaTwin vmNext;
        VmaTwin vmPrev;
        long rbParentColor;
        VmaTwin rbRight;
        VmaTwin rbLeft;
        long rbSubtreeGap;
        Object vmMm;
        long vmPageProt;
        long vmFlags;
    }

    private Machine machine;
    private long block;
    private long vma;
    private long vmaHost;
    private VmaTwin twin;
    private final long[] vmas = new long[SCAN];
    private final long[] hosts = new long[SCAN];
    private final VmaTwin[] twins = new VmaTwin[SCAN];

    /** Lays out 64 VMAs in one order-2 block of a small machine, and their heap twins. */
    @Setup
    public void setUp() {
        machine = Machine.create(16L << 20);
        block = machine.pages().allocPages(2);
        if (block == 0) {
            throw new IllegalStateException("no memory for the VMAs");
        }
        if (VM_FLAGS != 80 || VMA_SIZE != 200) {
            throw new IllegalStateException("vm_area_struct layout changed: vm_flags at " + VM_FLAGS
                + ", size " + VMA_SIZE);
        }
        for (int i = 0; i < SCAN; i++) {
            long addr = block + i * VMA_SIZE;
            long flags = VmFlags.VM_READ | VmFlags.VM_MAYREAD | (i & 1) * VmFlags.VM_WRITE;
            Mem.putLong(addr + VmAreaStruct.VM_START, 0x7f00_0000_0000L + i * 4096L);
            Mem.putLong(addr + VmAreaStruct.VM_END, 0x7f00_0000_0000L + (i + 1) * 4096L);
            Mem.putLong(addr + VM_FLAGS, flags);
            vmas[i] = addr;
            hosts[i] = Mem.toHost(addr);
            VmaTwin t = new VmaTwin();
            t.vmStart = Mem.getLong(addr + VmAreaStruct.VM_START);
            t.vmEnd = Mem.getLong(addr + VmAreaStruct.VM_END);
            t.vmFlags = flags;
            if (i > 0) {
                t.vmPrev = twins[i - 1];
                twins[i - 1].vmNext = t;
            }
            twins[i] = t;
        }
        vma = vmas[0];
        vmaHost = hosts[0];
        twin = twins[0];
    }

    /** Gives the block back and closes the machine. */
    @TearDown
    public void tearDown() {
        machine.pages().freePages(block, 2);
        machine.close();
    }

    /** One read of vma->vm_flags. */
    @Benchmark
    public long read() {
        switch (variant) {
            case OFFHEAP:
                return Mem.getLong(vma + VM_FLAGS);
            case RAW_UNSAFE:
                // The one place outside org.kfork.machine.Mem that calls UnsafeApi: the baseline
                // the facade is measured against must bypass the facade.
                return UnsafeApi.getLong(vmaHost + VM_FLAGS);
            default:
                return twin.vmFlags;
        }
    }

    /** vm_flags of 64 VMAs, OR-ed together; the score is per read. */
    @Benchmark
    @OperationsPerInvocation(SCAN)
    public long scan() {
        long acc = 0;
        switch (variant) {
            case OFFHEAP:
                for (long a : vmas) {
                    acc |= Mem.getLong(a + VM_FLAGS);
                }
                return acc;
            case RAW_UNSAFE:
                // Raw baseline, as in read().
                for (long h : hosts) {
                    acc |= UnsafeApi.getLong(h + VM_FLAGS);
                }
                return acc;
            default:
                for (VmaTwin t : twins) {
                    acc |= t.vmFlags;
                }
                return acc;
        }
    }

    /** Runs this class alone with the project's JVM flags; JMH options may follow. */
    public static void main(String[] args) throws RunnerException {
        BenchSupport.runAlone(FieldAccessBench.class, args);
    }
}
