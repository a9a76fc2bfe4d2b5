package org.kfork.bench.harness;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A tiny suite for the harness tests (test sources only, so it never appears in benchmarks.jar):
 * summing an array of n longs, as a plain array (OFFHEAP stands in), a boxed array (HEAP) and a
 * loop the JIT may vectorise (BASELINE). It follows the naming convention the report expects.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TinyBench {
    /** The representations compared. */
    public enum Variant { OFFHEAP, HEAP, BASELINE }

    /** Elements summed per op. */
    @Param({"16", "256"})
    public int n;

    /** Which representation. */
    @Param
    public Variant variant;

    private long[] plain;
    private Long[] boxed;

    /** Fills the arrays. */
    @Setup
    public void setUp() {
        plain = new long[n];
        boxed = new Long[n];
        for (int i = 0; i < n; i++) {
            plain[i] = i * 31L;
            boxed[i] = plain[i];
        }
    }

    /** Sums the n elements. */
    @Benchmark
    public long sum() {
        long s = 0;
        switch (variant) {
            case HEAP:
                for (Long v : boxed) {
                    s += v;
                }
                return s;
            case BASELINE:
                for (long v : plain) {
                    s += v;
                }
                return s;
            default:
                for (int i = 0; i < plain.length; i++) {
                    s += plain[i];
                }
                return s;
        }
    }
}
