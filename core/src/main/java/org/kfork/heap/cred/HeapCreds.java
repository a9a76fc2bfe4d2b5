package org.kfork.heap.cred;

import org.kfork.cred.Uids;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.mm.MmFlags;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/**
 * The heap twin of org.kfork.kernel.cred.Creds (kernel/cred.c, 5.12): the same functions in the
 * same order, with the same references, the same RCU-deferred free (put_cred_rcu through HeapRcu)
 * and the same deviations (keyrings and the LSM blob are NULL, so they have no field).
 */
public final class HeapCreds {
    private HeapCreds() {
    }

    /** The room's boot step: the statics, the cred_jar kind, put_cred_rcu, uid_cache_init. */
    public static void credInit(HeapGlobals g) {
        HeapUsers.userStatics(g);
        HeapUcount.ucountStatics(g);
        credStatics(g);
        g.credJar = g.kind("cred_jar");
        g.putCredRcu = head -> putCredRcu(g, (HeapCred) head);
        HeapUsers.uidCacheInit(g);
    }

    private static void credStatics(HeapGlobals g) {
        final HeapGroupInfo groups = new HeapGroupInfo();
        groups.usage.set(2);
        g.initGroups = groups;

        final HeapCred cred = new HeapCred();
        cred.usage.set(4);
        cred.uid = cred.suid = cred.euid = cred.fsuid = Uids.GLOBAL_ROOT_UID;
        cred.gid = cred.sgid = cred.egid = cred.fsgid = Uids.GLOBAL_ROOT_GID;
        cred.securebits = Capabilities.SECUREBITS_DEFAULT;
        cred.capInheritable = Capabilities.CAP_EMPTY_SET;
        cred.capPermitted = Capabilities.CAP_FULL_SET;
        cred.capEffective = Capabilities.CAP_FULL_SET;
        cred.capBset = Capabilities.CAP_FULL_SET;
        cred.capAmbient = Capabilities.CAP_EMPTY_SET;
        cred.user = g.rootUser;
        cred.userNs = g.initUserNs;
        cred.groupInfo = groups;
        g.initCred = cred;
    }

    // ---- include/linux/cred.h: references ----

    /** get_cred. */
    public static HeapCred getCred(HeapCred cred) {
        cred.usage.incrementAndGet();
        return cred;
    }

    /** put_cred. */
    public static void putCred(HeapGlobals g, HeapCred cred) {
        final int old = cred.usage.getAndDecrement();
        if (old <= 0) {
            cred.usage.incrementAndGet();
            throw new IllegalStateException("put_cred: usage of " + cred + " was " + old);
        }
        if (old == 1) {
            putCredFinal(g, cred);
        }
    }

    /** get_group_info. */
    static void getGroupInfo(HeapGroupInfo gi) {
        gi.usage.incrementAndGet();
    }

    /** put_group_info: only init_groups exists, and it must not reach zero. */
    static void putGroupInfo(HeapGroupInfo gi) {
        if (gi.usage.getAndDecrement() <= 1) {
            throw new IllegalStateException("put_group_info: the last reference to init_groups was dropped");
        }
    }

    // ---- kernel/cred.c ----

    /** put_cred_rcu. */
    static void putCredRcu(HeapGlobals g, HeapCred cred) {
        final int usage = cred.usage.get();
        if (usage != 0) {
            throw new IllegalStateException("CRED: put_cred_rcu() sees " + cred + " with usage " + usage);
        }
        if (cred.groupInfo != null) {
            putGroupInfo(cred.groupInfo);
        }
        HeapUsers.freeUid(g, cred.user);
        g.free(g.credJar);
    }

    /** __put_cred. */
    private static void putCredFinal(HeapGlobals g, HeapCred cred) {
        if (cred == g.initCred) {
            throw new IllegalStateException("__put_cred: the last reference to init_cred was dropped");
        }
        if (cred.nonRcu != 0) {
            putCredRcu(g, cred);
        } else {
            g.rcu.callRcu(cred, g.putCredRcu);
        }
    }

    /** exit_creds. */
    public static void exitCreds(HeapGlobals g, HeapTask tsk) {
        HeapCred cred = tsk.realCred;
        tsk.realCred = null;
        putCred(g, cred);

        cred = tsk.cred;
        tsk.cred = null;
        putCred(g, cred);
    }

    /** get_task_cred. */
    public static HeapCred getTaskCred(HeapGlobals g, HeapTask task) {
        final int rcu = g.rcu.rcuReadLock();
        try {
            for (;;) {
                final HeapCred cred = task.realCred;
                if (cred == null) {
                    throw new IllegalStateException("get_task_cred: task " + task + " has no cred");
                }
                if (getCredRcu(cred)) {
                    return cred;
                }
            }
        } finally {
            g.rcu.rcuReadUnlock(rcu);
        }
    }

    private static boolean getCredRcu(HeapCred cred) {
        for (;;) {
            final int c = cred.usage.get();
            if (c == 0) {
                return false;
            }
            if (cred.usage.compareAndSet(c, c + 1)) {
                cred.nonRcu = 0;
                return true;
            }
        }
    }

    /** prepare_creds: null when the allocation fails. */
    public static HeapCred prepareCreds(HeapGlobals g, HeapTask current) {
        if (!g.alloc(g.credJar)) {
            return null;
        }
        final HeapCred created = new HeapCred();
        created.copyFrom(current.cred);
        created.nonRcu = 0;
        created.usage.set(1);
        getGroupInfo(created.groupInfo);
        HeapUsers.getUid(created.user);
        return created;
    }

    /** copy_creds: 0, -ENOMEM or -EINVAL. */
    public static int copyCreds(HeapGlobals g, HeapTask current, HeapTask p, long cloneFlags) {
        if ((cloneFlags & CloneFlags.CLONE_THREAD) != 0) {
            final HeapCred cred = p.cred;
            p.realCred = getCred(cred);
            getCred(cred);
            cred.user.processes.incrementAndGet();
            return 0;
        }
        final HeapCred created = prepareCreds(g, current);
        if (created == null) {
            return -Errno.ENOMEM;
        }
        if ((cloneFlags & CloneFlags.CLONE_NEWUSER) != 0) {
            final int ret = createUserNs(created);
            if (ret < 0) {
                putCred(g, created);
                return ret;
            }
        }
        created.user.processes.incrementAndGet();
        getCred(created);
        p.cred = created;
        p.realCred = created;
        return 0;
    }

    /** create_user_ns without CONFIG_USER_NS: -EINVAL. */
    static int createUserNs(HeapCred cred) {
        return -Errno.EINVAL;
    }

    /** cred_cap_issubset. */
    static boolean credCapIssubset(HeapCred set, HeapCred subset) {
        if (set.userNs == subset.userNs) {
            return Capabilities.capIssubset(subset.capPermitted, set.capPermitted);
        }
        return false;
    }

    /** commit_creds: 0. */
    public static int commitCreds(HeapGlobals g, HeapTask task, HeapCred created) {
        final HeapCred old = task.realCred;
        if (task.cred != old) {
            throw new IllegalStateException("commit_creds: the subjective creds are overridden");
        }
        if (created.usage.get() < 1) {
            throw new IllegalStateException("commit_creds: the new cred has no reference");
        }
        getCred(created);

        if (old.euid != created.euid || old.egid != created.egid || old.fsuid != created.fsuid
            || old.fsgid != created.fsgid || !credCapIssubset(old, created)) {
            if (task.mm != null) {
                setDumpable(task.mm, MmFlags.SUID_DUMP_DISABLE);
            }
            task.pdeathSignal = 0;
        }

        final HeapUserStruct newUser = created.user;
        final HeapUserStruct oldUser = old.user;
        if (newUser != oldUser) {
            newUser.processes.incrementAndGet();
        }
        task.realCred = created;
        task.cred = created;
        if (newUser != oldUser) {
            oldUser.processes.decrementAndGet();
        }
        putCred(g, old);
        putCred(g, old);
        return 0;
    }

    /** set_dumpable. */
    public static void setDumpable(HeapMmStruct mm, int value) {
        synchronized (mm) {
            mm.flags = (mm.flags & ~MmFlags.MMF_DUMPABLE_MASK) | value;
        }
    }

    /** abort_creds. */
    public static void abortCreds(HeapGlobals g, HeapCred created) {
        if (created.usage.get() < 1) {
            throw new IllegalStateException("abort_creds: the cred has no reference");
        }
        putCred(g, created);
    }

    // ---- the cred script command ----

    /** The twin of Creds.setCred: 0, -ENOMEM or -EAGAIN. */
    public static int setCred(HeapGlobals g, HeapTask current, int uid, int gid, long caps) {
        final HeapCred created = prepareCreds(g, current);
        if (created == null) {
            return -Errno.ENOMEM;
        }
        final HeapCred old = current.realCred;
        if (Uids.valid(uid)) {
            created.uid = created.euid = created.suid = created.fsuid = uid;
            if (uid != old.uid) {
                final int ret = setUser(g, created);
                if (ret < 0) {
                    abortCreds(g, created);
                    return ret;
                }
            }
        }
        if (Uids.valid(gid)) {
            created.gid = created.egid = created.sgid = created.fsgid = gid;
        }
        final long set = caps & Capabilities.CAP_FULL_SET;
        created.capEffective = set;
        created.capPermitted = set;
        created.capAmbient = created.capAmbient & set & created.capInheritable;
        return commitCreds(g, current, created);
    }

    /** set_user (kernel/sys.c). */
    static int setUser(HeapGlobals g, HeapCred created) {
        final HeapUserStruct newUser = HeapUsers.allocUid(g, created.uid);
        if (newUser == null) {
            return -Errno.EAGAIN;
        }
        HeapUsers.freeUid(g, created.user);
        created.user = newUser;
        return 0;
    }
}
