package org.kfork.machine;

/**
 * A bad memory access caught by checked mode ({@link Kasan}): outside RAM, into memory no
 * allocator handed out, into a freed object, or a misaligned atomic. The message names the
 * address, the size, the kind of access and what lies there. The access did not happen.
 */
public final class BadAccessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long address;
    private final long size;
    private final String bug;

    BadAccessException(String bug, long address, long size, String message) {
        super(message);
        this.bug = bug;
        this.address = address;
        this.size = size;
    }

    /** The modeled address of the first byte of the access. */
    public long address() {
        return address;
    }

    /** The size of the access in bytes. */
    public long size() {
        return size;
    }

    /** The bug class, as KASAN names it: "use-after-free", "out-of-bounds", "wild-memory-access"... */
    public String bug() {
        return bug;
    }
}
