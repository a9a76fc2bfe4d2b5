package org.kfork.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.kfork.uapi.Errno;

/**
 * What a stress run tried and what it found, shared by its phases and their threads: calls made
 * (each kernel counts its own), results by call and errno, injected faults, and every finding
 * (a mismatch, a bad access, a leak, an escaped exception, an errno 5.12 cannot return, a hang).
 * A clean run has no finding.
 */
public final class Tally {
    /** The kinds of finding; each must stay at 0. */
    public enum Finding {
        /** The two kernels disagreed on a result, a transcript, a tree, a status, maps or counts. */
        MISMATCH,
        /** Checked mode raised a BadAccessException. */
        BAD_ACCESS,
        /** Objects, pages or counters not back at their baseline at teardown. */
        LEAK,
        /** Any other exception out of the kernel. */
        EXCEPTION,
        /** A result that is neither success nor an errno 5.12 returns for that call. */
        BAD_ERRNO,
        /** A call or a run that did not end in time. */
        HANG
    }

    private final LongAdder calls = new LongAdder();
    private final LongAdder scenarios = new LongAdder();
    private final LongAdder faults = new LongAdder();
    private final Map<String, LongAdder> results = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> phaseCalls = new ConcurrentHashMap<>();
    private final Map<Finding, AtomicLong> findings = new ConcurrentHashMap<>();
    private final List<String> details = new ArrayList<>();
    /** The details kept of each kind of finding. */
    static final int DETAILS_PER_KIND = 20;

    /** Counts {@code n} system calls made by {@code phase}. */
    public void calls(String phase, long n) {
        calls.add(n);
        phaseCalls.computeIfAbsent(phase, k -> new LongAdder()).add(n);
    }

    /** Counts one result of {@code call}: "ok" for a success, else the errno's name. */
    public void result(String call, long r) {
        final String key = call + " " + (r >= 0 ? "ok" : r < -Errno.MAX_ERRNO ? "killed" : Errno.name((int) -r));
        results.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    /** Counts a scenario run (on both kernels). */
    public void scenario() {
        scenarios.increment();
    }

    /** Counts {@code n} injected allocation failures. */
    public void faults(long n) {
        faults.add(n);
    }

    /** Records a finding, with what reproduces it. */
    public void finding(Finding kind, String detail) {
        final long nth = findings.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        synchronized (details) {
            // the first ones of each kind say it, the count says how many: a kind never loses its
            // detail to another's (the 10-minute run's hang lost its thread dump to 50 mismatches)
            if (nth <= DETAILS_PER_KIND) {
                details.add(kind + ": " + detail);
            }
        }
    }

    /** System calls made so far (both kernels). */
    public long calls() {
        return calls.sum();
    }

    /** Scenarios run so far. */
    public long scenarios() {
        return scenarios.sum();
    }

    /** Faults injected so far. */
    public long faults() {
        return faults.sum();
    }

    /** How many findings of {@code kind}. */
    public long findings(Finding kind) {
        final AtomicLong n = findings.get(kind);
        return n == null ? 0 : n.get();
    }

    /** Every finding of every kind. */
    public long findings() {
        long n = 0;
        for (Finding f : Finding.values()) {
            n += findings(f);
        }
        return n;
    }

    /** Results by "call errno", sorted. */
    public Map<String, Long> results() {
        final Map<String, Long> m = new TreeMap<>();
        results.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** Calls by phase, sorted. */
    public Map<String, Long> phaseCalls() {
        final Map<String, Long> m = new TreeMap<>();
        phaseCalls.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** The first findings, as recorded. */
    public List<String> details() {
        synchronized (details) {
            return List.copyOf(details);
        }
    }
}
