package org.kfork.heap.signal;

/**
 * The heap twin of {@code struct k_sigaction} (with its one member, {@code struct sigaction sa},
 * flattened): a signal's disposition in a sighand_struct.
 */
public final class HeapKSigaction {
    /** {@code sa.sa_handler}: SIG_DFL, SIG_IGN or a user address. */
    public long saHandler;
    /** {@code sa.sa_flags}. */
    public long saFlags;
    /** {@code sa.sa_restorer}. */
    public long saRestorer;
    /** {@code sa.sa_mask}. */
    public long saMask;

    /** A zeroed action: SIG_DFL, no flags, no restorer, empty mask. */
    public HeapKSigaction() {
    }

    /** {@code *this = *src}: the struct assignment the kernel does. */
    public void copyFrom(HeapKSigaction src) {
        saHandler = src.saHandler;
        saFlags = src.saFlags;
        saRestorer = src.saRestorer;
        saMask = src.saMask;
    }
}
