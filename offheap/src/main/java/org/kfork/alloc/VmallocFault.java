package org.kfork.alloc;

/**
 * An access to a vmalloc address with no page behind it: a guard page (a stack overflow), a freed
 * area, or an address never mapped. The kernel takes a page fault and oopses; kfork throws.
 */
public final class VmallocFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long address;

    VmallocFault(long address, String what) {
        super("BUG: unable to handle page fault for address: 0x" + Long.toHexString(address) + " (" + what + ")");
        this.address = address;
    }

    /** The faulting vmalloc address. */
    public long address() {
        return address;
    }
}
