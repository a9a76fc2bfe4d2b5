package org.kfork.alloc;

/**
 * A wrong kmem_cache_free: in both modes, a pointer that is in no slab of the cache (a page that
 * is no slab, another cache's object) or an object that already heads the CPU's freelist; in
 * checked mode also any double free, a free of an object never allocated ("invalid-free") and a
 * pointer into the middle of an object. The message names the cache and the address; nothing was
 * freed and nothing was written.
 */
public final class BadFreeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String cache;
    private final long address;

    /**
     * @param kasan whether checked mode found it (the message then reads as a KASAN report)
     * @param what  the kind of bug and its details, e.g. "double-free"
     */
    BadFreeException(String cache, long address, boolean kasan, String what) {
        super((kasan ? "BUG: KASAN: " : "BUG: ") + what + " in kmem_cache_free(" + cache + ", 0x"
            + Long.toHexString(address) + ")");
        this.cache = cache;
        this.address = address;
    }

    /** The cache the free was addressed to. */
    public String cache() {
        return cache;
    }

    /** The pointer that was passed. */
    public long address() {
        return address;
    }
}
