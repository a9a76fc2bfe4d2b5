package org.kfork.uapi;

/**
 * Bits of a robust/PI futex word (include/uapi/linux/futex.h). fork.c needs only the tid mask:
 * a thread id must fit in it, so it bounds max_threads.
 */
public final class Futex {
    /** The bits of a futex word that hold the owner's tid. */
    public static final int FUTEX_TID_MASK = 0x3fffffff;
    /** Set in a futex word when waiters are queued in the kernel. */
    public static final int FUTEX_WAITERS = 0x80000000;
    /** Set in a robust futex word when its owner died holding it. */
    public static final int FUTEX_OWNER_DIED = 0x40000000;

    private Futex() {
    }
}
