package org.kfork.alloc;

import org.kfork.uapi.Errno;

/**
 * kmem_cache_create failed: the errno the kernel's kmem_cache_create_usercopy would have ended with
 * (it returns NULL and logs "kmem_cache_create(NAME) failed with error -22"), and why. Thrown only
 * by {@link SlabCaches#createOrThrow} and {@link SlabCaches#createUsercopyOrThrow}; the plain
 * {@link SlabCaches#create} keeps the kernel's contract and returns null.
 */
public final class SlabCreateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String cache;
    private final int errno;
    private final String reason;

    SlabCreateException(String cache, int errno, String reason) {
        super("kmem_cache_create(" + cache + ") failed with error " + (-errno) + " (" + Errno.name(errno) + "): "
            + reason);
        this.cache = cache;
        this.errno = errno;
        this.reason = reason;
    }

    /** The name of the cache that was asked for. */
    public String cache() {
        return cache;
    }

    /** The positive errno: {@link Errno#EINVAL} or {@link Errno#ENOMEM}. */
    public int errno() {
        return errno;
    }

    /** What was wrong, e.g. "size 0 outside 1..4194296". */
    public String reason() {
        return reason;
    }
}
