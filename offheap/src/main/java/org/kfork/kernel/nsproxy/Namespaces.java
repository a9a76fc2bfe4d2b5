package org.kfork.kernel.nsproxy;

import java.nio.charset.StandardCharsets;

import org.kfork.alloc.SlabFlags;
import org.kfork.cred.UcountTypes;
import org.kfork.cred.Uids;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.cgroup.Cgroups;
import org.kfork.kernel.cred.Capability;
import org.kfork.kernel.cred.Ucount;
import org.kfork.kernel.locking.Refcount;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.CgroupNamespace;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.CssSet;
import org.kfork.kernel.struct.IpcNamespace;
import org.kfork.kernel.struct.MntNamespace;
import org.kfork.kernel.struct.Net;
import org.kfork.kernel.struct.NewUtsname;
import org.kfork.kernel.struct.NsCommon;
import org.kfork.kernel.struct.Nsproxy;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.TimeNamespace;
import org.kfork.kernel.struct.UtsNamespace;
import org.kfork.kernel.struct.WaitQueueHead;
import org.kfork.machine.Abi;
import org.kfork.machine.Mem;
import org.kfork.nsproxy.NsRules;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/**
 * The namespaces an nsproxy holds, other than the pid namespace (the pid room's), as far as fork
 * and unshare need them (5.12): kernel/utsname.c, ipc/namespace.c, fs/namespace.c's mount
 * namespace, net/core/net_namespace.c, kernel/cgroup/namespace.c and kernel/time/namespace.c.
 * Each is a refcounted object (ns.count) from the allocation 5.12 uses, with its copy rule (the
 * old one with a reference, or a new one when its CLONE_NEW* flag is set), its per-user count
 * (inc_ucount, -ENOSPC over the limit), its inode number (ns_alloc_inum) and its put rule.
 *
 * <p>What each holds, and what it omits:
 * <ul>
 *   <li>uts_namespace (uts_ns_cache): the new_utsname strings, copied from the parent's.</li>
 *   <li>ipc_namespace (kzalloc: kmalloc-1k): the System V and POSIX mqueue limits of
 *       sem_init_ns, msg_init_ns, shm_init_ns and mq_init_ns. No IPC ids tables (ipc_init_ids'
 *       rhashtable), no mqueue mount; the last put frees at once, where 5.12 defers through
 *       free_ipc_work because unmounting mqueue waits for a grace period.</li>
 *   <li>mnt_namespace (kzalloc: kmalloc-128): the namespace object with its sequence number. No
 *       mount tree: copy_mnt_ns neither copies mounts (copy_tree) nor moves the new fs_struct's
 *       root and pwd; put_mnt_ns has no mounts to drop. The init namespace is made at boot by
 *       init_mount_tree (and holds the root user's first UCOUNT_MNT_NAMESPACES count).</li>
 *   <li>net (net_namespace cache): an opaque refcounted object, the head of struct net (see
 *       {@link Net}): count, passive, ucounts, user_ns, inum. No pernet subsystems, net_generic
 *       or key domain allocations; the last put tears it down at once, where 5.12 queues
 *       cleanup_net on the netns workqueue.</li>
 *   <li>cgroup_namespace (kzalloc: kmalloc-64): its root css_set, the current task's, with a
 *       reference. init_css_set is the only css_set of the model.</li>
 *   <li>time_namespace (kmalloc: kmalloc-96, and a zeroed page for its vvar page): the clock
 *       offsets copied from the parent's, frozen when the first task enters (timens_commit). The
 *       vvar page's vdso_data is not written and no mapping is switched: the model has no vDSO.
 *       vvar_page holds the page's kernel address, since the model has no struct page array.</li>
 * </ul>
 * With CONFIG_USER_NS off, get_user_ns and put_user_ns do nothing and every user_ns is
 * init_user_ns. Every allocation, the vvar page included, asks the failslab injector first.
 */
public final class Namespaces {
    /** The kernel address standing for {@code &utsns_operations} and the other ns ops: none is modeled. */
    private static final long NO_NS_OPS = 0;

    private Namespaces() {
    }

    // ------------------------------------------------------------------------------------------
    // Boot: the statics and caches (called by Nsproxies.nsproxyInit in start_kernel's order)
    // ------------------------------------------------------------------------------------------

    /** The static namespaces: init_uts_ns, init_ipc_ns, init_css_set, init_cgroup_ns, init_time_ns, init_net. */
    static void nsStatics(Globals g) {
        final long uts = g.image.alloc(UtsNamespace.SIZEOF, UtsNamespace.ALIGNOF);
        Refcount.set(uts + UtsNamespace.NS + NsCommon.COUNT, 2);
        final String[] name = NsRules.initUtsName();
        final long[] fields = {NewUtsname.SYSNAME, NewUtsname.NODENAME, NewUtsname.RELEASE, NewUtsname.VERSION,
            NewUtsname.MACHINE, NewUtsname.DOMAINNAME};
        for (int i = 0; i < fields.length; i++) {
            final byte[] b = name[i].getBytes(StandardCharsets.US_ASCII);
            for (int j = 0; j < b.length; j++) {
                Mem.putByte(uts + UtsNamespace.NAME + fields[i] + j, b[j]);
            }
        }
        Mem.putLong(uts + UtsNamespace.USER_NS, g.initUserNs);
        Mem.putInt(uts + UtsNamespace.NS + NsCommon.INUM, NsRules.PROC_UTS_INIT_INO);
        g.initUtsNs = uts;

        final long ipc = g.image.alloc(IpcNamespace.SIZEOF, IpcNamespace.ALIGNOF);
        Refcount.set(ipc + IpcNamespace.NS + NsCommon.COUNT, 1);
        Mem.putLong(ipc + IpcNamespace.USER_NS, g.initUserNs);
        Mem.putInt(ipc + IpcNamespace.NS + NsCommon.INUM, NsRules.PROC_IPC_INIT_INO);
        g.initIpcNs = ipc;

        final long cset = g.image.alloc(CssSet.SIZEOF, CssSet.ALIGNOF);
        Refcount.set(cset + CssSet.REFCOUNT, 1);
        Mem.putLong(cset + CssSet.DOM_CSET, cset);
        for (long head : new long[] {CssSet.TASKS, CssSet.MG_TASKS, CssSet.DYING_TASKS, CssSet.TASK_ITERS,
            CssSet.THREADED_CSETS, CssSet.CGRP_LINKS, CssSet.MG_PRELOAD_NODE, CssSet.MG_NODE}) {
            IntrusiveList.init(cset + head);
        }
        g.initCssSet = cset;

        final long cgroup = g.image.alloc(CgroupNamespace.SIZEOF, CgroupNamespace.ALIGNOF);
        Refcount.set(cgroup + CgroupNamespace.NS + NsCommon.COUNT, 2);
        Mem.putLong(cgroup + CgroupNamespace.USER_NS, g.initUserNs);
        Mem.putInt(cgroup + CgroupNamespace.NS + NsCommon.INUM, NsRules.PROC_CGROUP_INIT_INO);
        Mem.putLong(cgroup + CgroupNamespace.ROOT_CSET, cset);
        g.initCgroupNs = cgroup;

        final long time = g.image.alloc(TimeNamespace.SIZEOF, TimeNamespace.ALIGNOF);
        Refcount.set(time + TimeNamespace.NS + NsCommon.COUNT, 3);
        Mem.putLong(time + TimeNamespace.USER_NS, g.initUserNs);
        Mem.putInt(time + TimeNamespace.NS + NsCommon.INUM, NsRules.PROC_TIME_INIT_INO);
        Mem.putByte(time + TimeNamespace.FROZEN_OFFSETS, (byte) 1);
        g.initTimeNs = time;
        g.timensOffsetLock = g.image.alloc(Integer.BYTES, Integer.BYTES);
        Spinlock.init(g.timensOffsetLock);

        final long net = g.image.alloc(Net.SIZEOF, Abi.L1_CACHE_BYTES);
        Refcount.set(net + Net.NS + NsCommon.COUNT, 1);
        g.initNet = net;
    }

    /** uts_ns_init: the uts_namespace cache, whose name field may be copied to user space. */
    static void utsNsInit(Globals g) {
        g.utsNsCache = g.kmem.slabs().createUsercopy("uts_namespace", (int) UtsNamespace.SIZEOF, 0,
            SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, (int) UtsNamespace.NAME, (int) NewUtsname.SIZEOF, null);
    }

    /**
     * init_mount_tree's namespace part: the initial mount namespace, made as every other one is
     * (alloc_mnt_ns by root, in init_user_ns), with a second reference for init_nsproxy.
     */
    static void initMountTree(Globals g) {
        final long ns = allocMntNs(g, Uids.GLOBAL_ROOT_UID, g.initUserNs, false);
        if (Errno.isError(ns)) {
            throw new IllegalStateException("Can't allocate initial namespace: " + Errno.name((int) ns));
        }
        Mem.putLong(g.initNsproxy + Nsproxy.MNT_NS, ns);
        getMntNs(ns);
    }

    /** net_ns_init: the net_namespace cache, and setup_net of init_net. */
    static void netNsInit(Globals g) {
        g.netCachep = g.kmem.slabs().create("net_namespace", (int) Net.SIZEOF, Abi.L1_CACHE_BYTES,
            SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, null);
        if (setupNet(g, g.initNet, g.initUserNs) < 0) {
            throw new IllegalStateException("Could not setup the initial network namespace");
        }
    }

    /** ipc_init and init_mqueue_fs: the limits of init_ipc_ns. */
    static void ipcInit(Globals g) {
        mqInitNs(g.initIpcNs);
        semMsgShmInitNs(g.initIpcNs);
    }

    /** Undoes the boot (the kernel never does): the initial mount namespace goes, then the caches. */
    static void nsClose(Globals g) {
        final long mnt = Mem.getLong(g.initNsproxy + Nsproxy.MNT_NS);
        if (mnt != 0) {
            Mem.putLong(g.initNsproxy + Nsproxy.MNT_NS, 0);
            putMntNs(g, mnt);
            putMntNs(g, mnt);
        }
        g.netCachep.destroy();
        g.utsNsCache.destroy();
    }

    // ------------------------------------------------------------------------------------------
    // include/linux/proc_ns.h
    // ------------------------------------------------------------------------------------------

    /**
     * ns_alloc_inum: an inode number for a new namespace (the ns_common at {@code nsCommon}), as
     * create_pid_namespace also takes one. Returns 0 or a negative errno.
     */
    public static int nsAllocInum(Globals g, long nsCommon) {
        Mem.putLong(nsCommon + NsCommon.STASHED, 0);
        final long inum = g.procInums.alloc();
        if (inum < 0) {
            return (int) inum;
        }
        Mem.putInt(nsCommon + NsCommon.INUM, (int) inum);
        return 0;
    }

    /** ns_free_inum. */
    public static void nsFreeInum(Globals g, long nsCommon) {
        g.procInums.free(Mem.getInt(nsCommon + NsCommon.INUM));
    }

    private static int currentEuid(long current) {
        return Mem.getInt(Mem.getLong(current + TaskStruct.CRED) + Cred.EUID);
    }

    // ------------------------------------------------------------------------------------------
    // kernel/utsname.c
    // ------------------------------------------------------------------------------------------

    /** get_uts_ns. */
    public static void getUtsNs(long ns) {
        Refcount.inc(ns + UtsNamespace.NS + NsCommon.COUNT, "uts_namespace.ns.count");
    }

    /** put_uts_ns: the last reference frees. */
    public static void putUtsNs(Globals g, long ns) {
        if (Refcount.decAndTest(ns + UtsNamespace.NS + NsCommon.COUNT, "uts_namespace.ns.count")) {
            freeUtsNs(g, ns);
        }
    }

    /** clone_uts_ns: a copy of {@code oldNs}'s names, counted against the creator. */
    private static long cloneUtsNs(Globals g, long current, long userNs, long oldNs) {
        final long ucounts = Ucount.incUcount(g, userNs, currentEuid(current), UcountTypes.UCOUNT_UTS_NAMESPACES);
        if (ucounts == 0) {
            return -Errno.ENOSPC;
        }
        final long ns = g.alloc(g.utsNsCache); // create_uts_ns
        if (ns == 0) {
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_UTS_NAMESPACES);
            return -Errno.ENOMEM;
        }
        Refcount.set(ns + UtsNamespace.NS + NsCommon.COUNT, 1);
        final int err = nsAllocInum(g, ns + UtsNamespace.NS);
        if (err != 0) {
            g.free(g.utsNsCache, ns);
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_UTS_NAMESPACES);
            return err;
        }
        Mem.putLong(ns + UtsNamespace.UCOUNTS, ucounts);
        Mem.putLong(ns + UtsNamespace.NS + NsCommon.OPS, NO_NS_OPS);
        // under uts_sem for reading in 5.12: the names are copied whole
        Mem.copy(oldNs + UtsNamespace.NAME, ns + UtsNamespace.NAME, NewUtsname.SIZEOF);
        Mem.putLong(ns + UtsNamespace.USER_NS, userNs);
        return ns;
    }

    /** copy_utsname: {@code oldNs} with a reference, or a new copy of it for CLONE_NEWUTS. */
    static long copyUtsname(Globals g, long current, long flags, long userNs, long oldNs) {
        getUtsNs(oldNs);
        if ((flags & CloneFlags.CLONE_NEWUTS) == 0) {
            return oldNs;
        }
        final long ns = cloneUtsNs(g, current, userNs, oldNs);
        putUtsNs(g, oldNs);
        return ns;
    }

    /** free_uts_ns. */
    private static void freeUtsNs(Globals g, long ns) {
        if (ns == g.initUtsNs) {
            throw new IllegalStateException("free_uts_ns: init_uts_ns lost its last reference");
        }
        Ucount.decUcount(g, Mem.getLong(ns + UtsNamespace.UCOUNTS), UcountTypes.UCOUNT_UTS_NAMESPACES);
        nsFreeInum(g, ns + UtsNamespace.NS);
        g.free(g.utsNsCache, ns);
    }

    // ------------------------------------------------------------------------------------------
    // ipc/namespace.c, with the limits of ipc/sem.c, msg.c, shm.c and mqueue.c
    // ------------------------------------------------------------------------------------------

    /** get_ipc_ns. */
    public static void getIpcNs(long ns) {
        Refcount.inc(ns + IpcNamespace.NS + NsCommon.COUNT, "ipc_namespace.ns.count");
    }

    /** put_ipc_ns: the last reference frees (at once in the model; 5.12 defers to free_ipc_work). */
    public static void putIpcNs(Globals g, long ns) {
        if (Refcount.decAndTest(ns + IpcNamespace.NS + NsCommon.COUNT, "ipc_namespace.ns.count")) {
            freeIpcNs(g, ns);
        }
    }

    /** mq_init_ns's limits (its mqueue mount is not modeled). */
    private static void mqInitNs(long ns) {
        Mem.putInt(ns + IpcNamespace.MQ_QUEUES_COUNT, 0);
        Mem.putInt(ns + IpcNamespace.MQ_QUEUES_MAX, NsRules.DFLT_QUEUESMAX);
        Mem.putInt(ns + IpcNamespace.MQ_MSG_MAX, NsRules.DFLT_MSGMAX);
        Mem.putInt(ns + IpcNamespace.MQ_MSGSIZE_MAX, NsRules.DFLT_MSGSIZEMAX);
        Mem.putInt(ns + IpcNamespace.MQ_MSG_DEFAULT, NsRules.DFLT_MSG);
        Mem.putInt(ns + IpcNamespace.MQ_MSGSIZE_DEFAULT, NsRules.DFLT_MSGSIZE);
    }

    /** sem_init_ns, msg_init_ns and shm_init_ns: the limits (the ids tables are not modeled). */
    private static void semMsgShmInitNs(long ns) {
        final long sem = ns + IpcNamespace.SEM_CTLS;
        Mem.putInt(sem, NsRules.SEMMSL);
        Mem.putInt(sem + 4, NsRules.SEMMNS);
        Mem.putInt(sem + 8, NsRules.SEMOPM);
        Mem.putInt(sem + 12, NsRules.SEMMNI);
        Mem.putInt(ns + IpcNamespace.USED_SEMS, 0);
        Mem.putInt(ns + IpcNamespace.MSG_CTLMAX, NsRules.MSGMAX);
        Mem.putInt(ns + IpcNamespace.MSG_CTLMNB, NsRules.MSGMNB);
        Mem.putInt(ns + IpcNamespace.MSG_CTLMNI, NsRules.MSGMNI);
        Mem.putInt(ns + IpcNamespace.MSG_BYTES, 0);
        Mem.putInt(ns + IpcNamespace.MSG_HDRS, 0);
        Mem.putLong(ns + IpcNamespace.SHM_CTLMAX, NsRules.SHMMAX);
        Mem.putLong(ns + IpcNamespace.SHM_CTLALL, NsRules.SHMALL);
        Mem.putInt(ns + IpcNamespace.SHM_CTLMNI, NsRules.SHMMNI);
        Mem.putInt(ns + IpcNamespace.SHM_RMID_FORCED, 0);
        Mem.putLong(ns + IpcNamespace.SHM_TOT, 0);
    }

    /** create_ipc_ns: a new IPC namespace with default limits, counted against the creator. */
    private static long createIpcNs(Globals g, long current, long userNs) {
        final long ucounts = Ucount.incUcount(g, userNs, currentEuid(current), UcountTypes.UCOUNT_IPC_NAMESPACES);
        if (ucounts == 0) {
            return -Errno.ENOSPC;
        }
        final long ns = g.kzalloc(IpcNamespace.SIZEOF);
        if (ns == 0) {
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_IPC_NAMESPACES);
            return -Errno.ENOMEM;
        }
        final int err = nsAllocInum(g, ns + IpcNamespace.NS);
        if (err != 0) {
            g.kfree(ns);
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_IPC_NAMESPACES);
            return err;
        }
        Mem.putLong(ns + IpcNamespace.NS + NsCommon.OPS, NO_NS_OPS);
        Refcount.set(ns + IpcNamespace.NS + NsCommon.COUNT, 1);
        Mem.putLong(ns + IpcNamespace.USER_NS, userNs);
        Mem.putLong(ns + IpcNamespace.UCOUNTS, ucounts);
        mqInitNs(ns);
        semMsgShmInitNs(ns);
        return ns;
    }

    /** copy_ipcs: {@code ns} with a reference, or a new namespace for CLONE_NEWIPC. */
    static long copyIpcs(Globals g, long current, long flags, long userNs, long ns) {
        if ((flags & CloneFlags.CLONE_NEWIPC) == 0) {
            getIpcNs(ns);
            return ns;
        }
        return createIpcNs(g, current, userNs);
    }

    /** free_ipc_ns (no mqueue mount, no ids to free). */
    private static void freeIpcNs(Globals g, long ns) {
        if (ns == g.initIpcNs) {
            throw new IllegalStateException("put_ipc_ns: init_ipc_ns lost its last reference");
        }
        Ucount.decUcount(g, Mem.getLong(ns + IpcNamespace.UCOUNTS), UcountTypes.UCOUNT_IPC_NAMESPACES);
        nsFreeInum(g, ns + IpcNamespace.NS);
        g.kfree(ns);
    }

    // ------------------------------------------------------------------------------------------
    // fs/namespace.c: the mount namespace, without mounts
    // ------------------------------------------------------------------------------------------

    /** get_mnt_ns. */
    public static void getMntNs(long ns) {
        Refcount.inc(ns + MntNamespace.NS + NsCommon.COUNT, "mnt_namespace.ns.count");
    }

    /** put_mnt_ns: the last reference frees (there are no collected mounts to drop). */
    public static void putMntNs(Globals g, long ns) {
        if (Refcount.decAndTest(ns + MntNamespace.NS + NsCommon.COUNT, "mnt_namespace.ns.count")) {
            freeMntNs(g, ns);
        }
    }

    /**
     * alloc_mnt_ns: an empty mount namespace owned by {@code userNs}, counted against {@code euid}
     * (the creator's), with the next sequence number unless anonymous.
     */
    static long allocMntNs(Globals g, int euid, long userNs, boolean anon) {
        final long ucounts = Ucount.incUcount(g, userNs, euid, UcountTypes.UCOUNT_MNT_NAMESPACES);
        if (ucounts == 0) {
            return -Errno.ENOSPC;
        }
        final long ns = g.kzalloc(MntNamespace.SIZEOF);
        if (ns == 0) {
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_MNT_NAMESPACES);
            return -Errno.ENOMEM;
        }
        if (!anon) {
            final int err = nsAllocInum(g, ns + MntNamespace.NS);
            if (err != 0) {
                g.kfree(ns);
                Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_MNT_NAMESPACES);
                return err;
            }
        }
        Mem.putLong(ns + MntNamespace.NS + NsCommon.OPS, NO_NS_OPS);
        if (!anon) {
            Mem.putLong(ns + MntNamespace.SEQ, g.mntNsSeq.incrementAndGet());
        }
        Refcount.set(ns + MntNamespace.NS + NsCommon.COUNT, 1);
        IntrusiveList.init(ns + MntNamespace.LIST);
        Spinlock.init(ns + MntNamespace.POLL + WaitQueueHead.LOCK);
        IntrusiveList.init(ns + MntNamespace.POLL + WaitQueueHead.HEAD);
        Spinlock.init(ns + MntNamespace.NS_LOCK);
        Mem.putLong(ns + MntNamespace.USER_NS, userNs);
        Mem.putLong(ns + MntNamespace.UCOUNTS, ucounts);
        return ns;
    }

    /**
     * copy_mnt_ns: {@code ns} with a reference, or for CLONE_NEWNS a new namespace. 5.12 then
     * copies the mount tree and moves the new fs_struct's root and pwd into it; the model has no
     * mounts, so the new namespace stays empty.
     */
    static long copyMntNs(Globals g, long current, long flags, long ns, long userNs) {
        if ((flags & CloneFlags.CLONE_NEWNS) == 0) {
            getMntNs(ns);
            return ns;
        }
        return allocMntNs(g, currentEuid(current), userNs, false);
    }

    /** free_mnt_ns. */
    private static void freeMntNs(Globals g, long ns) {
        if (Mem.getLong(ns + MntNamespace.SEQ) != 0) { // is_anon_ns: seq 0
            nsFreeInum(g, ns + MntNamespace.NS);
        }
        Ucount.decUcount(g, Mem.getLong(ns + MntNamespace.UCOUNTS), UcountTypes.UCOUNT_MNT_NAMESPACES);
        g.kfree(ns);
    }

    // ------------------------------------------------------------------------------------------
    // net/core/net_namespace.c: a network namespace as an opaque refcounted object
    // ------------------------------------------------------------------------------------------

    /** get_net. */
    public static void getNet(long net) {
        Refcount.inc(net + Net.NS + NsCommon.COUNT, "net.ns.count");
    }

    /** put_net: the last reference tears the namespace down (cleanup_net, at once in the model). */
    public static void putNet(Globals g, long net) {
        if (Refcount.decAndTest(net + Net.NS + NsCommon.COUNT, "net.ns.count")) {
            cleanupNet(g, net);
        }
    }

    /** setup_net: the counts and the owner, then the pernet init the model has: net_ns_net_init's inum. */
    private static int setupNet(Globals g, long net, long userNs) {
        Refcount.set(net + Net.NS + NsCommon.COUNT, 1);
        Refcount.set(net + Net.PASSIVE, 1);
        Mem.putInt(net + Net.DEV_BASE_SEQ, 1);
        Mem.putLong(net + Net.USER_NS, userNs);
        Mem.putLong(net + Net.NS + NsCommon.OPS, NO_NS_OPS);
        return nsAllocInum(g, net + Net.NS);
    }

    /**
     * copy_net_ns: {@code oldNet} with a reference, or for CLONE_NEWNET a new namespace counted
     * against the creator (net_alloc: the net_namespace cache; the passive reference; setup_net).
     */
    static long copyNetNs(Globals g, long current, long flags, long userNs, long oldNet) {
        if ((flags & CloneFlags.CLONE_NEWNET) == 0) {
            getNet(oldNet);
            return oldNet;
        }
        final long ucounts = Ucount.incUcount(g, userNs, currentEuid(current), UcountTypes.UCOUNT_NET_NAMESPACES);
        if (ucounts == 0) {
            return -Errno.ENOSPC;
        }
        final long net = g.zalloc(g.netCachep); // net_alloc
        if (net == 0) {
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_NET_NAMESPACES);
            return -Errno.ENOMEM;
        }
        Refcount.set(net + Net.PASSIVE, 1);
        Mem.putLong(net + Net.UCOUNTS, ucounts);
        final int rv = setupNet(g, net, userNs);
        if (rv < 0) {
            netDropNs(g, net);
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_NET_NAMESPACES);
            return rv;
        }
        return net;
    }

    /** cleanup_net, reduced to what the model keeps: the count, the inum, the passive reference. */
    private static void cleanupNet(Globals g, long net) {
        if (net == g.initNet) {
            throw new IllegalStateException("put_net: init_net lost its last reference");
        }
        nsFreeInum(g, net + Net.NS); // net_ns_net_exit
        Ucount.decUcount(g, Mem.getLong(net + Net.UCOUNTS), UcountTypes.UCOUNT_NET_NAMESPACES);
        netDropNs(g, net);
    }

    /** net_drop_ns: the last passive reference frees the memory (net_free). */
    private static void netDropNs(Globals g, long net) {
        if (Refcount.decAndTest(net + Net.PASSIVE, "net.passive")) {
            g.free(g.netCachep, net);
        }
    }

    // ------------------------------------------------------------------------------------------
    // kernel/cgroup/namespace.c and the css_set references of kernel/cgroup/cgroup.c
    // ------------------------------------------------------------------------------------------

    /** get_cgroup_ns. */
    public static void getCgroupNs(long ns) {
        Refcount.inc(ns + CgroupNamespace.NS + NsCommon.COUNT, "cgroup_namespace.ns.count");
    }

    /** put_cgroup_ns: the last reference frees. */
    public static void putCgroupNs(Globals g, long ns) {
        if (Refcount.decAndTest(ns + CgroupNamespace.NS + NsCommon.COUNT, "cgroup_namespace.ns.count")) {
            freeCgroupNs(g, ns);
        }
    }

    /** alloc_cgroup_ns. */
    private static long allocCgroupNs(Globals g) {
        final long ns = g.kzalloc(CgroupNamespace.SIZEOF);
        if (ns == 0) {
            return -Errno.ENOMEM;
        }
        final int ret = nsAllocInum(g, ns + CgroupNamespace.NS);
        if (ret != 0) {
            g.kfree(ns);
            return ret;
        }
        Refcount.set(ns + CgroupNamespace.NS + NsCommon.COUNT, 1);
        Mem.putLong(ns + CgroupNamespace.NS + NsCommon.OPS, NO_NS_OPS);
        return ns;
    }

    /**
     * copy_cgroup_ns: {@code oldNs} with a reference, or for CLONE_NEWCGROUP a namespace rooted at
     * the current task's css_set (only CAP_SYS_ADMIN in the user namespace may make one).
     */
    static long copyCgroupNs(Globals g, long current, long flags, long userNs, long oldNs) {
        if ((flags & CloneFlags.CLONE_NEWCGROUP) == 0) {
            getCgroupNs(oldNs);
            return oldNs;
        }
        if (!Capability.nsCapable(current, userNs, Capabilities.CAP_SYS_ADMIN)) {
            return -Errno.EPERM;
        }
        final long ucounts = Ucount.incUcount(g, userNs, currentEuid(current), UcountTypes.UCOUNT_CGROUP_NAMESPACES);
        if (ucounts == 0) {
            return -Errno.ENOSPC;
        }
        // under css_set_lock in 5.12: the reference is taken before the pointer can change
        final long cset = Mem.getLongAcquire(current + TaskStruct.CGROUPS);
        Cgroups.getCssSet(cset);
        final long ns = allocCgroupNs(g);
        if (Errno.isError(ns)) {
            Cgroups.putCssSet(cset);
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_CGROUP_NAMESPACES);
            return ns;
        }
        Mem.putLong(ns + CgroupNamespace.USER_NS, userNs);
        Mem.putLong(ns + CgroupNamespace.UCOUNTS, ucounts);
        Mem.putLong(ns + CgroupNamespace.ROOT_CSET, cset);
        return ns;
    }

    /** free_cgroup_ns. */
    private static void freeCgroupNs(Globals g, long ns) {
        if (ns == g.initCgroupNs) {
            throw new IllegalStateException("put_cgroup_ns: init_cgroup_ns lost its last reference");
        }
        Cgroups.putCssSet(Mem.getLong(ns + CgroupNamespace.ROOT_CSET));
        Ucount.decUcount(g, Mem.getLong(ns + CgroupNamespace.UCOUNTS), UcountTypes.UCOUNT_CGROUP_NAMESPACES);
        nsFreeInum(g, ns + CgroupNamespace.NS);
        g.kfree(ns);
    }

    // ------------------------------------------------------------------------------------------
    // kernel/time/namespace.c
    // ------------------------------------------------------------------------------------------

    /** get_time_ns. */
    public static long getTimeNs(long ns) {
        Refcount.inc(ns + TimeNamespace.NS + NsCommon.COUNT, "time_namespace.ns.count");
        return ns;
    }

    /** put_time_ns: the last reference frees. */
    public static void putTimeNs(Globals g, long ns) {
        if (Refcount.decAndTest(ns + TimeNamespace.NS + NsCommon.COUNT, "time_namespace.ns.count")) {
            freeTimeNs(g, ns);
        }
    }

    /**
     * clone_time_ns: a namespace with {@code oldNs}'s offsets, not yet frozen, with a zeroed vvar
     * page, counted against the creator.
     */
    private static long cloneTimeNs(Globals g, long current, long userNs, long oldNs) {
        final long ucounts = Ucount.incUcount(g, userNs, currentEuid(current), UcountTypes.UCOUNT_TIME_NAMESPACES);
        if (ucounts == 0) {
            return -Errno.ENOSPC;
        }
        final long ns = g.kmalloc(TimeNamespace.SIZEOF);
        if (ns == 0) {
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_TIME_NAMESPACES);
            return -Errno.ENOMEM;
        }
        Refcount.set(ns + TimeNamespace.NS + NsCommon.COUNT, 1);
        final long page = g.failSlab.shouldFail() ? 0 : g.machine.pages().allocPages(0);
        if (page == 0) {
            g.kfree(ns);
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_TIME_NAMESPACES);
            return -Errno.ENOMEM;
        }
        Mem.zero(page, Abi.PAGE_SIZE);
        Mem.putLong(ns + TimeNamespace.VVAR_PAGE, page);
        final int err = nsAllocInum(g, ns + TimeNamespace.NS);
        if (err != 0) {
            g.machine.pages().freePages(page, 0);
            g.kfree(ns);
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_TIME_NAMESPACES);
            return err;
        }
        Mem.putLong(ns + TimeNamespace.UCOUNTS, ucounts);
        Mem.putLong(ns + TimeNamespace.NS + NsCommon.OPS, NO_NS_OPS);
        Mem.putLong(ns + TimeNamespace.USER_NS, userNs);
        Mem.copy(oldNs + TimeNamespace.OFFSETS, ns + TimeNamespace.OFFSETS, TimeNamespace.LAYOUT.sizeOf("offsets"));
        Mem.putByte(ns + TimeNamespace.FROZEN_OFFSETS, (byte) 0);
        return ns;
    }

    /** copy_time_ns: {@code oldNs} with a reference, or a new one for CLONE_NEWTIME. */
    static long copyTimeNs(Globals g, long current, long flags, long userNs, long oldNs) {
        if ((flags & CloneFlags.CLONE_NEWTIME) == 0) {
            return getTimeNs(oldNs);
        }
        return cloneTimeNs(g, current, userNs, oldNs);
    }

    /** free_time_ns. */
    private static void freeTimeNs(Globals g, long ns) {
        if (ns == g.initTimeNs) {
            throw new IllegalStateException("put_time_ns: init_time_ns lost its last reference");
        }
        Ucount.decUcount(g, Mem.getLong(ns + TimeNamespace.UCOUNTS), UcountTypes.UCOUNT_TIME_NAMESPACES);
        nsFreeInum(g, ns + TimeNamespace.NS);
        g.machine.pages().freePages(Mem.getLong(ns + TimeNamespace.VVAR_PAGE), 0);
        g.kfree(ns);
    }

    /**
     * timens_on_fork: a task made with a new nsproxy whose children's time namespace differs from
     * its own enters that namespace (the reference create_new_namespaces took for time_ns is
     * swapped for one on time_ns_for_children).
     */
    static void timensOnFork(Globals g, long nsproxy, long tsk) {
        final long ns = Mem.getLong(nsproxy + Nsproxy.TIME_NS_FOR_CHILDREN);
        if (Mem.getLong(nsproxy + Nsproxy.TIME_NS) == ns) {
            return;
        }
        getTimeNs(ns);
        putTimeNs(g, Mem.getLong(nsproxy + Nsproxy.TIME_NS));
        Mem.putLong(nsproxy + Nsproxy.TIME_NS, ns);
        timensCommit(g, tsk, ns);
    }

    /** timens_commit: the namespace's offsets freeze (vdso_join_timens has no vDSO to switch). */
    static void timensCommit(Globals g, long tsk, long ns) {
        timensSetVvarPage(g, ns);
    }

    /** timens_set_vvar_page: the first task to enter freezes the offsets, under offset_lock. */
    private static void timensSetVvarPage(Globals g, long ns) {
        if (ns == g.initTimeNs || Mem.getByteAcquire(ns + TimeNamespace.FROZEN_OFFSETS) != 0) {
            return;
        }
        Spinlock.lock(g.timensOffsetLock);
        if (Mem.getByte(ns + TimeNamespace.FROZEN_OFFSETS) == 0) {
            Mem.putByteRelease(ns + TimeNamespace.FROZEN_OFFSETS, (byte) 1);
        }
        Spinlock.unlock(g.timensOffsetLock);
    }
}
