package org.kfork.alloc;

/**
 * A wrong kmem_cache_free caught by checked mode: a double free, a free of a pointer that is not an
 * object of the cache (a foreign or interior pointer), or a free of an object of another cache. The
 * message names the cache and the address; nothing was freed.
 */
public final class BadFreeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String cache;
    private final long address;

    BadFreeException(String cache, long address, String what) {
        super("BUG: KASAN: " + what + " in kmem_cache_free(" + cache + ", 0x" + Long.toHexString(address) + ")");
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
