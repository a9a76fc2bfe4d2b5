package org.kfork.kernel.fork;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.kfork.ds.HList;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.block.BlkIoc;
import org.kfork.kernel.cgroup.Cgroups;
import org.kfork.kernel.cred.Creds;
import org.kfork.kernel.exit.Exit;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.fs.FsStructs;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.mm.Mm;
import org.kfork.kernel.mm.Uaccess;
import org.kfork.kernel.nsproxy.Nsproxies;
import org.kfork.kernel.pid.PidNamespaces;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.HlistNode;
import org.kfork.kernel.struct.KernelCloneArgs;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.kernel.struct.Rlimit;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.FailSlab;
import org.kfork.testing.LeakCheck;
import org.kfork.mm.Mman;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Resource;

/** {@link ForkWorld} over the off-heap kernel of a machine. */
final class OffHeapForkWorld implements ForkWorld {
    final Globals g;
    /** Handles to tasks; a vfork parent's thread adds its child while the test thread reads. */
    private final List<Long> tasks = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AddressSpace initMm;
    private final Machine machine;
    /** The machine's counters after boot, before init: close() takes init down and compares. */
    private final Map<String, Long> bootBaseline;

    OffHeapForkWorld(Machine machine) {
        this.machine = machine;
        g = Globals.boot(machine);
        g.signalExterns = new org.kfork.kernel.KernelSignalExterns(g); // for sigkill and its wake-up
        for (int level = 1; level <= Limits.MAX_PID_NS_LEVEL; level++) {
            PidNamespaces.createPidCachep(g, level); // for ever, as 5.12's: made before the baseline
        }
        bootBaseline = LeakCheck.quiescedSnapshot(machine);
        tasks.add(g.initTask);
        // rest_init: kernel_thread(kernel_init, NULL, CLONE_FS)
        final int init = clone(0, CloneFlags.CLONE_FS | CloneFlags.CLONE_VM | CloneFlags.CLONE_UNTRACED, 0);
        if (init != INIT || pid(init) != 1) {
            throw new AssertionError("init is not pid 1: " + init);
        }
        // kernel_init's exec, as far as the suites need it: an mm of its own, no longer a kthread
        final long p = task(INIT);
        initMm = g.mm.mmAlloc();
        final long mm = ((Mm) initMm).address();
        putLong(p + TaskStruct.MM, mm);
        putLong(p + TaskStruct.ACTIVE_MM, mm);
        putInt(p + TaskStruct.FLAGS, getInt(p + TaskStruct.FLAGS) & ~(TaskFlags.PF_KTHREAD | TaskFlags.PF_FORKNOEXEC));
        if (initMm.mmap(USER_PAGE, 4096, Mman.PROT_READ | Mman.PROT_WRITE,
            Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0) != USER_PAGE) {
            throw new AssertionError("mmap");
        }
    }

    long task(int t) {
        return tasks.get(t);
    }

    private int handle(long current, long packed) {
        final int nr = WaitResult.ret(packed);
        if (nr < 0) {
            return nr;
        }
        return handleOf(Pids.findTaskByVpidRcu(g, current, nr));
    }

    /** The task's handle, made on first sight (a vfork child is seen before its parent returns). */
    private int handleOf(long task) {
        synchronized (tasks) {
            final int h = tasks.indexOf(task);
            if (h >= 0) {
                return h;
            }
            tasks.add(task);
            return tasks.size() - 1;
        }
    }

    @Override
    public int byPid(int pid) {
        final long p = Pids.findTaskByVpidRcu(g, g.initTask, pid); // init_task's namespace is init_pid_ns
        return p == 0 ? -1 : handleOf(p);
    }

    @Override
    public void execMmRelease(int t) {
        final long p = task(t);
        ForkMmRelease.execMmRelease(g, p, getLong(p + TaskStruct.MM));
    }

    @Override
    public void sigkill(int t) {
        org.kfork.kernel.signal.SignalCalls.groupSendSigInfo(g, task(INIT), org.kfork.uapi.Signals.SIGKILL,
            org.kfork.kernel.signal.Signal.SEND_SIG_PRIV, task(t), PidRules.PIDTYPE_TGID);
    }


    @Override
    public boolean vforkDone(int t) {
        return Mem.getLongVolatile(task(t) + TaskStruct.VFORK_DONE) != 0;
    }

    @Override
    public int clone(int parent, long flags, int exitSignal) {
        return clone(parent, flags, exitSignal, 0, 0);
    }

    @Override
    public int clone(int parent, long flags, int exitSignal, long pidfd, long parentTid) {
        final long current = task(parent);
        final long args = Fork.frame(g, current) + Fork.FRAME_KARGS;
        Mem.zero(args, KernelCloneArgs.SIZEOF);
        putLong(args + KernelCloneArgs.FLAGS, flags);
        putInt(args + KernelCloneArgs.EXIT_SIGNAL, exitSignal);
        putLong(args + KernelCloneArgs.PIDFD, pidfd);
        putLong(args + KernelCloneArgs.PARENT_TID, parentTid);
        return handle(current, Fork.kernelClone(g, current, WaitResult.NO_RCU, args));
    }

    @Override
    public int clone3(int parent, long uargs, long size) {
        final long current = task(parent);
        return handle(current, ForkCalls.sysClone3(g, current, WaitResult.NO_RCU, uargs, size));
    }

    @Override
    public int unshare(int t, long flags) {
        return ForkCalls.ksysUnshare(g, task(t), flags);
    }

    @Override
    public void writeUser(int t, long addr, byte[] bytes) {
        final long buf = g.kmalloc(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            Mem.putByte(buf + i, bytes[i]);
        }
        final long left = Uaccess.copyToUser(g, task(t), addr, buf, bytes.length);
        g.kfree(buf);
        if (left != 0) {
            throw new AssertionError("copy_to_user left " + left);
        }
    }

    @Override
    public int readUserInt(int t, long addr) {
        final long buf = g.kmalloc(8);
        final int err = Uaccess.getUser(g, task(t), buf, addr, Integer.BYTES);
        final int v = getInt(buf);
        g.kfree(buf);
        if (err != 0) {
            throw new AssertionError("get_user: " + err);
        }
        return v;
    }

    /**
     * do_exit's release of resources and release_task, for a task that never ran: out of the
     * tree and the pid lists under tasklist_lock, its css_set, mm, files, fs, io_context,
     * namespaces and handlers given back, then the two rcu_users references (release_task's, and
     * the last schedule's) and the stack.
     */
    @Override
    public int closeFd(int t, int fd) {
        return Files.closeFd(g, task(t), fd);
    }

    @Override
    public void unfork(int t) {
        final long p = task(t);
        final boolean leader = getLong(p + TaskStruct.GROUP_LEADER) == p;
        final long sig = getLong(p + TaskStruct.SIGNAL);
        putInt(p + TaskStruct.FLAGS, getInt(p + TaskStruct.FLAGS) | TaskFlags.PF_EXITING);
        Mem.getAndAddInt(sig + SignalStruct.LIVE, -1);
        Cgroups.cgroupExit(g, p);
        final long mm = getLong(p + TaskStruct.MM);
        putLong(p + TaskStruct.MM, 0);
        putLong(p + TaskStruct.ACTIVE_MM, 0);
        if (mm != 0) {
            ForkMm.mmput(g.mm, mm);
        }
        Files.exitFiles(g, p);
        FsStructs.exitFs(g, p);
        if (getLong(p + TaskStruct.IO_CONTEXT) != 0) {
            BlkIoc.exitIoContext(g, p);
        }
        Nsproxies.exitTaskNamespaces(g, p);
        putInt(p + TaskStruct.EXIT_STATE, TaskState.EXIT_DEAD);
        // release_task
        Mem.getAndAddInt(getLong(getLong(p + TaskStruct.REAL_CRED) + Cred.USER) + UserStruct.PROCESSES, -1);
        g.tasklistLock.writeLock().lock();
        final long sighand = getLong(p + TaskStruct.SIGHAND);
        Spinlock.lock(sighand + SighandStruct.SIGLOCK);
        putInt(sig + SignalStruct.NR_THREADS, getInt(sig + SignalStruct.NR_THREADS) - 1);
        final long ns = Pids.nsOfPid(getLong(p + TaskStruct.THREAD_PID));
        if (leader && ns != 0 && PidNamespaces.childReaper(ns) == p) {
            // zap_pid_ns_processes' first step, before the reaper's pid goes: free_pid warns when
            // a namespace's first pid goes while it still accepts pids and has a reaper
            Pids.disablePidAllocation(g, ns);
        }
        Pids.detachPid(g, p, PidRules.PIDTYPE_PID);
        if (leader) {
            Pids.detachPid(g, p, PidRules.PIDTYPE_TGID);
            detachGroupPid(p, PidRules.PIDTYPE_PGID);
            detachGroupPid(p, PidRules.PIDTYPE_SID);
            IntrusiveList.delRcu(p + TaskStruct.TASKS);
            IntrusiveList.delInit(p + TaskStruct.SIBLING);
            g.forkInit.processCounts().dec(g.cpus.current());
        }
        IntrusiveList.delRcu(p + TaskStruct.THREAD_GROUP);
        IntrusiveList.delRcu(p + TaskStruct.THREAD_NODE);
        g.nrThreads--;
        putLong(p + TaskStruct.SIGHAND, 0);
        Spinlock.unlock(sighand + SighandStruct.SIGLOCK);
        g.tasklistLock.writeLock().unlock();
        ForkSignal.__cleanupSighand(g, sighand);
        Mem.putLongVolatile(p + TaskStruct.STATE, TaskState.TASK_DEAD);
        g.forkInit.stacks().putTaskStack(p, g.cpus.current());
        Exit.putTaskStructRcuUser(g, p);
        Exit.putTaskStructRcuUser(g, p);
        tasks.set(t, 0L);
    }

    /**
     * detach_pid of a process group or session; init's are init_struct_pid, a static the kernel
     * never frees (pid 1 never exits there), so init's link is only unhashed.
     */
    private void detachGroupPid(long p, int type) {
        final long pid = Mem.getLong(getLong(p + TaskStruct.SIGNAL) + SignalStruct.PIDS + (long) Long.BYTES * type);
        if (pid == g.initStructPid) {
            HList.delRcu(p + TaskStruct.PID_LINKS + (long) HlistNode.SIZEOF * type);
        } else {
            Pids.detachPid(g, p, type);
        }
    }

    @Override
    public int pid(int t) {
        return getInt(task(t) + TaskStruct.PID);
    }

    @Override
    public int tgid(int t) {
        return getInt(task(t) + TaskStruct.TGID);
    }

    @Override
    public int nsPid(int t) {
        final long pid = getLong(task(t) + TaskStruct.THREAD_PID);
        return Pids.pidNrNs(pid, Pids.nsOfPid(pid));
    }

    @Override
    public int nsLevel(int t) {
        return getInt(Pids.taskActivePidNs(task(t)) + PidNamespace.LEVEL);
    }

    @Override
    public int exitSignal(int t) {
        return getInt(task(t) + TaskStruct.EXIT_SIGNAL);
    }

    @Override
    public int realParentPid(int t) {
        return getInt(getLong(task(t) + TaskStruct.REAL_PARENT) + TaskStruct.PID);
    }

    private static long field(String what) {
        return switch (what) {
            case "mm" -> TaskStruct.MM;
            case "files" -> TaskStruct.FILES;
            case "fs" -> TaskStruct.FS;
            case "sighand" -> TaskStruct.SIGHAND;
            case "signal" -> TaskStruct.SIGNAL;
            case "cred" -> TaskStruct.CRED;
            case "nsproxy" -> TaskStruct.NSPROXY;
            default -> throw new IllegalArgumentException(what);
        };
    }

    @Override
    public boolean shares(int a, int b, String what) {
        final long f = field(what);
        return getLong(task(a) + f) == getLong(task(b) + f);
    }

    @Override
    public boolean isNamespaceInit(int t) {
        final long p = task(t);
        final long sig = getLong(p + TaskStruct.SIGNAL);
        return (getInt(sig + SignalStruct.FLAGS) & SignalFlags.SIGNAL_UNKILLABLE) != 0
            && PidNamespaces.childReaper(Pids.taskActivePidNs(p)) == p;
    }

    @Override
    public int groupThreads(int t) {
        return getInt(getLong(task(t) + TaskStruct.SIGNAL) + SignalStruct.NR_THREADS);
    }

    @Override
    public int userProcesses(int t) {
        return getInt(getLong(getLong(task(t) + TaskStruct.REAL_CRED) + Cred.USER) + UserStruct.PROCESSES);
    }

    @Override
    public boolean fdOpen(int t, int fd) {
        return Files.fdIsOpen(getLong(task(t) + TaskStruct.FILES), fd);
    }

    @Override
    public int nrThreads() {
        return g.nrThreads;
    }

    @Override
    public long nrProcesses() {
        return g.forkInit.nrProcesses();
    }

    @Override
    public Map<String, Long> counts() {
        g.rcu.quiesce(); // callbacks queued by callbacks too (put_cred_rcu after delayed_put_task_struct)
        final Map<String, Long> m = new TreeMap<>();
        for (String c : ForkSuite.KINDS) {
            m.put(c, g.kmem.slabs().find(c).activeObjects());
        }
        return m;
    }

    @Override
    public FailSlab failSlab() {
        return g.failSlab;
    }

    @Override
    public void setMaxThreads(int n) {
        g.forkInit.setMaxThreads(n);
    }

    @Override
    public void dropToUser(int t, int uid) {
        if (Creds.setCred(g, task(t), uid, uid, 0) != 0) {
            throw new AssertionError("setCred");
        }
    }

    @Override
    public void setNprocLimit(int t, long limit) {
        final long rlim = getLong(task(t) + TaskStruct.SIGNAL) + SignalStruct.RLIM + (long) Resource.RLIMIT_NPROC * Rlimit.SIZEOF;
        putLong(rlim + Rlimit.RLIM_CUR, limit);
        putLong(rlim + Rlimit.RLIM_MAX, limit);
    }

    /** Unforks every task, init last, and checks the machine is back at its counters after boot. */
    @Override
    public void close() {
        for (int t = tasks.size() - 1; t >= INIT; t--) {
            if (tasks.get(t) != 0) {
                unfork(t);
            }
        }
        LeakCheck.assertNoLeak(bootBaseline, LeakCheck.quiescedSnapshot(machine));
        // free_pid warns when a namespace loses its first pid while it has a reaper and still accepts pids
        if (g.log.lines().stream().anyMatch(l -> l.contains("free_pid"))) {
            throw new AssertionError("free_pid warned: " + g.log.lines());
        }
    }
}
