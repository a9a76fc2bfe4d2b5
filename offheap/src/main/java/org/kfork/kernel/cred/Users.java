package org.kfork.kernel.cred;

import org.kfork.alloc.SlabFlags;
import org.kfork.cred.Uids;
import org.kfork.ds.HList;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Refcount;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.NsCommon;
import org.kfork.kernel.struct.RatelimitState;
import org.kfork.kernel.struct.RwSemaphore;
import org.kfork.kernel.struct.UidGidExtent;
import org.kfork.kernel.struct.UidGidMap;
import org.kfork.kernel.struct.UserNamespace;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.machine.Mem;
import org.kfork.nsproxy.NsRules;

/**
 * kernel/user.c (5.12): the user cache. One {@code user_struct} per uid that some cred points at,
 * found through the uid hash, counting that user's processes (copy_process checks them against
 * RLIMIT_NPROC). Also the two statics of that file: {@code root_user} and {@code init_user_ns},
 * which exists with CONFIG_USER_NS off as the only user namespace.
 *
 * <p>Invariants: a user_struct is in the hash exactly while its __count is above zero; the last
 * free_uid unhashes it under uidhash_lock before freeing it, so alloc_uid never finds a dying one;
 * root_user is static, hashed at boot and never freed (init_cred holds it). uidhash_lock is a real
 * spinlock in the kernel image; 5.12 takes it with interrupts off, which the model has no need of.
 */
public final class Users {
    /** USERNS_INIT_FLAGS: USERNS_SETGROUPS_ALLOWED. */
    static final long USERNS_INIT_FLAGS = 1L;
    /** The count of each extent of init_user_ns's maps: every id but (u32) -1. */
    private static final int ALL_IDS = 0xFFFFFFFF;
    /** HZ (CONFIG_HZ=1000): alloc_uid's ratelimit interval. */
    private static final int HZ = 1000;
    /** alloc_uid's ratelimit burst: 100 messages per interval. */
    private static final int UID_RATELIMIT_BURST = 100;
    /** RATELIMIT_MSG_ON_RELEASE. */
    private static final long RATELIMIT_MSG_ON_RELEASE = 1L;

    private Users() {
    }

    /**
     * The statics of kernel/user.c, laid down at boot before anything reads them (5.12 initialises
     * them at compile time): init_user_ns with identity maps, its refcount of 3 and its fixed
     * inode number; root_user with one reference (init_cred's) and one process (init_task's).
     * fork_init writes init_user_ns's ucount_max[] later.
     */
    static void userStatics(Globals g) {
        final long ns = g.image.alloc(UserNamespace.SIZEOF, UserNamespace.ALIGNOF);
        for (long map : new long[] {UserNamespace.UID_MAP, UserNamespace.GID_MAP, UserNamespace.PROJID_MAP}) {
            final long m = ns + map;
            Mem.putInt(m + UidGidMap.NR_EXTENTS, 1);
            Mem.putInt(m + UidGidMap.EXTENT + UidGidExtent.FIRST, 0);
            Mem.putInt(m + UidGidMap.EXTENT + UidGidExtent.LOWER_FIRST, 0);
            Mem.putInt(m + UidGidMap.EXTENT + UidGidExtent.COUNT, ALL_IDS);
        }
        Refcount.set(ns + UserNamespace.NS + NsCommon.COUNT, 3);
        Mem.putInt(ns + UserNamespace.OWNER, Uids.GLOBAL_ROOT_UID);
        Mem.putInt(ns + UserNamespace.GROUP, Uids.GLOBAL_ROOT_GID);
        Mem.putInt(ns + UserNamespace.NS + NsCommon.INUM, NsRules.PROC_USER_INIT_INO);
        Mem.putLong(ns + UserNamespace.FLAGS, USERNS_INIT_FLAGS);
        IntrusiveList.init(ns + UserNamespace.KEYRING_NAME_LIST);
        IntrusiveList.init(ns + UserNamespace.KEYRING_SEM + RwSemaphore.WAIT_LIST);
        g.initUserNs = ns;

        final long root = g.image.alloc(UserStruct.SIZEOF, UserStruct.ALIGNOF);
        Refcount.set(root + UserStruct.__COUNT, 1);
        Mem.putInt(root + UserStruct.PROCESSES, 1);
        Mem.putInt(root + UserStruct.UID, Uids.GLOBAL_ROOT_UID);
        g.rootUser = root;

        g.uidhashTable = g.image.alloc((long) Uids.UIDHASH_SZ * HList.SIZEOF_HEAD, HList.SIZEOF_HEAD);
        g.uidhashLock = g.image.alloc(Integer.BYTES, Integer.BYTES);
    }

    /**
     * uid_cache_init: the uid_cache, empty hash buckets, and root_user hashed (init already runs
     * as root).
     */
    static void uidCacheInit(Globals g) {
        g.uidCachep = g.kmem.slabs().create("uid_cache", (int) UserStruct.SIZEOF, 0,
            SlabFlags.SLAB_HWCACHE_ALIGN | SlabFlags.SLAB_PANIC, null);
        for (int n = 0; n < Uids.UIDHASH_SZ; n++) {
            HList.initHead(uidhashentry(g, n));
        }
        Spinlock.init(g.uidhashLock);
        Spinlock.lock(g.uidhashLock);
        uidHashInsert(g.rootUser, uidhashentry(g, Uids.uidhashfn(Uids.GLOBAL_ROOT_UID)));
        Spinlock.unlock(g.uidhashLock);
    }

    private static long uidhashentry(Globals g, int bucket) {
        return g.uidhashTable + (long) bucket * HList.SIZEOF_HEAD;
    }

    /** uid_hash_insert, under uidhash_lock. */
    static void uidHashInsert(long up, long hashent) {
        HList.addHead(up + UserStruct.UIDHASH_NODE, hashent);
    }

    /** uid_hash_remove, under uidhash_lock. */
    static void uidHashRemove(long up) {
        HList.delInit(up + UserStruct.UIDHASH_NODE);
    }

    /** uid_hash_find, under uidhash_lock: the user of {@code uid} with a new reference, or 0. */
    static long uidHashFind(int uid, long hashent) {
        for (long n = HList.first(hashent); n != 0; n = HList.next(n)) {
            final long user = n - UserStruct.UIDHASH_NODE;
            if (Mem.getInt(user + UserStruct.UID) == uid) {
                Refcount.inc(user + UserStruct.__COUNT, "user_struct.__count");
                return user;
            }
        }
        return 0;
    }

    /** free_user: called with uidhash_lock held and the count at zero; unhashes, unlocks, frees. */
    private static void freeUser(Globals g, long up) {
        if (up == g.rootUser) {
            Spinlock.unlock(g.uidhashLock);
            throw new IllegalStateException("free_uid: root_user's last reference was dropped");
        }
        uidHashRemove(up);
        Spinlock.unlock(g.uidhashLock);
        g.free(g.uidCachep, up);
    }

    /** find_user: the user of {@code uid} with a reference the caller drops with free_uid, or 0. */
    public static long findUser(Globals g, int uid) {
        Spinlock.lock(g.uidhashLock);
        final long ret = uidHashFind(uid, uidhashentry(g, Uids.uidhashfn(uid)));
        Spinlock.unlock(g.uidhashLock);
        return ret;
    }

    /** get_uid: one more reference to {@code up}. */
    public static long getUid(long up) {
        Refcount.inc(up + UserStruct.__COUNT, "user_struct.__count");
        return up;
    }

    /** free_uid: drops a reference; the last one unhashes and frees the user_struct. NULL is fine. */
    public static void freeUid(Globals g, long up) {
        if (up == 0) {
            return;
        }
        if (Refcount.decAndLock(up + UserStruct.__COUNT, g.uidhashLock, "user_struct.__count")) {
            freeUser(g, up);
        }
    }

    /**
     * alloc_uid: the user of {@code uid}, found in the hash or made and hashed, with a reference.
     * A user made by a racing caller in between wins, and this one's copy is freed.
     *
     * @return the user_struct, or 0 when the allocation fails
     */
    public static long allocUid(Globals g, int uid) {
        final long hashent = uidhashentry(g, Uids.uidhashfn(uid));
        Spinlock.lock(g.uidhashLock);
        long up = uidHashFind(uid, hashent);
        Spinlock.unlock(g.uidhashLock);
        if (up == 0) {
            final long created = g.zalloc(g.uidCachep);
            if (created == 0) {
                return 0;
            }
            Mem.putInt(created + UserStruct.UID, uid);
            Refcount.set(created + UserStruct.__COUNT, 1);
            final long rs = created + UserStruct.RATELIMIT;
            Mem.putInt(rs + RatelimitState.INTERVAL, HZ);
            Mem.putInt(rs + RatelimitState.BURST, UID_RATELIMIT_BURST);
            Mem.putLong(rs + RatelimitState.FLAGS, RATELIMIT_MSG_ON_RELEASE);

            Spinlock.lock(g.uidhashLock);
            up = uidHashFind(uid, hashent);
            if (up != 0) {
                g.free(g.uidCachep, created);
            } else {
                uidHashInsert(created, hashent);
                up = created;
            }
            Spinlock.unlock(g.uidhashLock);
        }
        return up;
    }

    /** Tears down what uid_cache_init made (the kernel never does): the cache must be empty. */
    static void uidCacheClose(Globals g) {
        g.uidCachep.destroy();
    }
}
