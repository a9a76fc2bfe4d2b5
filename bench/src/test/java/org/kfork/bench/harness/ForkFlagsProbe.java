package org.kfork.bench.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A benchmark for {@link JmhMainTest} (test sources only): in its fork it writes to a page of a
 * modeled machine through the memory facade, which fails with IllegalAccessError unless the fork
 * got Agrona's export, and then writes the fork's JVM arguments, one per line, to the file named
 * by {@code -Dkfork.probe.out}. Unlike the real suites it has no {@code @Fork(jvmArgsPrepend)}:
 * whatever flags it gets come from the launcher.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
public class ForkFlagsProbe {
    /** The first line of the output file once the memory facade worked. */
    static final String MEM_OK = "mem: ok";

    /** Touches RAM through Agrona, then records the JVM arguments. */
    @Setup
    public void probe() throws IOException {
        long value;
        try (Machine m = Machine.create(8L << 20)) {
            long page = m.pages().allocPage();
            Mem.putLong(page, 0x5eed);
            value = Mem.getLong(page);
            m.pages().freePage(page);
        }
        String out = System.getProperty("kfork.probe.out");
        if (out != null) {
            List<String> lines = new ArrayList<>();
            lines.add(value == 0x5eed ? MEM_OK : "mem: read " + value);
            lines.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            Files.write(Path.of(out), lines);
        }
    }

    /** Nothing to measure. */
    @Benchmark
    public int noop() {
        return 1;
    }
}
