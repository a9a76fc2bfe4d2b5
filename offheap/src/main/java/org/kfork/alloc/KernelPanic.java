package org.kfork.alloc;

/**
 * "Kernel panic - not syncing": a failure the kernel treats as fatal, such as a SLAB_PANIC cache
 * that cannot be created. An Error, because nothing should catch and continue.
 */
public final class KernelPanic extends Error {
    private static final long serialVersionUID = 1L;

    /** A panic with the kernel-style message. */
    public KernelPanic(String message) {
        super("Kernel panic - not syncing: " + message);
    }
}
