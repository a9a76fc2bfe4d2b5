package org.kfork.kernel.nsproxy;

import org.kfork.alloc.SlabFlags;
import org.kfork.kernel.Globals;
import org.kfork.kernel.cred.Capability;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.pid.PidNamespaces;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.Nsproxy;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.nsproxy.NsRules;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;

/**
 * kernel/nsproxy.c (5.12): the set of namespaces a task lives in (all but the user namespace,
 * which its cred holds), shared by reference count between tasks that have the same set. A fork
 * without CLONE_NEW* flags shares the parent's nsproxy; with some, it needs CAP_SYS_ADMIN in its
 * user namespace and gets a new nsproxy whose namespaces are each shared or new
 * (create_new_namespaces, in 5.12's order: mnt, uts, ipc, pid, cgroup, net, time, with each step
 * undone in reverse on failure). Also the static {@code init_nsproxy} and the room's boot step.
 *
 * <p>Invariants: an nsproxy holds one reference on each namespace it points at, time_ns and
 * time_ns_for_children separately; its count is the number of tasks (and unshare's new sets) that
 * point at it, and the last put frees it with free_nsproxy's puts. A task's nsproxy pointer
 * changes under task_lock (alloc_lock), and the old set loses that task's reference after the
 * lock is dropped. The pid namespace functions are the pid room's
 * ({@link PidNamespaces}).
 */
public final class Nsproxies {
    private Nsproxies() {
    }

    /**
     * The room's boot step, after proc_caches_init's other caches: nsproxy_cache_init, the static
     * namespaces and init_nsproxy, uts_ns_init, then the later init steps that touch namespaces in
     * start_kernel's order: mnt_init's initial mount namespace, net_ns_init (pure_initcall) and
     * ipc_init (device_initcall). init_nsproxy's pid_ns_for_children is {@link Globals#initPidNs}
     * as the pid room left it.
     */
    public static void nsproxyInit(Globals g) {
        // KMEM_CACHE(nsproxy, SLAB_PANIC|SLAB_ACCOUNT): aligned as the struct is
        g.nsproxyCachep = g.kmem.slabs().create("nsproxy", (int) Nsproxy.SIZEOF, (int) Nsproxy.ALIGNOF,
            SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, null);
        Namespaces.nsStatics(g);
        final long init = g.image.alloc(Nsproxy.SIZEOF, Nsproxy.ALIGNOF);
        Mem.putInt(init + Nsproxy.COUNT, 1);
        Mem.putLong(init + Nsproxy.UTS_NS, g.initUtsNs);
        Mem.putLong(init + Nsproxy.IPC_NS, g.initIpcNs);
        Mem.putLong(init + Nsproxy.MNT_NS, 0); // set by init_mount_tree
        Mem.putLong(init + Nsproxy.PID_NS_FOR_CHILDREN, g.initPidNs);
        Mem.putLong(init + Nsproxy.NET_NS, g.initNet);
        Mem.putLong(init + Nsproxy.CGROUP_NS, g.initCgroupNs);
        Mem.putLong(init + Nsproxy.TIME_NS, g.initTimeNs);
        Mem.putLong(init + Nsproxy.TIME_NS_FOR_CHILDREN, g.initTimeNs);
        g.initNsproxy = init;
        Namespaces.utsNsInit(g);
        Namespaces.initMountTree(g);
        Namespaces.netNsInit(g);
        Namespaces.ipcInit(g);
    }

    /** Undoes {@link #nsproxyInit} (the kernel never does): the caches must be empty. */
    public static void nsproxyClose(Globals g) {
        Namespaces.nsClose(g);
        g.nsproxyCachep.destroy();
    }

    /** get_nsproxy. */
    public static void getNsproxy(long ns) {
        Mem.getAndAddInt(ns + Nsproxy.COUNT, 1);
    }

    /** put_nsproxy: the last reference frees the set (free_nsproxy). */
    public static void putNsproxy(Globals g, long ns) {
        final int old = Mem.getAndAddInt(ns + Nsproxy.COUNT, -1);
        if (old <= 0) {
            Mem.getAndAddInt(ns + Nsproxy.COUNT, 1);
            throw new IllegalStateException("put_nsproxy: count of 0x" + Long.toHexString(ns) + " was " + old);
        }
        if (old == 1) {
            freeNsproxy(g, ns);
        }
    }

    /** create_nsproxy: a new set with count 1 and unset pointers. */
    private static long createNsproxy(Globals g) {
        final long nsproxy = g.alloc(g.nsproxyCachep);
        if (nsproxy != 0) {
            Mem.putInt(nsproxy + Nsproxy.COUNT, 1);
        }
        return nsproxy;
    }

    /**
     * create_new_namespaces: a new nsproxy for {@code tsk}, each namespace copied from tsk's set
     * (a new one where {@code flags} asks, the same with a reference otherwise), owned by
     * {@code userNs}. time_ns stays the task's own; time_ns_for_children follows CLONE_NEWTIME.
     *
     * @return the nsproxy, or a negative errno after every step already made is undone
     */
    static long createNewNamespaces(Globals g, long current, long flags, long tsk, long userNs) {
        final long newNsp = createNsproxy(g);
        if (newNsp == 0) {
            return -Errno.ENOMEM;
        }
        final long old = Mem.getLong(tsk + TaskStruct.NSPROXY);
        long err;

        err = Namespaces.copyMntNs(g, current, flags, Mem.getLong(old + Nsproxy.MNT_NS), userNs);
        if (Errno.isError(err)) {
            return outNs(g, newNsp, err);
        }
        Mem.putLong(newNsp + Nsproxy.MNT_NS, err);

        err = Namespaces.copyUtsname(g, current, flags, userNs, Mem.getLong(old + Nsproxy.UTS_NS));
        if (Errno.isError(err)) {
            return outUts(g, newNsp, err);
        }
        Mem.putLong(newNsp + Nsproxy.UTS_NS, err);

        err = Namespaces.copyIpcs(g, current, flags, userNs, Mem.getLong(old + Nsproxy.IPC_NS));
        if (Errno.isError(err)) {
            return outIpc(g, newNsp, err);
        }
        Mem.putLong(newNsp + Nsproxy.IPC_NS, err);

        err = PidNamespaces.copyPidNs(g, current, flags, userNs,
            Mem.getLong(old + Nsproxy.PID_NS_FOR_CHILDREN), Mem.getInt(Mem.getLong(current + TaskStruct.CRED) + Cred.EUID));
        if (Errno.isError(err)) {
            return outPid(g, newNsp, err);
        }
        Mem.putLong(newNsp + Nsproxy.PID_NS_FOR_CHILDREN, err);

        err = Namespaces.copyCgroupNs(g, current, flags, userNs, Mem.getLong(old + Nsproxy.CGROUP_NS));
        if (Errno.isError(err)) {
            return outCgroup(g, newNsp, err);
        }
        Mem.putLong(newNsp + Nsproxy.CGROUP_NS, err);

        err = Namespaces.copyNetNs(g, current, flags, userNs, Mem.getLong(old + Nsproxy.NET_NS));
        if (Errno.isError(err)) {
            return outNet(g, newNsp, err);
        }
        Mem.putLong(newNsp + Nsproxy.NET_NS, err);

        err = Namespaces.copyTimeNs(g, current, flags, userNs, Mem.getLong(old + Nsproxy.TIME_NS_FOR_CHILDREN));
        if (Errno.isError(err)) {
            Namespaces.putNet(g, Mem.getLong(newNsp + Nsproxy.NET_NS)); // out_time
            return outNet(g, newNsp, err);
        }
        Mem.putLong(newNsp + Nsproxy.TIME_NS_FOR_CHILDREN, err);
        Mem.putLong(newNsp + Nsproxy.TIME_NS, Namespaces.getTimeNs(Mem.getLong(old + Nsproxy.TIME_NS)));
        return newNsp;
    }

    // The unwinding labels of create_new_namespaces, each falling through to the next.

    private static long outNet(Globals g, long newNsp, long err) {
        Namespaces.putCgroupNs(g, Mem.getLong(newNsp + Nsproxy.CGROUP_NS));
        return outCgroup(g, newNsp, err);
    }

    private static long outCgroup(Globals g, long newNsp, long err) {
        final long pid = Mem.getLong(newNsp + Nsproxy.PID_NS_FOR_CHILDREN);
        if (pid != 0) {
            PidNamespaces.putPidNs(g, pid);
        }
        return outPid(g, newNsp, err);
    }

    private static long outPid(Globals g, long newNsp, long err) {
        Namespaces.putIpcNs(g, Mem.getLong(newNsp + Nsproxy.IPC_NS));
        return outIpc(g, newNsp, err);
    }

    private static long outIpc(Globals g, long newNsp, long err) {
        Namespaces.putUtsNs(g, Mem.getLong(newNsp + Nsproxy.UTS_NS));
        return outUts(g, newNsp, err);
    }

    private static long outUts(Globals g, long newNsp, long err) {
        Namespaces.putMntNs(g, Mem.getLong(newNsp + Nsproxy.MNT_NS));
        return outNs(g, newNsp, err);
    }

    private static long outNs(Globals g, long newNsp, long err) {
        g.free(g.nsproxyCachep, newNsp);
        return err;
    }

    /**
     * copy_namespaces: the namespaces of a new task {@code tsk} (whose nsproxy pointer is still
     * its parent's). Without CLONE_NEW* flags, and with the same time namespace for children as
     * its own, it shares the parent's set. Otherwise: CAP_SYS_ADMIN in the task's user namespace
     * or -EPERM (checked on {@code current}, the parent, which gets PF_SUPERPRIV); CLONE_NEWIPC
     * with CLONE_SYSVSEM is -EINVAL; then a new set, which the task enters (timens_on_fork).
     *
     * @return 0 or a negative errno (tsk's pointer is unchanged then)
     */
    public static int copyNamespaces(Globals g, long current, long flags, long tsk) {
        final long oldNs = Mem.getLong(tsk + TaskStruct.NSPROXY);
        // task_cred_xxx(tsk, user_ns): the objective cred, under rcu_read_lock
        final long userNs = Mem.getLong(Mem.getLongAcquire(tsk + TaskStruct.REAL_CRED) + Cred.USER_NS);

        if (!NsRules.wantsNewNamespaces(flags)) {
            if (Mem.getLong(oldNs + Nsproxy.TIME_NS_FOR_CHILDREN) == Mem.getLong(oldNs + Nsproxy.TIME_NS)) {
                getNsproxy(oldNs);
                return 0;
            }
        } else if (!Capability.nsCapable(current, userNs, Capabilities.CAP_SYS_ADMIN)) {
            return -Errno.EPERM;
        }
        if (NsRules.newIpcWithSysvsem(flags)) {
            return -Errno.EINVAL;
        }
        final long newNs = createNewNamespaces(g, current, flags, tsk, userNs);
        if (Errno.isError(newNs)) {
            return (int) newNs;
        }
        Namespaces.timensOnFork(g, newNs, tsk);
        Mem.putLong(tsk + TaskStruct.NSPROXY, newNs);
        return 0;
    }

    /** free_nsproxy: the puts of every namespace the set holds, then the set. */
    static void freeNsproxy(Globals g, long ns) {
        if (ns == g.initNsproxy) {
            throw new IllegalStateException("free_nsproxy: init_nsproxy lost its last reference");
        }
        final long mnt = Mem.getLong(ns + Nsproxy.MNT_NS);
        if (mnt != 0) {
            Namespaces.putMntNs(g, mnt);
        }
        final long uts = Mem.getLong(ns + Nsproxy.UTS_NS);
        if (uts != 0) {
            Namespaces.putUtsNs(g, uts);
        }
        final long ipc = Mem.getLong(ns + Nsproxy.IPC_NS);
        if (ipc != 0) {
            Namespaces.putIpcNs(g, ipc);
        }
        final long pid = Mem.getLong(ns + Nsproxy.PID_NS_FOR_CHILDREN);
        if (pid != 0) {
            PidNamespaces.putPidNs(g, pid);
        }
        final long time = Mem.getLong(ns + Nsproxy.TIME_NS);
        if (time != 0) {
            Namespaces.putTimeNs(g, time);
        }
        final long timeForChildren = Mem.getLong(ns + Nsproxy.TIME_NS_FOR_CHILDREN);
        if (timeForChildren != 0) {
            Namespaces.putTimeNs(g, timeForChildren);
        }
        Namespaces.putCgroupNs(g, Mem.getLong(ns + Nsproxy.CGROUP_NS));
        Namespaces.putNet(g, Mem.getLong(ns + Nsproxy.NET_NS));
        g.free(g.nsproxyCachep, ns);
    }

    /**
     * unshare_nsproxy_namespaces: for unshare, a new set for {@code current} when {@code flags}
     * asks for a new namespace, owned by the user namespace of {@code newCred} (the cred unshare
     * is preparing) or else of current's. CAP_SYS_ADMIN in that namespace, or -EPERM. The caller
     * installs the set with {@link #switchTaskNamespaces}.
     *
     * @return the new nsproxy; 0 when no namespace is asked for; or a negative errno
     */
    public static long unshareNsproxyNamespaces(Globals g, long current, long flags, long newCred) {
        if (!NsRules.wantsNewNamespaces(flags)) {
            return 0;
        }
        final long cred = newCred != 0 ? newCred : Mem.getLong(current + TaskStruct.CRED);
        final long userNs = Mem.getLong(cred + Cred.USER_NS);
        if (!Capability.nsCapable(current, userNs, Capabilities.CAP_SYS_ADMIN)) {
            return -Errno.EPERM;
        }
        return createNewNamespaces(g, current, flags, current, userNs);
    }

    /** switch_task_namespaces: {@code p} moves to {@code created} (or to none), under task_lock. */
    public static void switchTaskNamespaces(Globals g, long p, long created) {
        final long lock = p + TaskStruct.ALLOC_LOCK;
        Spinlock.lock(lock);
        final long ns = Mem.getLong(p + TaskStruct.NSPROXY);
        Mem.putLongRelease(p + TaskStruct.NSPROXY, created);
        Spinlock.unlock(lock);
        if (ns != 0) {
            putNsproxy(g, ns);
        }
    }

    /** exit_task_namespaces: a dying task leaves its namespaces. */
    public static void exitTaskNamespaces(Globals g, long p) {
        switchTaskNamespaces(g, p, 0);
    }
}
