package org.kfork.kernel.cred;

import org.kfork.alloc.SlabFlags;
import org.kfork.cred.Uids;
import org.kfork.kernel.Globals;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.GroupInfo;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.machine.Mem;
import org.kfork.mm.MmFlags;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/**
 * kernel/cred.c (5.12): task credentials. A cred is shared by reference count ({@code usage}) and
 * never changed once a task points at it: a change is a new cred from {@link #prepareCreds},
 * installed by {@link #commitCreds}. The last put frees it after an RCU grace period
 * (put_cred_rcu), since other tasks read creds under rcu_read_lock. Also the statics
 * {@code init_cred} (usage 4, uid and gid 0, every capability but inheritable and ambient,
 * root_user, init_user_ns, init_groups) and {@code init_groups} (usage 2, no groups), and the
 * kernel side of the {@code cred} script command ({@link #setCred}).
 *
 * <p>Invariants: every cred a task points at (cred and real_cred) holds one usage per pointer;
 * a cred holds a reference to its user_struct (__count) and its group_info; the processes count of
 * a user_struct counts the tasks whose real_cred points at it (copy_creds adds one for every new
 * task, commit_creds moves one between users, exit's release drops it). CONFIG_DEBUG_CREDENTIALS
 * is off, so there are no subscribers and no magic.
 *
 * <p>Not modeled: CONFIG_KEYS and CONFIG_SECURITY are on in the reference config, but the keyring
 * pointers and the LSM blob ({@code security}) stay NULL, so key_get/key_put and SELinux's
 * cred hooks (which allocate the blob) do nothing here; proc connector notifications.
 */
public final class Creds {
    private Creds() {
    }

    /**
     * The room's boot step, at cred_init's place in start_kernel (before fork_init, which writes
     * init_user_ns): the statics of kernel/user.c, kernel/ucount.c and kernel/cred.c, the
     * cred_jar cache (cred_init), put_cred_rcu in the kernel text, and uid_cache_init (a
     * subsys_initcall in 5.12, folded in here: nothing looks up users before it).
     */
    public static void credInit(Globals g) {
        Users.userStatics(g);
        Ucount.ucountStatics(g);
        credStatics(g);
        g.credJar = g.kmem.slabs().create("cred_jar", (int) Cred.SIZEOF, 0,
            SlabFlags.SLAB_HWCACHE_ALIGN | SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, null);
        g.putCredRcu = g.rcu.register("put_cred_rcu", head -> putCredRcu(g, head - Cred.RCU));
        Users.uidCacheInit(g);
    }

    private static void credStatics(Globals g) {
        final long groups = g.image.alloc(GroupInfo.SIZEOF, GroupInfo.ALIGNOF);
        Mem.putInt(groups + GroupInfo.USAGE, 2); // one for init_task, one so that it is never freed
        g.initGroups = groups;

        final long cred = g.image.alloc(Cred.SIZEOF, Cred.ALIGNOF);
        Mem.putInt(cred + Cred.USAGE, 4);
        for (long id : new long[] {Cred.UID, Cred.SUID, Cred.EUID, Cred.FSUID}) {
            Mem.putInt(cred + id, Uids.GLOBAL_ROOT_UID);
        }
        for (long id : new long[] {Cred.GID, Cred.SGID, Cred.EGID, Cred.FSGID}) {
            Mem.putInt(cred + id, Uids.GLOBAL_ROOT_GID);
        }
        Mem.putInt(cred + Cred.SECUREBITS, Capabilities.SECUREBITS_DEFAULT);
        Mem.putLong(cred + Cred.CAP_INHERITABLE, Capabilities.CAP_EMPTY_SET);
        Mem.putLong(cred + Cred.CAP_PERMITTED, Capabilities.CAP_FULL_SET);
        Mem.putLong(cred + Cred.CAP_EFFECTIVE, Capabilities.CAP_FULL_SET);
        Mem.putLong(cred + Cred.CAP_BSET, Capabilities.CAP_FULL_SET);
        Mem.putLong(cred + Cred.CAP_AMBIENT, Capabilities.CAP_EMPTY_SET);
        Mem.putLong(cred + Cred.USER, g.rootUser);
        Mem.putLong(cred + Cred.USER_NS, g.initUserNs);
        Mem.putLong(cred + Cred.GROUP_INFO, groups);
        g.initCred = cred;
    }

    /** Tears down what credInit made (the kernel never does): the caches must be empty. */
    public static void credClose(Globals g) {
        g.credJar.destroy();
        Users.uidCacheClose(g);
    }

    // ------------------------------------------------------------------------------------------
    // include/linux/cred.h: references
    // ------------------------------------------------------------------------------------------

    /** get_cred: one more reference to {@code cred}. */
    public static long getCred(long cred) {
        Mem.getAndAddInt(cred + Cred.USAGE, 1);
        return cred;
    }

    /** put_cred: drops a reference; the last one releases the cred (after a grace period). */
    public static void putCred(Globals g, long cred) {
        final int old = Mem.getAndAddInt(cred + Cred.USAGE, -1);
        if (old <= 0) {
            Mem.getAndAddInt(cred + Cred.USAGE, 1);
            throw new IllegalStateException("put_cred: usage of cred 0x" + Long.toHexString(cred) + " was " + old);
        }
        if (old == 1) {
            putCredFinal(g, cred);
        }
    }

    /** get_group_info. */
    static void getGroupInfo(long gi) {
        Mem.getAndAddInt(gi + GroupInfo.USAGE, 1);
    }

    /**
     * put_group_info. Only init_groups exists in the model (setgroups is not), and it starts at 2 so
     * that it is never freed; reaching zero is a bug.
     */
    static void putGroupInfo(long gi) {
        if (Mem.getAndAddInt(gi + GroupInfo.USAGE, -1) <= 1) {
            throw new IllegalStateException("put_group_info: the last reference to init_groups was dropped");
        }
    }

    // ------------------------------------------------------------------------------------------
    // kernel/cred.c
    // ------------------------------------------------------------------------------------------

    /**
     * put_cred_rcu: the RCU callback that disposes of a cred: its group_info, its user (free_uid)
     * and its user namespace references go, then the memory.
     */
    static void putCredRcu(Globals g, long cred) {
        final int usage = Mem.getInt(cred + Cred.USAGE);
        if (usage != 0) {
            throw new IllegalStateException("CRED: put_cred_rcu() sees 0x" + Long.toHexString(cred) + " with usage "
                + usage);
        }
        // security_cred_free and key_put of the four keyrings: all NULL in the model
        final long gi = Mem.getLong(cred + Cred.GROUP_INFO);
        if (gi != 0) {
            putGroupInfo(gi);
        }
        Users.freeUid(g, Mem.getLong(cred + Cred.USER));
        // put_user_ns: nothing to drop with CONFIG_USER_NS off
        g.free(g.credJar, cred);
    }

    /**
     * __put_cred: a cred nobody holds any more goes through RCU, unless it was never published
     * (non_rcu, set by override_creds' users; never in the model, but kept as 5.12 tests it).
     */
    private static void putCredFinal(Globals g, long cred) {
        if (cred == g.initCred) {
            throw new IllegalStateException("__put_cred: the last reference to init_cred was dropped");
        }
        if (Mem.getInt(cred + Cred.NON_RCU) != 0) {
            putCredRcu(g, cred);
        } else {
            g.rcu.callRcu(cred + Cred.RCU, g.putCredRcu);
        }
    }

    /** exit_creds: a dead task drops its real_cred and cred (both NULL afterwards). */
    public static void exitCreds(Globals g, long tsk) {
        long cred = Mem.getLong(tsk + TaskStruct.REAL_CRED);
        Mem.putLong(tsk + TaskStruct.REAL_CRED, 0);
        putCred(g, cred);

        cred = Mem.getLong(tsk + TaskStruct.CRED);
        Mem.putLong(tsk + TaskStruct.CRED, 0);
        putCred(g, cred);
    }

    /**
     * get_task_cred: another task's objective cred, pinned. Under rcu_read_lock, retries while the
     * cred it read is already dying (get_cred_rcu fails on usage 0: commit_creds replaced it).
     */
    public static long getTaskCred(Globals g, long task) {
        final int rcu = g.rcu.rcuReadLock(g.cpus.current());
        try {
            for (;;) {
                final long cred = Mem.getLongAcquire(task + TaskStruct.REAL_CRED);
                if (cred == 0) {
                    throw new IllegalStateException("get_task_cred: task 0x" + Long.toHexString(task) + " has no cred");
                }
                if (getCredRcu(cred)) {
                    return cred;
                }
            }
        } finally {
            g.rcu.rcuReadUnlock(rcu);
        }
    }

    /** get_cred_rcu: atomic_inc_not_zero on usage, and the cred may no longer skip RCU. */
    private static boolean getCredRcu(long cred) {
        for (;;) {
            final int c = Mem.getIntVolatile(cred + Cred.USAGE);
            if (c == 0) {
                return false;
            }
            if (Mem.compareAndSetInt(cred + Cred.USAGE, c, c + 1)) {
                Mem.putInt(cred + Cred.NON_RCU, 0);
                return true;
            }
        }
    }

    /**
     * prepare_creds: a private copy of {@code current}'s subjective cred to modify, with usage 1
     * and its own references to the group_info, the user and the user namespace. The caller ends
     * with {@link #commitCreds} or {@link #abortCreds}.
     *
     * @return the new cred, or 0 when the allocation fails
     */
    public static long prepareCreds(Globals g, long current) {
        final long created = g.alloc(g.credJar);
        if (created == 0) {
            return 0;
        }
        final long old = Mem.getLong(current + TaskStruct.CRED);
        Mem.copy(old, created, Cred.SIZEOF);
        Mem.putInt(created + Cred.NON_RCU, 0);
        Mem.putInt(created + Cred.USAGE, 1);
        getGroupInfo(Mem.getLong(created + Cred.GROUP_INFO));
        Users.getUid(Mem.getLong(created + Cred.USER));
        // get_user_ns and key_get: nothing to take (no USER_NS; keyrings NULL)
        Mem.putLong(created + Cred.SECURITY, 0);
        return created;
    }

    /**
     * copy_creds: the credentials of a new task {@code p} (a copy of {@code current}, so its cred
     * pointers are the parent's). A thread (CLONE_THREAD) shares the parent's cred, with one
     * reference for each of its two pointers; a process gets a copy of its own. Either way the new
     * task counts as one more process of its user. CLONE_NEWUSER asks create_user_ns for a user
     * namespace, which without CONFIG_USER_NS answers -EINVAL.
     *
     * @return 0, -ENOMEM or -EINVAL; on failure p's cred pointers are the parent's, unreferenced
     */
    public static int copyCreds(Globals g, long current, long p, long cloneFlags) {
        // with no thread keyring (always, in the model) a thread shares the cred
        if ((cloneFlags & CloneFlags.CLONE_THREAD) != 0) {
            final long cred = Mem.getLong(p + TaskStruct.CRED);
            Mem.putLong(p + TaskStruct.REAL_CRED, getCred(cred));
            getCred(cred);
            Mem.getAndAddInt(Mem.getLong(cred + Cred.USER) + UserStruct.PROCESSES, 1);
            return 0;
        }
        final long created = prepareCreds(g, current);
        if (created == 0) {
            return -Errno.ENOMEM;
        }
        if ((cloneFlags & CloneFlags.CLONE_NEWUSER) != 0) {
            final int ret = createUserNs(created);
            if (ret < 0) {
                putCred(g, created);
                return ret;
            }
        }
        // the process keyring is not inherited outside the thread group: NULL already
        Mem.getAndAddInt(Mem.getLong(created + Cred.USER) + UserStruct.PROCESSES, 1);
        getCred(created);
        Mem.putLong(p + TaskStruct.CRED, created);
        Mem.putLong(p + TaskStruct.REAL_CRED, created);
        return 0;
    }

    /** create_user_ns without CONFIG_USER_NS (include/linux/user_namespace.h): -EINVAL. */
    static int createUserNs(long cred) {
        return -Errno.EINVAL;
    }

    /**
     * cred_cap_issubset: whether {@code subset}'s capabilities are no more than {@code set}'s. With
     * one user namespace, a subset test of the permitted sets.
     */
    static boolean credCapIssubset(long set, long subset) {
        if (Mem.getLong(set + Cred.USER_NS) == Mem.getLong(subset + Cred.USER_NS)) {
            return Capabilities.capIssubset(Mem.getLong(subset + Cred.CAP_PERMITTED),
                Mem.getLong(set + Cred.CAP_PERMITTED));
        }
        // different user namespaces need CONFIG_USER_NS, off in the reference config
        return false;
    }

    /**
     * commit_creds: installs {@code created} (from prepareCreds, usage 1, eaten) as {@code task}'s
     * objective and subjective cred. A change of effective or fs ids, or a permitted capability the
     * old cred lacked, makes the mm non-dumpable and clears pdeath_signal; a change of user moves one process count
     * from
     * the old user_struct to the new one. The old cred loses both its references.
     *
     * @return 0
     */
    public static int commitCreds(Globals g, long task, long created) {
        final long old = Mem.getLong(task + TaskStruct.REAL_CRED);
        if (Mem.getLong(task + TaskStruct.CRED) != old) {
            throw new IllegalStateException("commit_creds: the subjective creds are overridden");
        }
        if (Mem.getInt(created + Cred.USAGE) < 1) {
            throw new IllegalStateException("commit_creds: the new cred has no reference");
        }
        getCred(created); // a reference for the subjective pointer too

        if (Mem.getInt(old + Cred.EUID) != Mem.getInt(created + Cred.EUID)
            || Mem.getInt(old + Cred.EGID) != Mem.getInt(created + Cred.EGID)
            || Mem.getInt(old + Cred.FSUID) != Mem.getInt(created + Cred.FSUID)
            || Mem.getInt(old + Cred.FSGID) != Mem.getInt(created + Cred.FSGID)
            || !credCapIssubset(old, created)) {
            final long mm = Mem.getLong(task + TaskStruct.MM);
            if (mm != 0) {
                setDumpable(mm, MmFlags.SUID_DUMP_DISABLE); // fs.suid_dumpable's default
            }
            Mem.putInt(task + TaskStruct.PDEATH_SIGNAL, 0);
        }
        // key_fsuid_changed / key_fsgid_changed: no thread keyring to update

        final long newUser = Mem.getLong(created + Cred.USER);
        final long oldUser = Mem.getLong(old + Cred.USER);
        if (newUser != oldUser) {
            Mem.getAndAddInt(newUser + UserStruct.PROCESSES, 1);
        }
        Mem.putLongRelease(task + TaskStruct.REAL_CRED, created);
        Mem.putLongRelease(task + TaskStruct.CRED, created);
        if (newUser != oldUser) {
            Mem.getAndAddInt(oldUser + UserStruct.PROCESSES, -1);
        }
        putCred(g, old);
        putCred(g, old);
        return 0;
    }

    /** set_dumpable: the two SUID_DUMP bits at the bottom of mm->flags, set atomically. */
    public static void setDumpable(long mm, int value) {
        final long at = mm + MmStruct.FLAGS;
        for (;;) {
            final long flags = Mem.getLongVolatile(at);
            if (Mem.compareAndSetLong(at, flags, (flags & ~MmFlags.MMF_DUMPABLE_MASK) | value)) {
                return;
            }
        }
    }

    /** abort_creds: discards a cred that prepareCreds made and nobody committed. */
    public static void abortCreds(Globals g, long created) {
        if (Mem.getInt(created + Cred.USAGE) < 1) {
            throw new IllegalStateException("abort_creds: the cred has no reference");
        }
        putCred(g, created);
    }

    // ------------------------------------------------------------------------------------------
    // The cred script command: kernel/sys.c's setresuid and setresgid, kernel/capability.c's capset
    // ------------------------------------------------------------------------------------------

    /**
     * What {@code setresuid(uid, uid, uid)}, {@code setresgid(gid, gid, gid)} and a capset of
     * {@code caps} as the effective and permitted sets do to {@code current}, as one commit: every
     * uid (real, effective, saved, fs) and gid is set, and a new real uid moves the task to that
     * uid's user_struct (set_user: alloc_uid, and the old user's reference goes). (uid_t) -1 leaves
     * the uids as they are, (gid_t) -1 the gids, as those calls read it. The ambient set keeps only
     * what is both permitted and inheritable (capset's rule); bits beyond CAP_LAST_CAP are dropped,
     * as capset drops them.
     *
     * <p>The permission checks of the three calls (CAP_SETUID, CAP_SETGID, capset's subset rules)
     * are not made: the command states an outcome the caller already decided. Neither is set_user's
     * PF_NPROC_EXCEEDED flag, which only execve reads.
     *
     * @return 0; -ENOMEM when prepare_creds fails; -EAGAIN when alloc_uid does (then nothing changed)
     */
    public static int setCred(Globals g, long current, int uid, int gid, long caps) {
        final long created = prepareCreds(g, current);
        if (created == 0) {
            return -Errno.ENOMEM;
        }
        final long old = Mem.getLong(current + TaskStruct.REAL_CRED);
        if (Uids.valid(uid)) {
            Mem.putInt(created + Cred.UID, uid);
            Mem.putInt(created + Cred.EUID, uid);
            Mem.putInt(created + Cred.SUID, uid);
            Mem.putInt(created + Cred.FSUID, uid);
            if (uid != Mem.getInt(old + Cred.UID)) {
                final int ret = setUser(g, created);
                if (ret < 0) {
                    abortCreds(g, created);
                    return ret;
                }
            }
        }
        if (Uids.valid(gid)) {
            Mem.putInt(created + Cred.GID, gid);
            Mem.putInt(created + Cred.EGID, gid);
            Mem.putInt(created + Cred.SGID, gid);
            Mem.putInt(created + Cred.FSGID, gid);
        }
        final long set = caps & Capabilities.CAP_FULL_SET;
        Mem.putLong(created + Cred.CAP_EFFECTIVE, set);
        Mem.putLong(created + Cred.CAP_PERMITTED, set);
        Mem.putLong(created + Cred.CAP_AMBIENT,
            Mem.getLong(created + Cred.CAP_AMBIENT) & set & Mem.getLong(created + Cred.CAP_INHERITABLE));
        return commitCreds(g, current, created);
    }

    /** set_user (kernel/sys.c): the new cred's user becomes the user_struct of its uid. */
    static int setUser(Globals g, long created) {
        final long newUser = Users.allocUid(g, Mem.getInt(created + Cred.UID));
        if (newUser == 0) {
            return -Errno.EAGAIN;
        }
        Users.freeUid(g, Mem.getLong(created + Cred.USER));
        Mem.putLong(created + Cred.USER, newUser);
        return 0;
    }
}
