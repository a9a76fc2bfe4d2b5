package org.kfork.api;

import java.util.List;
import java.util.Objects;

/**
 * What a kernel boots on: the modeled machine's RAM and CPUs, the seed of its random source, and
 * the image that pid 1 runs. The same configuration gives the same pid_max, threads-max and
 * results on every host.
 *
 * <p>Boot ends as 5.12's does: init_task (pid 0) runs kernel_init as pid 1, which execs the init
 * image; pid 1 is then a process with uid 0 and every capability, whose mm holds the image's
 * mappings and a stack.
 *
 * @param ramBytes  RAM of the modeled machine
 * @param nrCpus    modeled CPUs (1 to 64)
 * @param seed      the seed of the kernel's random source (stack canaries...)
 * @param initImage what pid 1 execs at the end of boot
 */
public record KernelConfig(long ramBytes, int nrCpus, long seed, ExecImage initImage) {
    /** The init image when none is given: no mapping of its own, only the stack execve adds. */
    public static final ExecImage DEFAULT_INIT = new ExecImage("init", List.of());
    /** The seed used when none is given. */
    public static final long DEFAULT_SEED = 0x6b666f726bL;
    /** The default machine of {@code kfork run}: 1 GiB and 2 CPUs. */
    public static final KernelConfig DEFAULT = new KernelConfig(1L << 30, 2, DEFAULT_SEED, DEFAULT_INIT);

    /** A configuration. */
    public KernelConfig {
        if (ramBytes < (1L << 20)) {
            throw new IllegalArgumentException("RAM must be at least 1 MiB: " + ramBytes);
        }
        if (nrCpus < 1 || nrCpus > 64) {
            throw new IllegalArgumentException("CPUs must be 1 to 64: " + nrCpus);
        }
        Objects.requireNonNull(initImage, "initImage");
    }

    /** This configuration with {@code bytes} of RAM. */
    public KernelConfig withRam(long bytes) {
        return new KernelConfig(bytes, nrCpus, seed, initImage);
    }

    /** This configuration with pid 1 running {@code image}. */
    public KernelConfig withInit(ExecImage image) {
        return new KernelConfig(ramBytes, nrCpus, seed, image);
    }

    /** This configuration with the random source seeded by {@code s}. */
    public KernelConfig withSeed(long s) {
        return new KernelConfig(ramBytes, nrCpus, s, initImage);
    }

    /** This configuration with {@code cpus} CPUs. */
    public KernelConfig withCpus(int cpus) {
        return new KernelConfig(ramBytes, cpus, seed, initImage);
    }
}
