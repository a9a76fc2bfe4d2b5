package org.kfork.kernel.cred;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.kernel.Globals;
import org.kfork.kernel.pid.PidNamespaces;
import org.kfork.machine.Machine;
import org.kfork.sched.Limits;
import org.kfork.testing.LeakCheck;

/**
 * What the credential and namespace suites share: a booted 64 MiB, 2-CPU machine per test (its
 * leak check compares every counter with the baseline taken after boot), and the two variants
 * behind {@link CredVariant}. The heap variant boots a HeapGlobals of the same RAM and CPUs and,
 * when closed, insists that its live objects are back at their count after boot (once the RCU
 * callbacks have run).
 */
public abstract class CredFixture {
    /** 64 MiB in pages: max_threads 512, so every ucount limit is 256. */
    protected static final long PAGES = 16384;
    protected static final int CPUS = 2;

    /** The two kernels. */
    public enum Kind { OFFHEAP, HEAP }

    protected final Machine machine = Machine.builder().ram(PAGES * 4096).cpus(CPUS).build();
    protected final Globals g = bootWithPidCaches(machine);

    /** Registered first, so it runs after the leak check: closes the machine (and the kernel with it). */
    @RegisterExtension
    final AfterEachCallback teardown = ctx -> machine.close();
    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> machine);

    /**
     * Boots the off-heap kernel and makes every pid_N cache at once (create_pid_cachep's caches live
     * for ever), before the leak check takes its baseline, so that a new pid namespace adds none.
     */
    private static Globals bootWithPidCaches(Machine machine) {
        final Globals g = Globals.boot(machine);
        for (int level = 1; level <= Limits.MAX_PID_NS_LEVEL; level++) {
            PidNamespaces.createPidCachep(g, level);
        }
        return g;
    }

    /** The variant of {@code kind}, to be closed by the test (try-with-resources). */
    protected CredVariant open(Kind kind) {
        return kind == Kind.OFFHEAP ? new OffHeapCredVariant(g) : new HeapCredVariant(PAGES, CPUS);
    }
}
