package org.kfork.heap.cred;

import org.kfork.cred.Uids;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapHList;
import org.kfork.nsproxy.NsRules;

/**
 * The heap twin of org.kfork.kernel.cred.Users (kernel/user.c, 5.12): the uid hash of user_structs
 * and the statics root_user and init_user_ns. Same steps, same lock protocol (uidhash_lock is a
 * HeapSpinlock in HeapGlobals), same invariants.
 */
public final class HeapUsers {
    /** USERNS_INIT_FLAGS: USERNS_SETGROUPS_ALLOWED. */
    static final long USERNS_INIT_FLAGS = 1L;
    private static final int HZ = 1000;
    private static final int UID_RATELIMIT_BURST = 100;
    private static final long RATELIMIT_MSG_ON_RELEASE = 1L;

    private HeapUsers() {
    }

    /** The statics: init_user_ns (count 3, fixed inum) and root_user (one reference, one process). */
    static void userStatics(HeapGlobals g) {
        final HeapUserNamespace ns = new HeapUserNamespace();
        ns.ns.count.set(3);
        ns.owner = Uids.GLOBAL_ROOT_UID;
        ns.group = Uids.GLOBAL_ROOT_GID;
        ns.ns.inum = NsRules.PROC_USER_INIT_INO;
        ns.flags = USERNS_INIT_FLAGS;
        g.initUserNs = ns;

        final HeapUserStruct root = new HeapUserStruct();
        root.count.set(1);
        root.processes.set(1);
        root.uid = Uids.GLOBAL_ROOT_UID;
        g.rootUser = root;

        g.uidhashTable = new HeapHList.Head[Uids.UIDHASH_SZ];
    }

    /** uid_cache_init: the uid_cache kind, empty buckets, root_user hashed. */
    static void uidCacheInit(HeapGlobals g) {
        g.uidCache = g.kind("uid_cache");
        for (int n = 0; n < Uids.UIDHASH_SZ; n++) {
            g.uidhashTable[n] = new HeapHList.Head();
        }
        g.uidhashLock.lock();
        uidHashInsert(g.rootUser, g.uidhashTable[Uids.uidhashfn(Uids.GLOBAL_ROOT_UID)]);
        g.uidhashLock.unlock();
    }

    /** uid_hash_insert, under uidhash_lock. */
    static void uidHashInsert(HeapUserStruct up, HeapHList.Head hashent) {
        HeapHList.addHead(up, hashent);
    }

    /** uid_hash_remove, under uidhash_lock. */
    static void uidHashRemove(HeapUserStruct up) {
        HeapHList.delInit(up);
    }

    /** uid_hash_find, under uidhash_lock: the user with a new reference, or null. */
    static HeapUserStruct uidHashFind(int uid, HeapHList.Head hashent) {
        for (HeapHList.Node n = hashent.first(); n != null; n = n.next()) {
            final HeapUserStruct user = (HeapUserStruct) n;
            if (user.uid == uid) {
                user.count.inc();
                return user;
            }
        }
        return null;
    }

    /** free_user: with uidhash_lock held and the count at zero. */
    private static void freeUser(HeapGlobals g, HeapUserStruct up) {
        if (up == g.rootUser) {
            g.uidhashLock.unlock();
            throw new IllegalStateException("free_uid: root_user's last reference was dropped");
        }
        uidHashRemove(up);
        g.uidhashLock.unlock();
        g.free(g.uidCache);
    }

    /** find_user. */
    public static HeapUserStruct findUser(HeapGlobals g, int uid) {
        g.uidhashLock.lock();
        final HeapUserStruct ret = uidHashFind(uid, g.uidhashTable[Uids.uidhashfn(uid)]);
        g.uidhashLock.unlock();
        return ret;
    }

    /** get_uid. */
    public static HeapUserStruct getUid(HeapUserStruct up) {
        up.count.inc();
        return up;
    }

    /** free_uid. */
    public static void freeUid(HeapGlobals g, HeapUserStruct up) {
        if (up == null) {
            return;
        }
        if (up.count.decAndLock(g.uidhashLock)) {
            freeUser(g, up);
        }
    }

    /** alloc_uid: null when the allocation fails. */
    public static HeapUserStruct allocUid(HeapGlobals g, int uid) {
        final HeapHList.Head hashent = g.uidhashTable[Uids.uidhashfn(uid)];
        g.uidhashLock.lock();
        HeapUserStruct up = uidHashFind(uid, hashent);
        g.uidhashLock.unlock();
        if (up == null) {
            if (!g.alloc(g.uidCache)) {
                return null;
            }
            final HeapUserStruct created = new HeapUserStruct();
            created.uid = uid;
            created.count.set(1);
            created.ratelimitInterval = HZ;
            created.ratelimitBurst = UID_RATELIMIT_BURST;
            created.ratelimitFlags = RATELIMIT_MSG_ON_RELEASE;

            g.uidhashLock.lock();
            up = uidHashFind(uid, hashent);
            if (up != null) {
                g.free(g.uidCache);
            } else {
                uidHashInsert(created, hashent);
                up = created;
            }
            g.uidhashLock.unlock();
        }
        return up;
    }
}
