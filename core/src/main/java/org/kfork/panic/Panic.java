package org.kfork.panic;

import org.kfork.api.KernelPanicException;

/**
 * kernel/panic.c (5.12), for a model that cannot stop its machine: panic() records that the
 * kernel panicked and gives the exception the panicking call throws; from then on the syscall
 * layers refuse every call ({@link KernelPanicException#after}). One per kernel, shared by both
 * representations (nothing in it depends on one).
 *
 * <p>Invariant: the first panic's message stays; a later one (none is expected: no call runs)
 * does not replace it.
 */
public final class Panic {
    private volatile String message;

    /** panic(fmt...): the machine is dead from now on; returns the exception to throw. */
    public KernelPanicException panic(String msg) {
        if (message == null) {
            message = msg;
        }
        return new KernelPanicException(msg);
    }

    /** The first panic's message, or null while the kernel runs. */
    public String message() {
        return message;
    }

    /** Whether the kernel panicked. */
    public boolean panicked() {
        return message != null;
    }

    /** What a call made after the panic throws. */
    public KernelPanicException refuse() {
        return KernelPanicException.after(message);
    }
}
