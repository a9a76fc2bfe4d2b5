package org.kfork.api;

/**
 * What a kernel boots on: the modeled machine's RAM and CPUs and the seed of its random source. The
 * same configuration gives the same pid_max, threads-max and results on every host.
 *
 * @param ramBytes RAM of the modeled machine
 * @param nrCpus   modeled CPUs (1 to 64)
 * @param seed     the seed of the kernel's random source (stack canaries...)
 */
public record KernelConfig(long ramBytes, int nrCpus, long seed) {
    /** The seed used when none is given. */
    public static final long DEFAULT_SEED = 0x6b666f726bL;
    /** The default machine of {@code kfork run}: 1 GiB and 2 CPUs. */
    public static final KernelConfig DEFAULT = new KernelConfig(1L << 30, 2, DEFAULT_SEED);

    /** A configuration. */
    public KernelConfig {
        if (ramBytes < (1L << 20)) {
            throw new IllegalArgumentException("RAM must be at least 1 MiB: " + ramBytes);
        }
        if (nrCpus < 1 || nrCpus > 64) {
            throw new IllegalArgumentException("CPUs must be 1 to 64: " + nrCpus);
        }
    }

    /** This configuration with {@code bytes} of RAM. */
    public KernelConfig withRam(long bytes) {
        return new KernelConfig(bytes, nrCpus, seed);
    }

    /** This configuration with {@code cpus} CPUs. */
    public KernelConfig withCpus(int cpus) {
        return new KernelConfig(ramBytes, cpus, seed);
    }
}
