package org.kfork.alloc;

import java.util.List;

/**
 * kmem_cache_destroy of a cache that still has live objects. The kernel refuses and keeps the cache
 * ("Slab cache still has objects"); so does kfork, and the message lists every leaked object.
 */
public final class SlabLeakException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String cache;
    private final transient List<Long> leaked;

    SlabLeakException(String cache, List<Long> leaked) {
        super(message(cache, leaked));
        this.cache = cache;
        this.leaked = List.copyOf(leaked);
    }

    /** The cache's name. */
    public String cache() {
        return cache;
    }

    /** The addresses of the objects still allocated. */
    public List<Long> leaked() {
        return leaked;
    }

    private static String message(String cache, List<Long> leaked) {
        StringBuilder sb = new StringBuilder("kmem_cache_destroy ").append(cache)
            .append(": Slab cache still has objects (").append(leaked.size()).append("):");
        for (long a : leaked) {
            sb.append("\n  object 0x").append(Long.toHexString(a)).append(" of cache ").append(cache);
        }
        return sb.toString();
    }
}
