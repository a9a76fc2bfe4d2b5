package org.kfork.heap.nsproxy;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.cred.HeapCapability;
import org.kfork.heap.cred.HeapCred;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.heap.fork.HeapTask;
import org.kfork.nsproxy.NsRules;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;

/**
 * The heap twin of org.kfork.kernel.nsproxy.Nsproxies (kernel/nsproxy.c, 5.12): the same
 * functions in the same order, the same unwinding, the same invariants. A function that returns
 * an nsproxy returns {@link HeapNsproxy#errPtr} sentinels for errors.
 */
public final class HeapNsproxies {
    private HeapNsproxies() {
    }

    /** The room's boot step (see Nsproxies.nsproxyInit). */
    public static void nsproxyInit(HeapGlobals g) {
        g.nsproxyCachep = g.kind("nsproxy");
        HeapNamespaces.nsStatics(g);
        final HeapNsproxy init = new HeapNsproxy();
        init.count.set(1);
        init.utsNs = g.initUtsNs;
        init.ipcNs = g.initIpcNs;
        init.mntNs = null;
        init.pidNsForChildren = g.initPidNs;
        init.netNs = g.initNet;
        init.cgroupNs = g.initCgroupNs;
        init.timeNs = g.initTimeNs;
        init.timeNsForChildren = g.initTimeNs;
        g.initNsproxy = init;
        HeapNamespaces.utsNsInit(g);
        HeapNamespaces.initMountTree(g);
        HeapNamespaces.netNsInit(g);
        HeapNamespaces.ipcInit(g);
    }

    /** get_nsproxy. */
    public static void getNsproxy(HeapNsproxy ns) {
        ns.count.incrementAndGet();
    }

    /** put_nsproxy. */
    public static void putNsproxy(HeapGlobals g, HeapNsproxy ns) {
        final int old = ns.count.getAndDecrement();
        if (old <= 0) {
            ns.count.incrementAndGet();
            throw new IllegalStateException("put_nsproxy: count of " + ns + " was " + old);
        }
        if (old == 1) {
            freeNsproxy(g, ns);
        }
    }

    private static HeapNsproxy createNsproxy(HeapGlobals g) {
        if (!g.alloc(g.nsproxyCachep)) {
            return null;
        }
        final HeapNsproxy nsproxy = new HeapNsproxy();
        nsproxy.count.set(1);
        return nsproxy;
    }

    /** create_new_namespaces: the nsproxy, or an ERR_PTR sentinel after every step is undone. */
    static HeapNsproxy createNewNamespaces(HeapGlobals g, HeapTask current, long flags, HeapTask tsk,
                                           HeapUserNamespace userNs) {
        final HeapNsproxy newNsp = createNsproxy(g);
        if (newNsp == null) {
            return HeapNsproxy.errPtr(-Errno.ENOMEM);
        }
        final HeapNsproxy old = tsk.nsproxy;

        final HeapMntNamespace mnt = HeapNamespaces.copyMntNs(g, current, flags, old.mntNs, userNs);
        if (ErrPtr.isErr(mnt)) {
            return outNs(g, newNsp, ErrPtr.ptrErr(mnt));
        }
        newNsp.mntNs = mnt;

        final HeapUtsNamespace uts = HeapNamespaces.copyUtsname(g, current, flags, userNs, old.utsNs);
        if (ErrPtr.isErr(uts)) {
            return outUts(g, newNsp, ErrPtr.ptrErr(uts));
        }
        newNsp.utsNs = uts;

        final HeapIpcNamespace ipc = HeapNamespaces.copyIpcs(g, current, flags, userNs, old.ipcNs);
        if (ErrPtr.isErr(ipc)) {
            return outIpc(g, newNsp, ErrPtr.ptrErr(ipc));
        }
        newNsp.ipcNs = ipc;

        final HeapPidNamespace pid = HeapPidNamespaces.copyPidNs(g, current, flags, userNs, old.pidNsForChildren,
            current.cred.euid);
        if (ErrPtr.isErr(pid)) {
            return outPid(g, newNsp, ErrPtr.ptrErr(pid));
        }
        newNsp.pidNsForChildren = pid;

        final HeapCgroupNamespace cgroup = HeapNamespaces.copyCgroupNs(g, current, flags, userNs, old.cgroupNs);
        if (ErrPtr.isErr(cgroup)) {
            return outCgroup(g, newNsp, ErrPtr.ptrErr(cgroup));
        }
        newNsp.cgroupNs = cgroup;

        final HeapNet net = HeapNamespaces.copyNetNs(g, current, flags, userNs, old.netNs);
        if (ErrPtr.isErr(net)) {
            return outNet(g, newNsp, ErrPtr.ptrErr(net));
        }
        newNsp.netNs = net;

        final HeapTimeNamespace time = HeapNamespaces.copyTimeNs(g, current, flags, userNs, old.timeNsForChildren);
        if (ErrPtr.isErr(time)) {
            HeapNamespaces.putNet(g, newNsp.netNs); // out_time
            return outNet(g, newNsp, ErrPtr.ptrErr(time));
        }
        newNsp.timeNsForChildren = time;
        newNsp.timeNs = HeapNamespaces.getTimeNs(old.timeNs);
        return newNsp;
    }

    private static HeapNsproxy outNet(HeapGlobals g, HeapNsproxy newNsp, int err) {
        HeapNamespaces.putCgroupNs(g, newNsp.cgroupNs);
        return outCgroup(g, newNsp, err);
    }

    private static HeapNsproxy outCgroup(HeapGlobals g, HeapNsproxy newNsp, int err) {
        if (newNsp.pidNsForChildren != null) {
            HeapPidNamespaces.putPidNs(g, newNsp.pidNsForChildren);
        }
        return outPid(g, newNsp, err);
    }

    private static HeapNsproxy outPid(HeapGlobals g, HeapNsproxy newNsp, int err) {
        HeapNamespaces.putIpcNs(g, newNsp.ipcNs);
        return outIpc(g, newNsp, err);
    }

    private static HeapNsproxy outIpc(HeapGlobals g, HeapNsproxy newNsp, int err) {
        HeapNamespaces.putUtsNs(g, newNsp.utsNs);
        return outUts(g, newNsp, err);
    }

    private static HeapNsproxy outUts(HeapGlobals g, HeapNsproxy newNsp, int err) {
        HeapNamespaces.putMntNs(g, newNsp.mntNs);
        return outNs(g, newNsp, err);
    }

    private static HeapNsproxy outNs(HeapGlobals g, HeapNsproxy newNsp, int err) {
        g.free(g.nsproxyCachep);
        return HeapNsproxy.errPtr(err);
    }

    /** copy_namespaces: 0 or a negative errno. */
    public static int copyNamespaces(HeapGlobals g, HeapTask current, long flags, HeapTask tsk) {
        final HeapNsproxy oldNs = tsk.nsproxy;
        final HeapUserNamespace userNs = tsk.realCred.userNs;

        if (!NsRules.wantsNewNamespaces(flags)) {
            if (oldNs.timeNsForChildren == oldNs.timeNs) {
                getNsproxy(oldNs);
                return 0;
            }
        } else if (!HeapCapability.nsCapable(current, userNs, Capabilities.CAP_SYS_ADMIN)) {
            return -Errno.EPERM;
        }
        if (NsRules.newIpcWithSysvsem(flags)) {
            return -Errno.EINVAL;
        }
        final HeapNsproxy newNs = createNewNamespaces(g, current, flags, tsk, userNs);
        if (ErrPtr.isErr(newNs)) {
            return ErrPtr.ptrErr(newNs);
        }
        HeapNamespaces.timensOnFork(g, newNs, tsk);
        tsk.nsproxy = newNs;
        return 0;
    }

    /** free_nsproxy. */
    static void freeNsproxy(HeapGlobals g, HeapNsproxy ns) {
        if (ns == g.initNsproxy) {
            throw new IllegalStateException("free_nsproxy: init_nsproxy lost its last reference");
        }
        if (ns.mntNs != null) {
            HeapNamespaces.putMntNs(g, ns.mntNs);
        }
        if (ns.utsNs != null) {
            HeapNamespaces.putUtsNs(g, ns.utsNs);
        }
        if (ns.ipcNs != null) {
            HeapNamespaces.putIpcNs(g, ns.ipcNs);
        }
        if (ns.pidNsForChildren != null) {
            HeapPidNamespaces.putPidNs(g, ns.pidNsForChildren);
        }
        if (ns.timeNs != null) {
            HeapNamespaces.putTimeNs(g, ns.timeNs);
        }
        if (ns.timeNsForChildren != null) {
            HeapNamespaces.putTimeNs(g, ns.timeNsForChildren);
        }
        HeapNamespaces.putCgroupNs(g, ns.cgroupNs);
        HeapNamespaces.putNet(g, ns.netNs);
        g.free(g.nsproxyCachep);
    }

    /** unshare_nsproxy_namespaces: the new nsproxy, null when none is asked for, or an ERR_PTR sentinel. */
    public static HeapNsproxy unshareNsproxyNamespaces(HeapGlobals g, HeapTask current, long flags, HeapCred newCred) {
        if (!NsRules.wantsNewNamespaces(flags)) {
            return null;
        }
        final HeapCred cred = newCred != null ? newCred : current.cred;
        final HeapUserNamespace userNs = cred.userNs;
        if (!HeapCapability.nsCapable(current, userNs, Capabilities.CAP_SYS_ADMIN)) {
            return HeapNsproxy.errPtr(-Errno.EPERM);
        }
        return createNewNamespaces(g, current, flags, current, userNs);
    }

    /** switch_task_namespaces. */
    public static void switchTaskNamespaces(HeapGlobals g, HeapTask p, HeapNsproxy created) {
        p.allocLock.lock();
        final HeapNsproxy ns = p.nsproxy;
        p.nsproxy = created;
        p.allocLock.unlock();
        if (ns != null) {
            putNsproxy(g, ns);
        }
    }

    /** exit_task_namespaces. */
    public static void exitTaskNamespaces(HeapGlobals g, HeapTask p) {
        switchTaskNamespaces(g, p, null);
    }
}
