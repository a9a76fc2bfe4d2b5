package org.kfork.heap.proc;

import java.util.ArrayList;
import java.util.List;

import org.kfork.api.TaskView;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.cred.HeapCred;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapMm;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.pid.PidRules;
import org.kfork.proc.ProcStatus;
import org.kfork.sched.Limits;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;

/** The heap twin of org.kfork.kernel.proc.ProcArray: /proc/PID/status, maps and the task list. */
public final class HeapProcArray {
    private HeapProcArray() {
    }

    /** The task numbered {@code nr} in init_pid_ns, or null (the caller holds tasklist_lock). */
    public static HeapTask findTask(HeapGlobals g, int nr) {
        return nr <= 0 ? null : HeapPids.findTaskByPidNs(g, nr, g.initPidNs);
    }

    /** Every task on the tasks list, each process's threads in thread order. */
    public static List<TaskView> tasks(HeapGlobals g) {
        List<TaskView> out = new ArrayList<>();
        g.tasklistLock.readLock().lock();
        try {
            final HeapIntrusiveList head = g.initTask.tasks;
            for (HeapIntrusiveList n = head.next(); n != head; n = n.next()) {
                final HeapTask p = ((HeapTask.Link) n).task;
                final HeapIntrusiveList threads = p.signal().threadHead;
                boolean any = false;
                for (HeapIntrusiveList t = threads.next(); t != threads; t = t.next()) {
                    out.add(view(g, ((HeapTask.Link) t).task));
                    any = true;
                }
                if (!any) {
                    out.add(view(g, p));
                }
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        return out;
    }

    private static TaskView view(HeapGlobals g, HeapTask t) {
        final HeapPid pid = t.threadPid();
        final int level = pid == null ? 0 : pid.level();
        final int nr = HeapPids.pidNrNs(pid, g.initPidNs);
        final Integer[] nrs = new Integer[level + 1];
        final Long[] inums = new Long[level + 1];
        for (int l = 0; l <= level; l++) {
            final HeapPidNamespace ns = pid == null ? g.initPidNs : pid.number(l).ns();
            nrs[l] = pid == null ? 0 : pid.number(l).nr();
            inums[l] = ns.inum();
        }
        final HeapTask parent = t.realParent;
        final int ppid = pid != null && parent != null
            ? HeapPids.taskPidNrNs(g, null, parent, PidRules.PIDTYPE_TGID, g.initPidNs) : 0;
        return new TaskView(nr, HeapPids.taskPidNrNs(g, null, t, PidRules.PIDTYPE_TGID, g.initPidNs), ppid,
            ProcStatus.stateLetter(state(t)), t.comm, List.of(nrs), List.of(inums));
    }

    private static long state(HeapTask t) {
        return t.state() | t.exitState;
    }

    /** proc_pid_status of the task numbered {@code nr} in init_pid_ns; null if none. */
    public static String procStatus(HeapGlobals g, int nr) {
        final ProcStatus s = new ProcStatus();
        g.tasklistLock.readLock().lock();
        try {
            final HeapTask t = findTask(g, nr);
            if (t == null) {
                return null;
            }
            taskState(g, t, s);
            taskSig(t, s);
            taskCap(t, s);
            s.seccomp = t.seccompMode;
            s.nrCpus = g.nrCpus;
            if (t.mm != null) {
                taskMem(g.mm.handle(t.mm), s);
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        return s.format();
    }

    private static void taskState(HeapGlobals g, HeapTask t, ProcStatus s) {
        final HeapPidNamespace ns = g.initPidNs;
        s.name = t.comm;
        s.umask = t.fs == null ? -1 : t.fs.umask;
        s.state = state(t);
        s.tgid = HeapPids.taskPidNrNs(g, null, t, PidRules.PIDTYPE_TGID, ns);
        s.pid = HeapPids.taskPidNrNs(g, null, t, PidRules.PIDTYPE_PID, ns);
        final HeapTask parent = t.realParent;
        s.ppid = t.threadPid() != null && parent != null
            ? HeapPids.taskPidNrNs(g, null, parent, PidRules.PIDTYPE_TGID, ns) : 0;
        final HeapCred cred = t.cred;
        s.uids[0] = cred.uid;
        s.uids[1] = cred.euid;
        s.uids[2] = cred.suid;
        s.uids[3] = cred.fsuid;
        s.gids[0] = cred.gid;
        s.gids[1] = cred.egid;
        s.gids[2] = cred.sgid;
        s.gids[3] = cred.fsgid;
        // group_info: the model's creds carry no supplementary groups (init_groups)
        s.groups = new int[0];
        s.fdSize = t.files == null ? 0 : t.files.fdt.maxFds;
        final HeapPid pid = t.threadPid();
        final int level = pid == null ? -1 : pid.level();
        s.nsTgid = new int[level + 1];
        s.nsPid = new int[level + 1];
        s.nsPgid = new int[level + 1];
        s.nsSid = new int[level + 1];
        for (int l = 0; l <= level; l++) {
            final HeapPidNamespace lns = pid.number(l).ns();
            s.nsTgid[l] = HeapPids.taskPidNrNs(g, null, t, PidRules.PIDTYPE_TGID, lns);
            s.nsPid[l] = HeapPids.taskPidNrNs(g, null, t, PidRules.PIDTYPE_PID, lns);
            s.nsPgid[l] = HeapPids.taskPidNrNs(g, null, t, PidRules.PIDTYPE_PGID, lns);
            s.nsSid[l] = HeapPids.taskPidNrNs(g, null, t, PidRules.PIDTYPE_SID, lns);
        }
    }

    private static void taskSig(HeapTask t, ProcStatus s) {
        final HeapSignalStruct sig = t.signal();
        final HeapSighandStruct sighand = t.sighand;
        s.threads = sig.nrThreads;
        s.sigQ = t.cred.user.sigpending.get();
        s.sigQLimit = sig.rlimCur[Resource.RLIMIT_SIGPENDING];
        s.sigPnd = t.pending.signal;
        s.shdPnd = sig.sharedPending.signal;
        s.sigBlk = t.blocked;
        if (sighand != null) {
            for (int i = 1; i <= Signals._NSIG; i++) {
                s.sigHandler(i, sighand.action[i - 1].saHandler);
            }
        }
    }

    private static void taskCap(HeapTask t, ProcStatus s) {
        final HeapCred cred = t.cred;
        s.capInh = cred.capInheritable;
        s.capPrm = cred.capPermitted;
        s.capEff = cred.capEffective;
        s.capBnd = cred.capBset;
        s.capAmb = cred.capAmbient;
    }

    private static void taskMem(HeapMm m, ProcStatus s) {
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
    public static String procMaps(HeapGlobals g, int nr) {
        g.tasklistLock.readLock().lock();
        try {
            final HeapTask t = findTask(g, nr);
            if (t == null) {
                return null;
            }
            return t.mm == null ? "" : g.mm.handle(t.mm).maps();
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }
}
