package org.kfork.heap.nsproxy;

import java.nio.charset.StandardCharsets;

import org.kfork.cred.UcountTypes;
import org.kfork.cred.Uids;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.cgroup.HeapCgroups;
import org.kfork.heap.cred.HeapCapability;
import org.kfork.heap.cred.HeapUcount;
import org.kfork.heap.cred.HeapUcounts;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.heap.fork.HeapTask;
import org.kfork.nsproxy.NsRules;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/**
 * The heap twin of org.kfork.kernel.nsproxy.Namespaces: the uts, ipc, mnt, net, cgroup and time
 * namespaces, the same functions in the same order, allocating the same kinds in the same order
 * (a new_utsname is 65 bytes per string; the vvar page is a byte[4096] of kind "vvar_page"), with
 * the same contents and omissions.
 */
public final class HeapNamespaces {
    /** The bytes of one new_utsname string (__NEW_UTS_LEN + 1). */
    private static final int UTS_FIELD = NsRules.NEW_UTS_LEN + 1;
    /** PAGE_SIZE, the vvar page's size. */
    private static final int PAGE_SIZE = 4096;

    private HeapNamespaces() {
    }

    // ---- boot ----

    /** The static namespaces. */
    static void nsStatics(HeapGlobals g) {
        final HeapUtsNamespace uts = new HeapUtsNamespace();
        uts.ns.count.set(2);
        final String[] name = NsRules.initUtsName();
        for (int i = 0; i < name.length; i++) {
            final byte[] b = name[i].getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(b, 0, uts.name, i * UTS_FIELD, b.length);
        }
        uts.userNs = g.initUserNs;
        uts.ns.inum = NsRules.PROC_UTS_INIT_INO;
        g.initUtsNs = uts;

        final HeapIpcNamespace ipc = new HeapIpcNamespace();
        ipc.ns.count.set(1);
        ipc.userNs = g.initUserNs;
        ipc.ns.inum = NsRules.PROC_IPC_INIT_INO;
        g.initIpcNs = ipc;

        final HeapCssSet cset = new HeapCssSet();
        cset.refcount.set(1);
        cset.domCset = cset;
        g.initCssSet = cset;

        final HeapCgroupNamespace cgroup = new HeapCgroupNamespace();
        cgroup.ns.count.set(2);
        cgroup.userNs = g.initUserNs;
        cgroup.ns.inum = NsRules.PROC_CGROUP_INIT_INO;
        cgroup.rootCset = cset;
        g.initCgroupNs = cgroup;

        final HeapTimeNamespace time = new HeapTimeNamespace();
        time.ns.count.set(3);
        time.userNs = g.initUserNs;
        time.ns.inum = NsRules.PROC_TIME_INIT_INO;
        time.frozenOffsets = true;
        g.initTimeNs = time;

        final HeapNet net = new HeapNet();
        net.ns.count.set(1);
        g.initNet = net;
    }

    /** uts_ns_init. */
    static void utsNsInit(HeapGlobals g) {
        g.utsNsCache = g.kind("uts_namespace");
    }

    /** init_mount_tree's namespace. */
    static void initMountTree(HeapGlobals g) {
        final HeapMntNamespace ns = allocMntNs(g, Uids.GLOBAL_ROOT_UID, g.initUserNs, false);
        if (ErrPtr.isErr(ns)) {
            throw new IllegalStateException("Can't allocate initial namespace: " + ns);
        }
        g.initNsproxy.mntNs = ns;
        getMntNs(ns);
    }

    /** net_ns_init. */
    static void netNsInit(HeapGlobals g) {
        g.netCachep = g.kind("net_namespace");
        if (setupNet(g, g.initNet, g.initUserNs) < 0) {
            throw new IllegalStateException("Could not setup the initial network namespace");
        }
    }

    /** ipc_init and init_mqueue_fs. */
    static void ipcInit(HeapGlobals g) {
        mqInitNs(g.initIpcNs);
        semMsgShmInitNs(g.initIpcNs);
    }

    // ---- include/linux/proc_ns.h ----

    /** ns_alloc_inum: 0 or a negative errno. */
    public static int nsAllocInum(HeapGlobals g, HeapNsCommon ns) {
        final long inum = g.procInums.alloc();
        if (inum < 0) {
            return (int) inum;
        }
        ns.inum = (int) inum;
        return 0;
    }

    /** ns_free_inum. */
    public static void nsFreeInum(HeapGlobals g, HeapNsCommon ns) {
        g.procInums.free(ns.inum);
    }

    // ---- kernel/utsname.c ----

    /** get_uts_ns. */
    public static void getUtsNs(HeapUtsNamespace ns) {
        ns.ns.count.inc();
    }

    /** put_uts_ns. */
    public static void putUtsNs(HeapGlobals g, HeapUtsNamespace ns) {
        if (ns.ns.count.decAndTest()) {
            freeUtsNs(g, ns);
        }
    }

    private static HeapUtsNamespace cloneUtsNs(HeapGlobals g, HeapTask current, HeapUserNamespace userNs,
                                               HeapUtsNamespace oldNs) {
        final HeapUcounts ucounts = HeapUcount.incUcount(g, userNs, current.cred.euid,
            UcountTypes.UCOUNT_UTS_NAMESPACES);
        if (ucounts == null) {
            return HeapUtsNamespace.errPtr(-Errno.ENOSPC);
        }
        if (!g.alloc(g.utsNsCache)) {
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_UTS_NAMESPACES);
            return HeapUtsNamespace.errPtr(-Errno.ENOMEM);
        }
        final HeapUtsNamespace ns = new HeapUtsNamespace();
        ns.ns.count.set(1);
        final int err = nsAllocInum(g, ns.ns);
        if (err != 0) {
            g.free(g.utsNsCache);
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_UTS_NAMESPACES);
            return HeapUtsNamespace.errPtr(err);
        }
        ns.ucounts = ucounts;
        System.arraycopy(oldNs.name, 0, ns.name, 0, ns.name.length);
        ns.userNs = userNs;
        return ns;
    }

    /** copy_utsname. */
    static HeapUtsNamespace copyUtsname(HeapGlobals g, HeapTask current, long flags, HeapUserNamespace userNs,
                                        HeapUtsNamespace oldNs) {
        getUtsNs(oldNs);
        if ((flags & CloneFlags.CLONE_NEWUTS) == 0) {
            return oldNs;
        }
        final HeapUtsNamespace ns = cloneUtsNs(g, current, userNs, oldNs);
        putUtsNs(g, oldNs);
        return ns;
    }

    private static void freeUtsNs(HeapGlobals g, HeapUtsNamespace ns) {
        if (ns == g.initUtsNs) {
            throw new IllegalStateException("free_uts_ns: init_uts_ns lost its last reference");
        }
        HeapUcount.decUcount(g, ns.ucounts, UcountTypes.UCOUNT_UTS_NAMESPACES);
        nsFreeInum(g, ns.ns);
        g.free(g.utsNsCache);
    }

    // ---- ipc/namespace.c ----

    /** get_ipc_ns. */
    public static void getIpcNs(HeapIpcNamespace ns) {
        ns.ns.count.inc();
    }

    /** put_ipc_ns. */
    public static void putIpcNs(HeapGlobals g, HeapIpcNamespace ns) {
        if (ns.ns.count.decAndTest()) {
            freeIpcNs(g, ns);
        }
    }

    private static void mqInitNs(HeapIpcNamespace ns) {
        ns.mqQueuesCount = 0;
        ns.mqQueuesMax = NsRules.DFLT_QUEUESMAX;
        ns.mqMsgMax = NsRules.DFLT_MSGMAX;
        ns.mqMsgsizeMax = NsRules.DFLT_MSGSIZEMAX;
        ns.mqMsgDefault = NsRules.DFLT_MSG;
        ns.mqMsgsizeDefault = NsRules.DFLT_MSGSIZE;
    }

    private static void semMsgShmInitNs(HeapIpcNamespace ns) {
        ns.semCtls[0] = NsRules.SEMMSL;
        ns.semCtls[1] = NsRules.SEMMNS;
        ns.semCtls[2] = NsRules.SEMOPM;
        ns.semCtls[3] = NsRules.SEMMNI;
        ns.usedSems = 0;
        ns.msgCtlmax = NsRules.MSGMAX;
        ns.msgCtlmnb = NsRules.MSGMNB;
        ns.msgCtlmni = NsRules.MSGMNI;
        ns.msgBytes = 0;
        ns.msgHdrs = 0;
        ns.shmCtlmax = NsRules.SHMMAX;
        ns.shmCtlall = NsRules.SHMALL;
        ns.shmCtlmni = NsRules.SHMMNI;
        ns.shmRmidForced = 0;
        ns.shmTot = 0;
    }

    private static HeapIpcNamespace createIpcNs(HeapGlobals g, HeapTask current, HeapUserNamespace userNs) {
        final HeapUcounts ucounts = HeapUcount.incUcount(g, userNs, current.cred.euid,
            UcountTypes.UCOUNT_IPC_NAMESPACES);
        if (ucounts == null) {
            return HeapIpcNamespace.errPtr(-Errno.ENOSPC);
        }
        if (!g.kmalloc(HeapIpcNamespace.KMALLOC_CACHE)) {
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_IPC_NAMESPACES);
            return HeapIpcNamespace.errPtr(-Errno.ENOMEM);
        }
        final HeapIpcNamespace ns = new HeapIpcNamespace();
        final int err = nsAllocInum(g, ns.ns);
        if (err != 0) {
            g.kfree(HeapIpcNamespace.KMALLOC_CACHE);
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_IPC_NAMESPACES);
            return HeapIpcNamespace.errPtr(err);
        }
        ns.ns.count.set(1);
        ns.userNs = userNs;
        ns.ucounts = ucounts;
        mqInitNs(ns);
        semMsgShmInitNs(ns);
        return ns;
    }

    /** copy_ipcs. */
    static HeapIpcNamespace copyIpcs(HeapGlobals g, HeapTask current, long flags, HeapUserNamespace userNs,
                                     HeapIpcNamespace ns) {
        if ((flags & CloneFlags.CLONE_NEWIPC) == 0) {
            getIpcNs(ns);
            return ns;
        }
        return createIpcNs(g, current, userNs);
    }

    private static void freeIpcNs(HeapGlobals g, HeapIpcNamespace ns) {
        if (ns == g.initIpcNs) {
            throw new IllegalStateException("put_ipc_ns: init_ipc_ns lost its last reference");
        }
        HeapUcount.decUcount(g, ns.ucounts, UcountTypes.UCOUNT_IPC_NAMESPACES);
        nsFreeInum(g, ns.ns);
        g.kfree(HeapIpcNamespace.KMALLOC_CACHE);
    }

    // ---- fs/namespace.c ----

    /** get_mnt_ns. */
    public static void getMntNs(HeapMntNamespace ns) {
        ns.ns.count.inc();
    }

    /** put_mnt_ns. */
    public static void putMntNs(HeapGlobals g, HeapMntNamespace ns) {
        if (ns.ns.count.decAndTest()) {
            freeMntNs(g, ns);
        }
    }

    /** alloc_mnt_ns. */
    static HeapMntNamespace allocMntNs(HeapGlobals g, int euid, HeapUserNamespace userNs, boolean anon) {
        final HeapUcounts ucounts = HeapUcount.incUcount(g, userNs, euid, UcountTypes.UCOUNT_MNT_NAMESPACES);
        if (ucounts == null) {
            return HeapMntNamespace.errPtr(-Errno.ENOSPC);
        }
        if (!g.kmalloc(HeapMntNamespace.KMALLOC_CACHE)) {
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_MNT_NAMESPACES);
            return HeapMntNamespace.errPtr(-Errno.ENOMEM);
        }
        final HeapMntNamespace ns = new HeapMntNamespace();
        if (!anon) {
            final int err = nsAllocInum(g, ns.ns);
            if (err != 0) {
                g.kfree(HeapMntNamespace.KMALLOC_CACHE);
                HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_MNT_NAMESPACES);
                return HeapMntNamespace.errPtr(err);
            }
            ns.seq = g.mntNsSeq.incrementAndGet();
        }
        ns.ns.count.set(1);
        ns.userNs = userNs;
        ns.ucounts = ucounts;
        return ns;
    }

    /** copy_mnt_ns, without mounts. */
    static HeapMntNamespace copyMntNs(HeapGlobals g, HeapTask current, long flags, HeapMntNamespace ns,
                                      HeapUserNamespace userNs) {
        if ((flags & CloneFlags.CLONE_NEWNS) == 0) {
            getMntNs(ns);
            return ns;
        }
        return allocMntNs(g, current.cred.euid, userNs, false);
    }

    private static void freeMntNs(HeapGlobals g, HeapMntNamespace ns) {
        if (ns.seq != 0) {
            nsFreeInum(g, ns.ns);
        }
        HeapUcount.decUcount(g, ns.ucounts, UcountTypes.UCOUNT_MNT_NAMESPACES);
        g.kfree(HeapMntNamespace.KMALLOC_CACHE);
    }

    // ---- net/core/net_namespace.c ----

    /** get_net. */
    public static void getNet(HeapNet net) {
        net.ns.count.inc();
    }

    /** put_net. */
    public static void putNet(HeapGlobals g, HeapNet net) {
        if (net.ns.count.decAndTest()) {
            cleanupNet(g, net);
        }
    }

    private static int setupNet(HeapGlobals g, HeapNet net, HeapUserNamespace userNs) {
        net.ns.count.set(1);
        net.passive.set(1);
        net.devBaseSeq = 1;
        net.userNs = userNs;
        return nsAllocInum(g, net.ns);
    }

    /** copy_net_ns. */
    static HeapNet copyNetNs(HeapGlobals g, HeapTask current, long flags, HeapUserNamespace userNs, HeapNet oldNet) {
        if ((flags & CloneFlags.CLONE_NEWNET) == 0) {
            getNet(oldNet);
            return oldNet;
        }
        final HeapUcounts ucounts = HeapUcount.incUcount(g, userNs, current.cred.euid,
            UcountTypes.UCOUNT_NET_NAMESPACES);
        if (ucounts == null) {
            return HeapNet.errPtr(-Errno.ENOSPC);
        }
        if (!g.alloc(g.netCachep)) {
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_NET_NAMESPACES);
            return HeapNet.errPtr(-Errno.ENOMEM);
        }
        final HeapNet net = new HeapNet();
        net.passive.set(1);
        net.ucounts = ucounts;
        final int rv = setupNet(g, net, userNs);
        if (rv < 0) {
            netDropNs(g, net);
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_NET_NAMESPACES);
            return HeapNet.errPtr(rv);
        }
        return net;
    }

    private static void cleanupNet(HeapGlobals g, HeapNet net) {
        if (net == g.initNet) {
            throw new IllegalStateException("put_net: init_net lost its last reference");
        }
        nsFreeInum(g, net.ns);
        HeapUcount.decUcount(g, net.ucounts, UcountTypes.UCOUNT_NET_NAMESPACES);
        netDropNs(g, net);
    }

    private static void netDropNs(HeapGlobals g, HeapNet net) {
        if (net.passive.decAndTest()) {
            g.free(g.netCachep);
        }
    }

    // ---- kernel/cgroup/namespace.c ----

    /** get_cgroup_ns. */
    public static void getCgroupNs(HeapCgroupNamespace ns) {
        ns.ns.count.inc();
    }

    /** put_cgroup_ns. */
    public static void putCgroupNs(HeapGlobals g, HeapCgroupNamespace ns) {
        if (ns.ns.count.decAndTest()) {
            freeCgroupNs(g, ns);
        }
    }

    private static HeapCgroupNamespace allocCgroupNs(HeapGlobals g) {
        if (!g.kmalloc(HeapCgroupNamespace.KMALLOC_CACHE)) {
            return HeapCgroupNamespace.errPtr(-Errno.ENOMEM);
        }
        final HeapCgroupNamespace ns = new HeapCgroupNamespace();
        final int ret = nsAllocInum(g, ns.ns);
        if (ret != 0) {
            g.kfree(HeapCgroupNamespace.KMALLOC_CACHE);
            return HeapCgroupNamespace.errPtr(ret);
        }
        ns.ns.count.set(1);
        return ns;
    }

    /** copy_cgroup_ns. */
    static HeapCgroupNamespace copyCgroupNs(HeapGlobals g, HeapTask current, long flags, HeapUserNamespace userNs,
                                            HeapCgroupNamespace oldNs) {
        if ((flags & CloneFlags.CLONE_NEWCGROUP) == 0) {
            getCgroupNs(oldNs);
            return oldNs;
        }
        if (!HeapCapability.nsCapable(current, userNs, Capabilities.CAP_SYS_ADMIN)) {
            return HeapCgroupNamespace.errPtr(-Errno.EPERM);
        }
        final HeapUcounts ucounts = HeapUcount.incUcount(g, userNs, current.cred.euid,
            UcountTypes.UCOUNT_CGROUP_NAMESPACES);
        if (ucounts == null) {
            return HeapCgroupNamespace.errPtr(-Errno.ENOSPC);
        }
        final HeapCssSet cset = current.cgroups;
        HeapCgroups.getCssSet(cset);
        final HeapCgroupNamespace ns = allocCgroupNs(g);
        if (ErrPtr.isErr(ns)) {
            HeapCgroups.putCssSet(cset);
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_CGROUP_NAMESPACES);
            return ns;
        }
        ns.userNs = userNs;
        ns.ucounts = ucounts;
        ns.rootCset = cset;
        return ns;
    }

    private static void freeCgroupNs(HeapGlobals g, HeapCgroupNamespace ns) {
        if (ns == g.initCgroupNs) {
            throw new IllegalStateException("put_cgroup_ns: init_cgroup_ns lost its last reference");
        }
        HeapCgroups.putCssSet(ns.rootCset);
        HeapUcount.decUcount(g, ns.ucounts, UcountTypes.UCOUNT_CGROUP_NAMESPACES);
        nsFreeInum(g, ns.ns);
        g.kfree(HeapCgroupNamespace.KMALLOC_CACHE);
    }

    // ---- kernel/time/namespace.c ----

    /** get_time_ns. */
    public static HeapTimeNamespace getTimeNs(HeapTimeNamespace ns) {
        ns.ns.count.inc();
        return ns;
    }

    /** put_time_ns. */
    public static void putTimeNs(HeapGlobals g, HeapTimeNamespace ns) {
        if (ns.ns.count.decAndTest()) {
            freeTimeNs(g, ns);
        }
    }

    private static HeapTimeNamespace cloneTimeNs(HeapGlobals g, HeapTask current, HeapUserNamespace userNs,
                                                 HeapTimeNamespace oldNs) {
        final HeapUcounts ucounts = HeapUcount.incUcount(g, userNs, current.cred.euid,
            UcountTypes.UCOUNT_TIME_NAMESPACES);
        if (ucounts == null) {
            return HeapTimeNamespace.errPtr(-Errno.ENOSPC);
        }
        if (!g.kmalloc(HeapTimeNamespace.KMALLOC_CACHE)) {
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_TIME_NAMESPACES);
            return HeapTimeNamespace.errPtr(-Errno.ENOMEM);
        }
        final HeapTimeNamespace ns = new HeapTimeNamespace();
        ns.ns.count.set(1);
        if (!g.alloc(g.vvarPage)) {
            g.kfree(HeapTimeNamespace.KMALLOC_CACHE);
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_TIME_NAMESPACES);
            return HeapTimeNamespace.errPtr(-Errno.ENOMEM);
        }
        ns.vvarPage = new byte[PAGE_SIZE];
        final int err = nsAllocInum(g, ns.ns);
        if (err != 0) {
            g.free(g.vvarPage);
            g.kfree(HeapTimeNamespace.KMALLOC_CACHE);
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_TIME_NAMESPACES);
            return HeapTimeNamespace.errPtr(err);
        }
        ns.ucounts = ucounts;
        ns.userNs = userNs;
        System.arraycopy(oldNs.offsets, 0, ns.offsets, 0, ns.offsets.length);
        ns.frozenOffsets = false;
        return ns;
    }

    /** copy_time_ns. */
    static HeapTimeNamespace copyTimeNs(HeapGlobals g, HeapTask current, long flags, HeapUserNamespace userNs,
                                        HeapTimeNamespace oldNs) {
        if ((flags & CloneFlags.CLONE_NEWTIME) == 0) {
            return getTimeNs(oldNs);
        }
        return cloneTimeNs(g, current, userNs, oldNs);
    }

    private static void freeTimeNs(HeapGlobals g, HeapTimeNamespace ns) {
        if (ns == g.initTimeNs) {
            throw new IllegalStateException("put_time_ns: init_time_ns lost its last reference");
        }
        HeapUcount.decUcount(g, ns.ucounts, UcountTypes.UCOUNT_TIME_NAMESPACES);
        nsFreeInum(g, ns.ns);
        ns.vvarPage = null;
        g.free(g.vvarPage);
        g.kfree(HeapTimeNamespace.KMALLOC_CACHE);
    }

    /** timens_on_fork. */
    static void timensOnFork(HeapGlobals g, HeapNsproxy nsproxy, HeapTask tsk) {
        final HeapTimeNamespace ns = nsproxy.timeNsForChildren;
        if (nsproxy.timeNs == ns) {
            return;
        }
        getTimeNs(ns);
        putTimeNs(g, nsproxy.timeNs);
        nsproxy.timeNs = ns;
        timensCommit(g, tsk, ns);
    }

    /** timens_commit. */
    static void timensCommit(HeapGlobals g, HeapTask tsk, HeapTimeNamespace ns) {
        timensSetVvarPage(g, ns);
    }

    private static void timensSetVvarPage(HeapGlobals g, HeapTimeNamespace ns) {
        if (ns == g.initTimeNs || ns.frozenOffsets) {
            return;
        }
        g.timensOffsetLock.lock();
        if (!ns.frozenOffsets) {
            ns.frozenOffsets = true;
        }
        g.timensOffsetLock.unlock();
    }
}
