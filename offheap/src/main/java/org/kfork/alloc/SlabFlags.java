package org.kfork.alloc;

import java.util.StringJoiner;

/**
 * The kmem_cache_create flags fork.c uses (include/linux/slab.h, 5.12 values), and SLAB_KASAN,
 * which the allocator sets itself and a caller may not pass.
 */
public final class SlabFlags {
    /** SLAB_HWCACHE_ALIGN: align objects to the cache line (halved while the object fits twice). */
    public static final int SLAB_HWCACHE_ALIGN = 0x0000_2000;
    /**
     * SLAB_RECLAIM_ACCOUNT: the objects count as reclaimable memory (__GFP_RECLAIMABLE pages);
     * recorded, with no effect on the geometry (the radix_tree_node cache has it).
     */
    public static final int SLAB_RECLAIM_ACCOUNT = 0x0002_0000;
    /** SLAB_PANIC: a failure to create the cache is fatal. */
    public static final int SLAB_PANIC = 0x0004_0000;
    /**
     * SLAB_TYPESAFE_BY_RCU: a freed object may be reused at once but only as the same type, so RCU
     * readers may still look at it; checked mode therefore does not poison its freed objects (as
     * KASAN does not).
     */
    public static final int SLAB_TYPESAFE_BY_RCU = 0x0008_0000;
    /** SLAB_ACCOUNT: objects are charged to the allocating task's memory cgroup (recorded). */
    public static final int SLAB_ACCOUNT = 0x0400_0000;

    /**
     * SLAB_KASAN: the cache has KASAN's metadata and redzone after each object (set by
     * kasan_cache_create on a machine with KASAN redzones; refused from callers, as it is not in
     * the kernel's SLAB_FLAGS_PERMITTED).
     */
    public static final int SLAB_KASAN = 0x0800_0000;

    /** The flags a caller may pass to kmem_cache_create (of those modeled here). */
    public static final int PERMITTED = SLAB_HWCACHE_ALIGN | SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_TYPESAFE_BY_RCU
        | SLAB_ACCOUNT;

    private static final int KNOWN = PERMITTED | SLAB_KASAN;

    private SlabFlags() {
    }

    /** True when {@code flags} holds only flags a caller may pass. */
    public static boolean valid(int flags) {
        return (flags & ~PERMITTED) == 0;
    }

    /** The flags by name, "HWCACHE_ALIGN|PANIC", or "0". */
    public static String describe(int flags) {
        StringJoiner j = new StringJoiner("|");
        if ((flags & SLAB_HWCACHE_ALIGN) != 0) {
            j.add("HWCACHE_ALIGN");
        }
        if ((flags & SLAB_RECLAIM_ACCOUNT) != 0) {
            j.add("RECLAIM_ACCOUNT");
        }
        if ((flags & SLAB_PANIC) != 0) {
            j.add("PANIC");
        }
        if ((flags & SLAB_TYPESAFE_BY_RCU) != 0) {
            j.add("TYPESAFE_BY_RCU");
        }
        if ((flags & SLAB_ACCOUNT) != 0) {
            j.add("ACCOUNT");
        }
        if ((flags & SLAB_KASAN) != 0) {
            j.add("KASAN");
        }
        if ((flags & ~KNOWN) != 0) {
            j.add("0x" + Integer.toHexString(flags & ~KNOWN));
        }
        return j.length() == 0 ? "0" : j.toString();
    }
}
