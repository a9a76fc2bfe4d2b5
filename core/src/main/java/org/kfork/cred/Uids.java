package org.kfork.cred;

/**
 * User and group ids as the kernel keeps them (include/linux/uidgid.h) and the uid hash of
 * kernel/user.c (5.12). With CONFIG_USER_NS off every kuid_t is the plain 32-bit uid, so a uid is
 * an {@code int} read as unsigned.
 */
public final class Uids {
    /** GLOBAL_ROOT_UID. */
    public static final int GLOBAL_ROOT_UID = 0;
    /** GLOBAL_ROOT_GID. */
    public static final int GLOBAL_ROOT_GID = 0;
    /** INVALID_UID: (uid_t) -1, which setresuid reads as "leave unchanged". */
    public static final int INVALID_UID = -1;
    /** INVALID_GID. */
    public static final int INVALID_GID = -1;

    /** UIDHASH_BITS (CONFIG_BASE_SMALL=0). */
    public static final int UIDHASH_BITS = 7;
    /** UIDHASH_SZ: buckets of uidhash_table. */
    public static final int UIDHASH_SZ = 1 << UIDHASH_BITS;
    private static final int UIDHASH_MASK = UIDHASH_SZ - 1;

    private Uids() {
    }

    /** uid_valid / gid_valid. */
    public static boolean valid(int id) {
        return id != INVALID_UID;
    }

    /** __uidhashfn: the bucket of {@code uid} in uidhash_table. */
    public static int uidhashfn(int uid) {
        return (int) ((((uid & 0xffffffffL) >>> UIDHASH_BITS) + (uid & 0xffffffffL)) & UIDHASH_MASK);
    }
}
