package org.kfork.heap.fork;

import static org.kfork.uapi.CloneFlags.CLONE_NEWUSER;
import static org.kfork.uapi.CloneFlags.CLONE_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_VFORK;
import static org.kfork.uapi.CloneFlags.CLONE_VM;
import static org.kfork.uapi.CloneFlags.CSIGNAL;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.kfork.fork.CloneRules;
import org.kfork.fs.Fdtables;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.fs.HeapFilesStruct;
import org.kfork.heap.fs.HeapFsStruct;
import org.kfork.heap.fs.HeapFsStructs;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.heap.nsproxy.HeapNsproxies;
import org.kfork.heap.nsproxy.HeapNsproxy;
import org.kfork.heap.pid.HeapPids;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.UapiCloneArgs;

/** The heap twin of {@code org.kfork.kernel.fork.ForkCalls}: fork, vfork, clone, clone3, unshare, set_tid_address. */
public final class HeapForkCalls {
    /** An aligned u64 of the user's struct clone_args, little-endian as x86_64 stores it. */
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private HeapForkCalls() {
    }

    /** fork(). @return a packed {@link WaitResult} */
    public static long sysFork(HeapGlobals g, HeapTask current, int token) {
        final HeapKernelCloneArgs args = new HeapKernelCloneArgs();
        args.exitSignal = Signals.SIGCHLD;
        return HeapFork.kernelClone(g, current, token, args);
    }

    /** vfork(). @return a packed {@link WaitResult} */
    public static long sysVfork(HeapGlobals g, HeapTask current, int token) {
        final HeapKernelCloneArgs args = new HeapKernelCloneArgs();
        args.flags = CLONE_VFORK | CLONE_VM;
        args.exitSignal = Signals.SIGCHLD;
        return HeapFork.kernelClone(g, current, token, args);
    }

    /** clone(flags, newsp, parent_tidptr, child_tidptr, tls). @return a packed {@link WaitResult} */
    public static long sysClone(HeapGlobals g, HeapTask current, int token, long cloneFlags, long newsp,
                                long parentTidptr, long childTidptr, long tls) {
        final HeapKernelCloneArgs args = new HeapKernelCloneArgs();
        final long lower = cloneFlags & 0xffff_ffffL;
        args.flags = lower & ~CSIGNAL;
        args.pidfd = parentTidptr;
        args.childTid = childTidptr;
        args.parentTid = parentTidptr;
        args.exitSignal = (int) (lower & CSIGNAL);
        args.stack = newsp;
        args.tls = tls;
        return HeapFork.kernelClone(g, current, token, args);
    }

    /** clone3(uargs, size). @return a packed {@link WaitResult} */
    public static long sysClone3(HeapGlobals g, HeapTask current, int token, long uargs, long size) {
        final HeapKernelCloneArgs args = new HeapKernelCloneArgs();
        args.setTid = new int[org.kfork.sched.Limits.MAX_PID_NS_LEVEL];
        final int err = copyCloneArgsFromUser(g, current, args, uargs, size);
        if (err != 0) {
            return WaitResult.of(token, err);
        }
        if (!clone3ArgsValid(args)) {
            return WaitResult.of(token, -Errno.EINVAL);
        }
        return HeapFork.kernelClone(g, current, token, args);
    }

    private static long u64(byte[] a, int off) {
        return (long) U64.get(a, off);
    }

    /** copy_clone_args_from_user (see the off-heap twin). */
    static int copyCloneArgsFromUser(HeapGlobals g, HeapTask current, HeapKernelCloneArgs kargs, long uargs,
                                     long usize) {
        int err = CloneRules.clone3Size(usize);
        if (err != 0) {
            return err;
        }
        final byte[] a = new byte[UapiCloneArgs.SIZEOF];
        err = HeapUaccess.copyStructFromUser(g, current, a, a.length, uargs, usize);
        if (err != 0) {
            return err;
        }
        final long flags = u64(a, UapiCloneArgs.FLAGS);
        final long exitSignal = u64(a, UapiCloneArgs.EXIT_SIGNAL);
        final long setTid = u64(a, UapiCloneArgs.SET_TID);
        final long setTidSize = u64(a, UapiCloneArgs.SET_TID_SIZE);
        final long cgroup = u64(a, UapiCloneArgs.CGROUP);
        err = CloneRules.clone3Fields(flags, exitSignal, setTid, setTidSize, cgroup, usize);
        if (err != 0) {
            return err;
        }
        kargs.flags = flags;
        kargs.pidfd = u64(a, UapiCloneArgs.PIDFD);
        kargs.childTid = u64(a, UapiCloneArgs.CHILD_TID);
        kargs.parentTid = u64(a, UapiCloneArgs.PARENT_TID);
        kargs.exitSignal = (int) exitSignal;
        kargs.stack = u64(a, UapiCloneArgs.STACK);
        kargs.stackSize = u64(a, UapiCloneArgs.STACK_SIZE);
        kargs.tls = u64(a, UapiCloneArgs.TLS);
        kargs.setTidSize = (int) setTidSize;
        kargs.cgroup = (int) cgroup;
        if (setTid != 0) {
            final byte[] tids = new byte[(int) setTidSize * Integer.BYTES];
            if (HeapUaccess.copyFromUser(g, current, tids, 0, setTid, tids.length) != 0) {
                return -Errno.EFAULT;
            }
            for (int i = 0; i < setTidSize; i++) {
                kargs.setTid[i] = (tids[4 * i] & 0xff) | (tids[4 * i + 1] & 0xff) << 8 | (tids[4 * i + 2] & 0xff) << 16
                    | (tids[4 * i + 3] & 0xff) << 24;
            }
        }
        return 0;
    }

    /** clone3_args_valid (see the off-heap twin). */
    static boolean clone3ArgsValid(HeapKernelCloneArgs kargs) {
        if (!CloneRules.clone3FlagsValid(kargs.flags, kargs.exitSignal)) {
            return false;
        }
        if (!CloneRules.clone3StackValid(kargs.stack, kargs.stackSize)) {
            return false;
        }
        if (kargs.stack != 0) {
            kargs.stack += kargs.stackSize;
        }
        return true;
    }

    /** set_tid_address(tidptr). */
    public static long sysSetTidAddress(HeapGlobals g, HeapTask current, long tidptr) {
        current.clearChildTid = tidptr;
        return HeapPids.taskPidVnr(g, current, current);
    }

    // ---- unshare

    /** current_is_single_threaded (see the off-heap twin). */
    static boolean currentIsSingleThreaded(HeapGlobals g, HeapTask current) {
        if (current.signal.live.get() != 1) {
            return false;
        }
        final HeapMmStruct mm = current.mm;
        if (mm == null || mm.mmUsers == 1) {
            return true;
        }
        g.tasklistLock.readLock().lock();
        try {
            for (HeapIntrusiveList n = g.initTask.tasks.next(); n != g.initTask.tasks; n = n.next()) {
                final HeapTask p = ((HeapTask.Link) n).task;
                if (p.groupLeader != current.groupLeader && p.mm == mm) {
                    return false;
                }
            }
            return true;
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }

    /** check_unshare_flags (see the off-heap twin). */
    static int checkUnshareFlags(HeapGlobals g, HeapTask current, long flags) {
        if (CloneRules.unshareKnownFlags(flags) != 0) {
            return -Errno.EINVAL;
        }
        if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) != 0
            && !HeapIntrusiveList.listEmpty(current.threadGroup)) {
            return -Errno.EINVAL;
        }
        if ((flags & (CLONE_SIGHAND | CLONE_VM)) != 0 && current.sighand.count.read() > 1) {
            return -Errno.EINVAL;
        }
        if ((flags & CLONE_VM) != 0 && !currentIsSingleThreaded(g, current)) {
            return -Errno.EINVAL;
        }
        return 0;
    }

    /** ksys_unshare (see the off-heap twin). */
    public static int ksysUnshare(HeapGlobals g, HeapTask current, long unshareFlags) {
        final long flags = CloneRules.unshareImplied(unshareFlags);
        final int err = checkUnshareFlags(g, current, flags);
        if (err != 0) {
            return err;
        }
        HeapFsStruct newFs = HeapForkFiles.unshareFs(g, current, flags);
        if (ErrPtr.isErr(newFs)) {
            return ErrPtr.ptrErr(newFs);
        }
        HeapFilesStruct newFd = HeapForkFiles.unshareFd(g, current, flags, Fdtables.NR_OPEN_MAX);
        if (ErrPtr.isErr(newFd)) {
            return badUnshareCleanupFs(g, newFs, ErrPtr.ptrErr(newFd));
        }
        if ((flags & CLONE_NEWUSER) != 0) {
            return badUnshareCleanupFd(g, newFd, newFs, -Errno.EINVAL);
        }
        final HeapNsproxy newNsproxy = HeapNsproxies.unshareNsproxyNamespaces(g, current, flags, null);
        if (ErrPtr.isErr(newNsproxy)) {
            return badUnshareCleanupFd(g, newFd, newFs, ErrPtr.ptrErr(newNsproxy));
        }
        if (newFs != null || newFd != null || newNsproxy != null) {
            if (newNsproxy != null) {
                HeapNsproxies.switchTaskNamespaces(g, current, newNsproxy);
            }
            current.allocLock.lock();
            if (newFs != null) {
                final HeapFsStruct fs = current.fs;
                fs.lock.lock();
                current.fs = newFs;
                newFs = --fs.users != 0 ? null : fs;
                fs.lock.unlock();
            }
            if (newFd != null) {
                final HeapFilesStruct fd = current.files;
                current.files = newFd;
                newFd = fd;
            }
            current.allocLock.unlock();
        }
        return badUnshareCleanupFd(g, newFd, newFs, 0);
    }

    private static int badUnshareCleanupFd(HeapGlobals g, HeapFilesStruct newFd, HeapFsStruct newFs, int err) {
        if (newFd != null) {
            HeapFiles.putFilesStruct(g, newFd);
        }
        return badUnshareCleanupFs(g, newFs, err);
    }

    private static int badUnshareCleanupFs(HeapGlobals g, HeapFsStruct newFs, int err) {
        if (newFs != null) {
            HeapFsStructs.freeFsStruct(g, newFs);
        }
        return err;
    }
}
