package org.kfork.heap.exec;

import org.kfork.api.ExecImage;
import org.kfork.exec.ExecRules;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.cred.HeapCred;
import org.kfork.heap.cred.HeapCreds;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.exit.HeapExit;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.fork.HeapForkMmRelease;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.locking.HeapRwsem;
import org.kfork.heap.mm.HeapMm;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.sched.HeapWait;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.MappedFile;
import org.kfork.mm.MmFlags;
import org.kfork.mm.Mman;
import org.kfork.pid.PidRules;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;
import org.kfork.uapi.Signals;

/**
 * The heap twin of org.kfork.kernel.exec.Exec: fs/exec.c (5.12), the model's minimal execve, with
 * the same steps and invariants.
 */
public final class HeapExec {
    private HeapExec() {
    }

    /** execve of {@code image}. */
    public static int execve(HeapGlobals g, HeapTask current, ExecImage image) {
        final AddressSpace as;
        try {
            as = g.mm.mmAlloc();
        } catch (KernelException e) {
            return -e.errno();
        }
        final int bad = loadImage(g, as, image);
        if (bad != 0) {
            as.mmput();
            return bad;
        }
        final int r = deThread(g, current);
        if (r != 0) {
            as.mmput();
            return r;
        }
        final int killed = execMmap(g, current, ((HeapMm) as).mmStruct());
        if (killed != 0) {
            as.mmput();
            return killed;
        }
        current.flags &= ~ExecRules.PF_CLEARED_BY_EXEC;
        if (current.files != null) {
            HeapFiles.doCloseOnExec(g, current.files);
        }
        final HeapCred cred = current.cred;
        HeapCreds.setDumpable(current.mm, cred.euid == cred.uid && cred.egid == cred.gid
            ? MmFlags.SUID_DUMP_USER : MmFlags.SUID_DUMP_DISABLE);
        current.signal.execUpdateLock.writeLock().unlock();
        current.comm = ExecRules.comm(image.name());
        current.selfExecId = current.selfExecId + 1;
        HeapSignal.flushSignalHandlers(current, false);
        org.kfork.heap.events.HeapProcConnector.procExecConnector(g, current);
        return 0;
    }

    /** The image's mappings and the stack. */
    static int loadImage(HeapGlobals g, AddressSpace as, ExecImage image) {
        for (ExecImage.Mapping m : image.mappings()) {
            final MappedFile file = m.path() == null ? null
                : g.mm.openFile(m.path(), (m.prot() & Mman.PROT_WRITE) != 0 && (m.flags() & Mman.MAP_SHARED) != 0, true);
            final long r = as.mmap(m.addr(), m.len(), m.prot(), m.flags() | Mman.MAP_FIXED, file, m.pgoff());
            if (file != null) {
                file.fput();
            }
            if (Errno.isError(r)) {
                return (int) r;
            }
        }
        final long r = as.mmap(ExecRules.STACK_TOP - ExecRules.STACK_SIZE, ExecRules.STACK_SIZE, ExecRules.STACK_PROT,
            ExecRules.STACK_FLAGS, null, 0);
        return Errno.isError(r) ? (int) r : 0;
    }

    /** de_thread. */
    static int deThread(HeapGlobals g, HeapTask tsk) {
        if (HeapSignal.threadGroupEmpty(tsk)) {
            tsk.exitSignal = Signals.SIGCHLD;
            return 0;
        }
        final HeapSignalStruct sig = tsk.signal;
        final HeapSighandStruct sighand = tsk.sighand;
        sighand.siglock.lock();
        if (HeapExit.signalGroupExit(sig)) {
            sighand.siglock.unlock();
            return -Errno.EAGAIN;
        }
        sig.groupExitTask = tsk;
        int notify = HeapSignal.zapOtherThreads(g, tsk);
        if (!HeapExit.threadGroupLeader(tsk)) {
            notify--;
        }
        sig.notifyCount = notify;
        sighand.siglock.unlock();
        HeapExit.exitIdleTasksNow(g);
        long w = HeapWait.waitEventKillable(g, tsk, WaitResult.NO_RCU, () -> sig.notifyCount == 0);
        if (WaitResult.ret(w) != 0) {
            return killed(sig, sighand);
        }
        if (!HeapExit.threadGroupLeader(tsk)) {
            final HeapTask leader = tsk.groupLeader;
            g.tasklistLock.writeLock().lock();
            sig.notifyCount = -1;
            while (leader.exitState == 0) {
                g.tasklistLock.writeLock().unlock();
                w = HeapWait.waitEventKillable(g, tsk, WaitResult.NO_RCU, () -> leader.exitState != 0);
                if (WaitResult.ret(w) != 0) {
                    return killed(sig, sighand);
                }
                g.tasklistLock.writeLock().lock();
            }
            HeapPids.exchangeTids(tsk, leader);
            HeapPids.transferPid(leader, tsk, PidRules.PIDTYPE_TGID);
            HeapPids.transferPid(leader, tsk, PidRules.PIDTYPE_PGID);
            HeapPids.transferPid(leader, tsk, PidRules.PIDTYPE_SID);
            HeapIntrusiveList.listAdd(tsk.tasks, leader.tasks);
            HeapIntrusiveList.listDel(leader.tasks);
            HeapIntrusiveList.listAdd(tsk.sibling, leader.sibling);
            HeapIntrusiveList.listDelInit(leader.sibling);
            tsk.groupLeader = tsk;
            leader.groupLeader = tsk;
            tsk.exitSignal = Signals.SIGCHLD;
            leader.exitSignal = -1;
            if (leader.exitState != TaskState.EXIT_ZOMBIE) {
                throw new IllegalStateException("de_thread: the old leader is not a zombie");
            }
            leader.exitState = TaskState.EXIT_DEAD;
            g.tasklistLock.writeLock().unlock();
            HeapExit.releaseTask(g, tsk, leader);
        }
        sig.groupExitTask = null;
        sig.notifyCount = 0;
        tsk.exitSignal = Signals.SIGCHLD;
        return 0;
    }

    private static int killed(HeapSignalStruct sig, HeapSighandStruct sighand) {
        sighand.siglock.lock();
        sig.groupExitTask = null;
        sig.notifyCount = 0;
        sighand.siglock.unlock();
        return -Errno.EAGAIN;
    }

    /** exec_mmap (see the off-heap twin): 0 with exec_update_lock held for write, or -EINTR. */
    static int execMmap(HeapGlobals g, HeapTask tsk, HeapMmStruct mm) {
        final HeapMmStruct oldMm = tsk.mm;
        HeapForkMmRelease.execMmRelease(g, tsk, oldMm);
        final int err = HeapRwsem.downWriteKillable(tsk.signal.execUpdateLock, tsk);
        if (err != 0) {
            return err;
        }
        tsk.allocLock.lock();
        final HeapMmStruct activeMm = tsk.activeMm;
        tsk.activeMm = mm;
        tsk.mm = mm;
        tsk.allocLock.unlock();
        if (oldMm != null) {
            HeapForkMm.mmput(g.mm, oldMm);
        } else if (activeMm != null && activeMm != g.mm.initMmStruct()) {
            HeapForkMm.mmdrop(g.mm, activeMm);
        }
        return 0;
    }
}
