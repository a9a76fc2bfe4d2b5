package org.kfork.kernel.proc;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;

import java.util.ArrayList;
import java.util.List;

import org.kfork.api.TaskView;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.init.InitTask;
import org.kfork.kernel.mm.Mm;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.Fdtable;
import org.kfork.kernel.struct.FsStruct;
import org.kfork.kernel.struct.GroupInfo;
import org.kfork.kernel.struct.KSigaction;
import org.kfork.kernel.struct.NsCommon;
import org.kfork.kernel.struct.Pid;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.kernel.struct.Rlimit;
import org.kfork.kernel.struct.Seccomp;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.Sigaction;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.Upid;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;
import org.kfork.proc.ProcStatus;
import org.kfork.sched.Limits;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;

/**
 * fs/proc/array.c (5.12) and the part of fs/proc/base.c that lists tasks, off-heap: what
 * /proc/PID/status and ps read out of a task, as seen from the initial pid namespace. The text is
 * {@link ProcStatus}'s (core), shared with the heap twin {@code HeapProcArray}.
 *
 * <p>Readers hold tasklist_lock for reading, so that no task leaves the lists, and no signal or
 * sighand is freed, while they look; the mm is read under the mm system's big lock (mmap_lock).
 */
public final class ProcArray {
    private ProcArray() {
    }

    /**
     * The task numbered {@code nr} in init_pid_ns, or 0. The caller holds tasklist_lock, which
     * keeps the task (release_task takes it for writing); the lookup itself runs under
     * rcu_read_lock, since the pid IDR's nodes are not the lock's to keep (find_pid_ns).
     */
    public static long findTask(Globals g, int nr) {
        return nr <= 0 ? 0 : Pids.findTaskByVpidRcu(g, g.initTask, nr); // init_task's namespace: init_pid_ns
    }

    /** Every task on the tasks list, each process's threads in thread order (ps -eL). */
    public static List<TaskView> tasks(Globals g) {
        List<TaskView> out = new ArrayList<>();
        g.tasklistLock.readLock().lock();
        try {
            final long head = g.initTask + TaskStruct.TASKS;
            for (long n = IntrusiveList.next(head); n != head; n = IntrusiveList.next(n)) {
                final long p = n - TaskStruct.TASKS;
                final long sig = getLong(p + TaskStruct.SIGNAL);
                final long threads = sig + SignalStruct.THREAD_HEAD;
                boolean any = false;
                for (long t = IntrusiveList.next(threads); t != threads; t = IntrusiveList.next(t)) {
                    out.add(view(g, t - TaskStruct.THREAD_NODE));
                    any = true;
                }
                if (!any) {
                    out.add(view(g, p)); // a zombie leader whose threads are gone still shows
                }
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        return out;
    }

    private static TaskView view(Globals g, long t) {
        final long pid = getLong(t + TaskStruct.THREAD_PID);
        final int level = pid == 0 ? 0 : getInt(pid + Pid.LEVEL);
        final int nr = Pids.pidNrNs(pid, g.initPidNs);
        final Integer[] nrs = new Integer[level + 1];
        final Long[] inums = new Long[level + 1];
        for (int l = 0; l <= level; l++) {
            final long upid = pid + Pid.numbersAt(l);
            final long ns = pid == 0 ? g.initPidNs : getLong(upid + Upid.NS);
            nrs[l] = pid == 0 ? 0 : getInt(upid + Upid.NR);
            inums[l] = Integer.toUnsignedLong(getInt(ns + PidNamespace.NS + NsCommon.INUM));
        }
        final long parent = getLong(t + TaskStruct.REAL_PARENT);
        final int ppid = pidAlive(t) && parent != 0 ? Pids.taskPidNrNs(g, 0, parent, PidRules.PIDTYPE_TGID, g.initPidNs) : 0;
        return new TaskView(nr, Pids.taskPidNrNs(g, 0, t, PidRules.PIDTYPE_TGID, g.initPidNs), ppid,
            ProcStatus.stateLetter(state(t)), InitTask.comm(t), List.of(nrs), List.of(inums));
    }

    /** pid_alive: the task is still hashed (release_task has not run). */
    private static boolean pidAlive(long t) {
        return Mem.getLongAcquire(t + TaskStruct.THREAD_PID) != 0;
    }

    private static long state(long t) {
        return Mem.getLongVolatile(t + TaskStruct.STATE) | getInt(t + TaskStruct.EXIT_STATE);
    }

    /** proc_pid_status of the task numbered {@code nr} in init_pid_ns; null if none. */
    public static String procStatus(Globals g, int nr, int nrCpus) {
        final ProcStatus s = new ProcStatus();
        long mm;
        g.tasklistLock.readLock().lock();
        try {
            final long t = findTask(g, nr);
            if (t == 0) {
                return null;
            }
            taskState(g, t, s);
            taskSig(t, s);
            taskCap(t, s);
            s.seccomp = getInt(t + TaskStruct.SECCOMP + Seccomp.MODE);
            s.nrCpus = nrCpus;
            mm = getLong(t + TaskStruct.MM);
            if (mm != 0) {
                taskMem(g.mm.handle(mm), s);
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        return s.format();
    }

    /** task_state: names, ids and the numbers of each pid namespace level. */
    private static void taskState(Globals g, long t, ProcStatus s) {
        final long ns = g.initPidNs;
        s.name = InitTask.comm(t);
        final long fs = getLong(t + TaskStruct.FS);
        s.umask = fs == 0 ? -1 : getInt(fs + FsStruct.UMASK);
        s.state = state(t);
        s.tgid = Pids.taskPidNrNs(g, 0, t, PidRules.PIDTYPE_TGID, ns);
        s.pid = Pids.taskPidNrNs(g, 0, t, PidRules.PIDTYPE_PID, ns);
        final long parent = getLong(t + TaskStruct.REAL_PARENT);
        s.ppid = pidAlive(t) && parent != 0 ? Pids.taskPidNrNs(g, 0, parent, PidRules.PIDTYPE_TGID, ns) : 0;
        final long cred = getLong(t + TaskStruct.CRED);
        s.uids[0] = getInt(cred + Cred.UID);
        s.uids[1] = getInt(cred + Cred.EUID);
        s.uids[2] = getInt(cred + Cred.SUID);
        s.uids[3] = getInt(cred + Cred.FSUID);
        s.gids[0] = getInt(cred + Cred.GID);
        s.gids[1] = getInt(cred + Cred.EGID);
        s.gids[2] = getInt(cred + Cred.SGID);
        s.gids[3] = getInt(cred + Cred.FSGID);
        final long gi = getLong(cred + Cred.GROUP_INFO);
        final int ngroups = gi == 0 ? 0 : getInt(gi + GroupInfo.NGROUPS);
        s.groups = new int[ngroups];
        for (int i = 0; i < ngroups; i++) {
            s.groups[i] = getInt(gi + GroupInfo.GID + 4L * i);
        }
        final long files = getLong(t + TaskStruct.FILES);
        s.fdSize = files == 0 ? 0 : getInt(Files.filesFdtable(files) + Fdtable.MAX_FDS);
        final long pid = getLong(t + TaskStruct.THREAD_PID);
        final int level = pid == 0 ? -1 : getInt(pid + Pid.LEVEL);
        s.nsTgid = new int[level + 1];
        s.nsPid = new int[level + 1];
        s.nsPgid = new int[level + 1];
        s.nsSid = new int[level + 1];
        for (int l = 0; l <= level; l++) {
            final long lns = getLong(pid + Pid.numbersAt(l) + Upid.NS);
            s.nsTgid[l] = Pids.taskPidNrNs(g, 0, t, PidRules.PIDTYPE_TGID, lns);
            s.nsPid[l] = Pids.taskPidNrNs(g, 0, t, PidRules.PIDTYPE_PID, lns);
            s.nsPgid[l] = Pids.taskPidNrNs(g, 0, t, PidRules.PIDTYPE_PGID, lns);
            s.nsSid[l] = Pids.taskPidNrNs(g, 0, t, PidRules.PIDTYPE_SID, lns);
        }
    }

    /** task_sig: threads, the user's queued signals, the pending, blocked, ignored and caught sets. */
    private static void taskSig(long t, ProcStatus s) {
        final long sig = getLong(t + TaskStruct.SIGNAL);
        final long sighand = Mem.getLongAcquire(t + TaskStruct.SIGHAND);
        s.threads = getInt(sig + SignalStruct.NR_THREADS);
        final long user = getLong(getLong(t + TaskStruct.CRED) + Cred.USER);
        s.sigQ = Mem.getIntVolatile(user + UserStruct.SIGPENDING);
        s.sigQLimit = getLong(sig + SignalStruct.RLIM + Resource.RLIMIT_SIGPENDING * Rlimit.SIZEOF + Rlimit.RLIM_CUR);
        s.sigPnd = getLong(t + TaskStruct.PENDING + Sigpending.SIGNAL);
        s.shdPnd = getLong(sig + SignalStruct.SHARED_PENDING + Sigpending.SIGNAL);
        s.sigBlk = getLong(t + TaskStruct.BLOCKED);
        if (sighand != 0) {
            for (int i = 1; i <= Signals._NSIG; i++) {
                s.sigHandler(i, getLong(sighand + SighandStruct.ACTION + (i - 1) * KSigaction.SIZEOF + KSigaction.SA
                    + Sigaction.SA_HANDLER));
            }
        }
    }

    /** task_cap: the five capability sets of the task's cred. */
    private static void taskCap(long t, ProcStatus s) {
        final long cred = getLong(t + TaskStruct.CRED);
        s.capInh = getLong(cred + Cred.CAP_INHERITABLE);
        s.capPrm = getLong(cred + Cred.CAP_PERMITTED);
        s.capEff = getLong(cred + Cred.CAP_EFFECTIVE);
        s.capBnd = getLong(cred + Cred.CAP_BSET);
        s.capAmb = getLong(cred + Cred.CAP_AMBIENT);
    }

    /** task_mem's inputs (fs/proc/task_mmu.c), read through the mm's handle under its lock. */
    private static void taskMem(Mm m, ProcStatus s) {
        s.hasMm = true;
        s.hiwaterVm = m.hiwaterVm();
        s.totalVm = m.totalVm();
        s.lockedVm = m.lockedVm();
        s.dataVm = m.dataVm();
        s.stackVm = m.stackVm();
        s.execVm = m.execVm();
        s.rssFile = m.rss(Limits.MM_FILEPAGES);
        s.rssAnon = m.rss(Limits.MM_ANONPAGES);
        s.rssShmem = m.rss(Limits.MM_SHMEMPAGES);
        s.hiwaterRss = m.hiwaterRss();
        s.pgtablesBytes = m.pgtablesBytes();
    }

    /** /proc/PID/maps of the task numbered {@code nr} in init_pid_ns; null if none, "" without an mm. */
    public static String procMaps(Globals g, int nr) {
        g.tasklistLock.readLock().lock();
        try {
            final long t = findTask(g, nr);
            if (t == 0) {
                return null;
            }
            final long mm = getLong(t + TaskStruct.MM);
            return mm == 0 ? "" : g.mm.handle(mm).maps();
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }
}
