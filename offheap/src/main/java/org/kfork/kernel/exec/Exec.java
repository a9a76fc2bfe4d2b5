package org.kfork.kernel.exec;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.kfork.api.ExecImage;
import org.kfork.ds.IntrusiveList;
import org.kfork.exec.ExecRules;
import org.kfork.kernel.Globals;
import org.kfork.kernel.cred.Creds;
import org.kfork.kernel.exit.Exit;
import org.kfork.kernel.fork.ForkMm;
import org.kfork.kernel.fork.ForkMmRelease;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.init.InitTask;
import org.kfork.kernel.locking.Rwsem;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.mm.Mm;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.sched.Wait;
import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.MappedFile;
import org.kfork.mm.MmFlags;
import org.kfork.pid.PidRules;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;
import org.kfork.uapi.Signals;

/**
 * fs/exec.c (5.12), the minimal execve of the model: a named image ({@link ExecImage}) instead of
 * an ELF file. bprm_mm_init and the loader build a fresh mm (the image's mappings and a stack VMA
 * under STACK_TOP with VM_GROWSDOWN, as setup_arg_pages leaves it); begin_new_exec runs de_thread,
 * exec_mmap, the flag and close-on-exec steps; setup_new_exec sets comm, self_exec_id and the
 * signal handlers.
 *
 * <p>Invariants, as in 5.12:
 * <ul>
 *   <li>After de_thread the exec'ing thread is alone in its group and is its leader: when it was
 *       not, it takes the leader's pid (exchange_tids, transfer_pid of the group's pids), its
 *       place on the tasks and children lists, and the old leader is released.</li>
 *   <li>exec_mmap releases the old mm with exec_mm_release first (the vfork parent goes on,
 *       clear_child_tid is written) and swaps mm and active_mm under task_lock; nothing of the old
 *       mm is reachable from the task afterwards.</li>
 *   <li>A failure before de_thread (a mapping that cannot be made) leaves the caller as it was
 *       and frees the new mm.</li>
 * </ul>
 * Not modelled: binary formats, credentials from the file (setuid), unshare_files and
 * unshare_sighand (a sighand shared with a non-thread stays shared), the arguments and
 * environment on the stack, the auxiliary vector.
 */
public final class Exec {
    private Exec() {
    }

    /**
     * execve of {@code image}: 0; or, with the caller unchanged, -ENOMEM or a mapping's errno;
     * or -EAGAIN from de_thread when the group is exiting already or the caller was killed while
     * waiting for the other threads (it then dies of that signal on its way out).
     */
    public static int execve(Globals g, long current, ExecImage image) {
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
        final int killed = execMmap(g, current, ((Mm) as).address());
        if (killed != 0) {
            as.mmput();
            return killed; // a fatal signal: the task dies of it on its way out
        }
        putInt(current + TaskStruct.FLAGS, getInt(current + TaskStruct.FLAGS) & ~ExecRules.PF_CLEARED_BY_EXEC);
        final long files = getLong(current + TaskStruct.FILES);
        if (files != 0) {
            Files.doCloseOnExec(g, files);
        }
        // begin_new_exec's dumpability: the model's exec keeps the caller's creds, so a task whose
        // effective ids are its real ones is dumpable (SUID_DUMP_USER), else fs.suid_dumpable (0)
        final long cred = getLong(current + TaskStruct.CRED);
        Creds.setDumpable(getLong(current + TaskStruct.MM),
            getInt(cred + Cred.EUID) == getInt(cred + Cred.UID) && getInt(cred + Cred.EGID) == getInt(cred + Cred.GID)
                ? MmFlags.SUID_DUMP_USER : MmFlags.SUID_DUMP_DISABLE);
        // the end of begin_new_exec: the new mm and creds are in place for mm_access to see
        Rwsem.upWrite(getLong(current + TaskStruct.SIGNAL) + SignalStruct.EXEC_UPDATE_LOCK);
        // setup_new_exec
        InitTask.setComm(current, ExecRules.comm(image.name()));
        Mem.putLongVolatile(current + TaskStruct.SELF_EXEC_ID, getLong(current + TaskStruct.SELF_EXEC_ID) + 1);
        Signal.flushSignalHandlers(current, false);
        org.kfork.kernel.events.ProcConnector.procExecConnector(g, current);
        return 0;
    }

    /** The image's mappings (each file mapping holds its own file reference) and the stack. */
    static int loadImage(Globals g, AddressSpace as, ExecImage image) {
        for (ExecImage.Mapping m : image.mappings()) {
            final MappedFile file = m.path() == null ? null
                : g.mm.openFile(m.path(), (m.prot() & org.kfork.mm.Mman.PROT_WRITE) != 0
                    && (m.flags() & org.kfork.mm.Mman.MAP_SHARED) != 0, true);
            final long r = as.mmap(m.addr(), m.len(), m.prot(), m.flags() | org.kfork.mm.Mman.MAP_FIXED, file, m.pgoff());
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

    /**
     * de_thread: the other threads of the group are killed (zap_other_threads; those outside any
     * call exit at once) and waited for (killable); a non-leader then becomes the leader.
     */
    static int deThread(Globals g, long tsk) {
        if (Signal.threadGroupEmpty(tsk)) {
            putInt(tsk + TaskStruct.EXIT_SIGNAL, Signals.SIGCHLD);
            return 0;
        }
        final long sig = Signal.signal(tsk);
        final long lock = Signal.siglock(tsk);
        Spinlock.lock(lock);
        if (Exit.signalGroupExit(sig)) {
            Spinlock.unlock(lock);
            return -Errno.EAGAIN;
        }
        putLong(sig + SignalStruct.GROUP_EXIT_TASK, tsk);
        int notify = Signal.zapOtherThreads(g, tsk);
        if (!Exit.threadGroupLeader(tsk)) {
            notify--;
        }
        Mem.putIntVolatile(sig + SignalStruct.NOTIFY_COUNT, notify);
        Spinlock.unlock(lock);
        Exit.exitIdleTasksNow(g);
        long w = Wait.waitEventKillable(g, tsk, WaitResult.NO_RCU,
            () -> Mem.getIntVolatile(sig + SignalStruct.NOTIFY_COUNT) == 0);
        if (WaitResult.ret(w) != 0) {
            return killed(sig, lock);
        }
        if (!Exit.threadGroupLeader(tsk)) {
            final long leader = getLong(tsk + TaskStruct.GROUP_LEADER);
            g.tasklistLock.writeLock().lock();
            Mem.putIntVolatile(sig + SignalStruct.NOTIFY_COUNT, -1);
            while (Mem.getIntVolatile(leader + TaskStruct.EXIT_STATE) == 0) {
                g.tasklistLock.writeLock().unlock();
                w = Wait.waitEventKillable(g, tsk, WaitResult.NO_RCU,
                    () -> Mem.getIntVolatile(leader + TaskStruct.EXIT_STATE) != 0);
                if (WaitResult.ret(w) != 0) {
                    return killed(sig, lock);
                }
                g.tasklistLock.writeLock().lock();
            }
            Pids.exchangeTids(tsk, leader);
            Pids.transferPid(leader, tsk, PidRules.PIDTYPE_TGID);
            Pids.transferPid(leader, tsk, PidRules.PIDTYPE_PGID);
            Pids.transferPid(leader, tsk, PidRules.PIDTYPE_SID);
            // list_replace_rcu(tasks), list_replace_init(sibling): tsk takes the leader's places
            IntrusiveList.addRcu(tsk + TaskStruct.TASKS, leader + TaskStruct.TASKS);
            IntrusiveList.delRcu(leader + TaskStruct.TASKS);
            IntrusiveList.add(tsk + TaskStruct.SIBLING, leader + TaskStruct.SIBLING);
            IntrusiveList.delInit(leader + TaskStruct.SIBLING);
            putLong(tsk + TaskStruct.GROUP_LEADER, tsk);
            putLong(leader + TaskStruct.GROUP_LEADER, tsk);
            putInt(tsk + TaskStruct.EXIT_SIGNAL, Signals.SIGCHLD);
            putInt(leader + TaskStruct.EXIT_SIGNAL, -1);
            if (Mem.getIntVolatile(leader + TaskStruct.EXIT_STATE) != TaskState.EXIT_ZOMBIE) {
                throw new IllegalStateException("de_thread: the old leader is not a zombie");
            }
            Mem.putIntVolatile(leader + TaskStruct.EXIT_STATE, TaskState.EXIT_DEAD);
            g.tasklistLock.writeLock().unlock();
            Exit.releaseTask(g, tsk, leader);
        }
        putLong(sig + SignalStruct.GROUP_EXIT_TASK, 0);
        Mem.putIntVolatile(sig + SignalStruct.NOTIFY_COUNT, 0);
        putInt(tsk + TaskStruct.EXIT_SIGNAL, Signals.SIGCHLD);
        return 0;
    }

    /** de_thread's "killed" label: the exec gives up, and the group's exit goes on. */
    private static int killed(long sig, long lock) {
        Spinlock.lock(lock);
        putLong(sig + SignalStruct.GROUP_EXIT_TASK, 0);
        Mem.putIntVolatile(sig + SignalStruct.NOTIFY_COUNT, 0);
        Spinlock.unlock(lock);
        return -Errno.EAGAIN;
    }

    /**
     * exec_mmap: the old mm is released (exec_mm_release: vfork parent, clear_child_tid), then
     * mm and active_mm become the new one under task_lock; the old mm loses the task's user
     * reference (mmput), or, for a task without one, the lazy active_mm reference (mmdrop).
     * Before the switch it takes the group's exec_update_lock for write (killable), which
     * execve gives back at the end of begin_new_exec: mm_access readers see the old mm and creds
     * or the new ones, never a mix.
     *
     * @return 0, or -EINTR (killed while waiting for the lock; nothing switched)
     */
    static int execMmap(Globals g, long tsk, long mm) {
        final long oldMm = getLong(tsk + TaskStruct.MM);
        ForkMmRelease.execMmRelease(g, tsk, oldMm);
        final int err = Rwsem.downWriteKillable(getLong(tsk + TaskStruct.SIGNAL) + SignalStruct.EXEC_UPDATE_LOCK, tsk);
        if (err != 0) {
            return err;
        }
        final long lock = tsk + TaskStruct.ALLOC_LOCK;
        Spinlock.lock(lock);
        final long activeMm = getLong(tsk + TaskStruct.ACTIVE_MM);
        putLong(tsk + TaskStruct.ACTIVE_MM, mm);
        Mem.putLongVolatile(tsk + TaskStruct.MM, mm);
        Spinlock.unlock(lock);
        if (oldMm != 0) {
            ForkMm.mmput(g.mm, oldMm);
        } else if (activeMm != 0 && activeMm != g.mm.initMmAddress()) {
            ForkMm.mmdrop(g.mm, activeMm);
        }
        return 0;
    }
}
