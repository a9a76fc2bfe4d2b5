package org.kfork.api;

/**
 * The modeled kernel panicked (5.12's panic(): "Kernel panic - not syncing"), as it does when the
 * last thread of the global init exits ("Attempted to kill init!"). The machine is dead: the call
 * during which it panicked throws this, and so does every later call ({@link #after}); the views
 * ({@link KernelView}) still read the dead machine, as crash reads a vmcore, and
 * {@link Kernel#close} still tears it down and checks it for leaks. A user script can make init
 * exit, so this is a defined outcome of a run, not a bug of the kernel.
 */
public final class KernelPanicException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String panic;

    /** The panic itself, with the kernel's message ({@code Attempted to kill init! exitcode=0x...}). */
    public KernelPanicException(String panic) {
        this(panic, "Kernel panic - not syncing: " + panic);
    }

    private KernelPanicException(String panic, String text) {
        super(text);
        this.panic = panic;
    }

    /** What a call made after the panic throws. */
    public static KernelPanicException after(String panic) {
        return new KernelPanicException(panic, "the kernel panicked earlier (" + panic + "): the machine is dead");
    }

    /** The panic's message, without the prefix. */
    public String panic() {
        return panic;
    }
}
