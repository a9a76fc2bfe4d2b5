package org.kfork.kernel.fork;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.block.HeapBlkIoc;
import org.kfork.heap.cgroup.HeapCgroups;
import org.kfork.heap.cred.HeapCreds;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.exit.HeapExit;
import org.kfork.heap.fork.HeapFork;
import org.kfork.heap.fork.HeapForkCalls;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.fork.HeapForkMmRelease;
import org.kfork.heap.fork.HeapForkSignal;
import org.kfork.heap.fork.HeapKernelCloneArgs;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.fs.HeapFsStructs;
import org.kfork.heap.mm.HeapMm;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.heap.nsproxy.HeapNsproxies;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.FailSlab;
import org.kfork.testing.HeapLeakCheck;
import org.kfork.mm.Mman;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.smp.CurrentCpu;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Resource;

/** {@link ForkWorld} over the heap kernel, step for step as {@link OffHeapForkWorld}. */
final class HeapForkWorld implements ForkWorld {
    final HeapGlobals g;
    /** Handles to tasks; a vfork parent's thread adds its child while the test thread reads. */
    private final List<HeapTask> tasks = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AddressSpace initMm;
    /** The kernel's counts after boot, before init: close() takes init down and compares. */
    private final Map<String, Long> bootBaseline;

    HeapForkWorld(long totalramPages, int cpus) {
        g = HeapGlobals.boot(totalramPages, cpus);
        g.signalExterns = new org.kfork.heap.HeapKernelSignalExterns(g); // for sigkill and its wake-up
        for (int level = 1; level <= Limits.MAX_PID_NS_LEVEL; level++) {
            HeapPidNamespaces.createPidCachep(g, level);
        }
        bootBaseline = HeapLeakCheck.quiescedCounts(g);
        tasks.add(g.initTask);
        final int init = clone(0, CloneFlags.CLONE_FS | CloneFlags.CLONE_VM | CloneFlags.CLONE_UNTRACED, 0);
        if (init != INIT || pid(init) != 1) {
            throw new AssertionError("init is not pid 1: " + init);
        }
        final HeapTask p = task(INIT);
        initMm = g.mm.mmAlloc();
        p.mm = ((HeapMm) initMm).mmStruct();
        p.activeMm = p.mm;
        p.flags &= ~(TaskFlags.PF_KTHREAD | TaskFlags.PF_FORKNOEXEC);
        if (initMm.mmap(USER_PAGE, 4096, Mman.PROT_READ | Mman.PROT_WRITE,
            Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0) != USER_PAGE) {
            throw new AssertionError("mmap");
        }
    }

    HeapTask task(int t) {
        return tasks.get(t);
    }

    private int handle(HeapTask current, long packed) {
        final int nr = WaitResult.ret(packed);
        if (nr < 0) {
            return nr;
        }
        return handleOf(HeapPids.findTaskByVpid(g, current, nr));
    }

    /** The task's handle, made on first sight (a vfork child is seen before its parent returns). */
    private int handleOf(HeapTask task) {
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
        final HeapTask p = HeapPids.findTaskByPidNs(g, pid, g.initPidNs);
        return p == null ? -1 : handleOf(p);
    }

    @Override
    public void execMmRelease(int t) {
        final HeapTask p = task(t);
        HeapForkMmRelease.execMmRelease(g, p, p.mm);
    }

    @Override
    public void sigkill(int t) {
        org.kfork.heap.signal.HeapSignalCalls.groupSendSigInfo(g, task(INIT), org.kfork.uapi.Signals.SIGKILL,
            org.kfork.heap.signal.HeapSignal.SEND_SIG_PRIV, task(t), PidRules.PIDTYPE_TGID);
    }


    @Override
    public boolean vforkDone(int t) {
        return task(t).vforkDone != null;
    }

    @Override
    public int clone(int parent, long flags, int exitSignal) {
        return clone(parent, flags, exitSignal, 0, 0);
    }

    @Override
    public int clone(int parent, long flags, int exitSignal, long pidfd, long parentTid) {
        final HeapTask current = task(parent);
        final HeapKernelCloneArgs args = new HeapKernelCloneArgs();
        args.flags = flags;
        args.exitSignal = exitSignal;
        args.pidfd = pidfd;
        args.parentTid = parentTid;
        return handle(current, HeapFork.kernelClone(g, current, WaitResult.NO_RCU, args));
    }

    @Override
    public int clone3(int parent, long uargs, long size) {
        final HeapTask current = task(parent);
        return handle(current, HeapForkCalls.sysClone3(g, current, WaitResult.NO_RCU, uargs, size));
    }

    @Override
    public int unshare(int t, long flags) {
        return HeapForkCalls.ksysUnshare(g, task(t), flags);
    }

    @Override
    public void writeUser(int t, long addr, byte[] bytes) {
        final long left = HeapUaccess.copyToUser(g, task(t), addr, bytes, 0, bytes.length);
        if (left != 0) {
            throw new AssertionError("copy_to_user left " + left);
        }
    }

    @Override
    public int readUserInt(int t, long addr) {
        final long[] x = new long[1];
        final int err = HeapUaccess.getUser(g, task(t), x, addr, Integer.BYTES);
        if (err != 0) {
            throw new AssertionError("get_user: " + err);
        }
        return (int) x[0];
    }

    @Override
    public int closeFd(int t, int fd) {
        return HeapFiles.closeFd(g, task(t), fd);
    }

    @Override
    public void unfork(int t) {
        final HeapTask p = task(t);
        final boolean leader = p.groupLeader == p;
        final HeapSignalStruct sig = p.signal;
        p.flags |= TaskFlags.PF_EXITING;
        sig.live.decrementAndGet();
        HeapCgroups.cgroupExit(g, p);
        final HeapMmStruct mm = p.mm;
        p.mm = null;
        p.activeMm = null;
        if (mm != null) {
            HeapForkMm.mmput(g.mm, mm);
        }
        HeapFiles.exitFiles(g, p);
        HeapFsStructs.exitFs(g, p);
        if (p.ioContext != null) {
            HeapBlkIoc.exitIoContext(g, p);
        }
        HeapNsproxies.exitTaskNamespaces(g, p);
        p.exitState = TaskState.EXIT_DEAD;
        p.realCred.user.processes.decrementAndGet();
        g.tasklistLock.writeLock().lock();
        final HeapSighandStruct sighand = p.sighand;
        sighand.siglock.lock();
        sig.nrThreads--;
        final HeapPid pid = p.threadPid();
        final HeapPidNamespace ns = pid == null ? null : HeapPids.nsOfPid(pid);
        if (leader && ns != null && HeapPidNamespaces.childReaper(ns) == p) {
            HeapPids.disablePidAllocation(g, ns); // before the reaper's pid goes: see OffHeapForkWorld.unfork
        }
        HeapPids.detachPid(g, p, PidRules.PIDTYPE_PID);
        if (leader) {
            HeapPids.detachPid(g, p, PidRules.PIDTYPE_TGID);
            detachGroupPid(p, PidRules.PIDTYPE_PGID);
            detachGroupPid(p, PidRules.PIDTYPE_SID);
            HeapIntrusiveList.listDel(p.tasks);
            HeapIntrusiveList.listDelInit(p.sibling);
            g.processCounts.decrementAndGet(CurrentCpu.current(g.nrCpus));
        }
        HeapIntrusiveList.listDel(p.threadGroup);
        HeapIntrusiveList.listDel(p.threadNode);
        g.nrThreads--;
        p.sighand = null;
        sighand.siglock.unlock();
        g.tasklistLock.writeLock().unlock();
        HeapForkSignal.__cleanupSighand(g, sighand);
        p.setState(TaskState.TASK_DEAD);
        g.stacks.putTaskStack(p, CurrentCpu.current(g.nrCpus));
        HeapExit.putTaskStructRcuUser(g, p);
        HeapExit.putTaskStructRcuUser(g, p);
        tasks.set(t, null);
    }

    /** detach_pid of a process group or session (see the off-heap world: init_struct_pid is never freed). */
    private void detachGroupPid(HeapTask p, int type) {
        if (p.signal.pid(type) == g.initStructPid) {
            HeapHList.delRcu(p.pidLink(type));
        } else {
            HeapPids.detachPid(g, p, type);
        }
    }

    @Override
    public int pid(int t) {
        return task(t).pid;
    }

    @Override
    public int tgid(int t) {
        return task(t).tgid;
    }

    @Override
    public int nsPid(int t) {
        final HeapPid pid = task(t).threadPid();
        return HeapPids.pidNrNs(pid, HeapPids.nsOfPid(pid));
    }

    @Override
    public int nsLevel(int t) {
        return HeapPids.taskActivePidNs(task(t)).level();
    }

    @Override
    public int exitSignal(int t) {
        return task(t).exitSignal;
    }

    @Override
    public int realParentPid(int t) {
        return task(t).realParent.pid;
    }

    private static Object field(HeapTask p, String what) {
        return switch (what) {
            case "mm" -> p.mm;
            case "files" -> p.files;
            case "fs" -> p.fs;
            case "sighand" -> p.sighand;
            case "signal" -> p.signal;
            case "cred" -> p.cred;
            case "nsproxy" -> p.nsproxy;
            default -> throw new IllegalArgumentException(what);
        };
    }

    @Override
    public boolean shares(int a, int b, String what) {
        return field(task(a), what) == field(task(b), what);
    }

    @Override
    public boolean isNamespaceInit(int t) {
        final HeapTask p = task(t);
        return (p.signal.flags & SignalFlags.SIGNAL_UNKILLABLE) != 0
            && HeapPidNamespaces.childReaper(HeapPids.taskActivePidNs(p)) == p;
    }

    @Override
    public int groupThreads(int t) {
        return task(t).signal.nrThreads;
    }

    @Override
    public int userProcesses(int t) {
        return task(t).realCred.user.processes.get();
    }

    @Override
    public boolean fdOpen(int t, int fd) {
        return HeapFiles.fdIsOpen(task(t).files, fd);
    }

    @Override
    public int nrThreads() {
        return g.nrThreads;
    }

    @Override
    public long nrProcesses() {
        long n = 0;
        for (int i = 0; i < g.processCounts.length(); i++) {
            n += g.processCounts.get(i);
        }
        return n;
    }

    @Override
    public Map<String, Long> counts() {
        g.rcu.quiesce();
        final Map<String, Long> all = g.objectCounts();
        final Map<String, Long> m = new TreeMap<>();
        for (String c : ForkSuite.KINDS) {
            m.put(c, all.get(c));
        }
        return m;
    }

    @Override
    public FailSlab failSlab() {
        return g.failSlab;
    }

    @Override
    public void setMaxThreads(int n) {
        g.setMaxThreads(n);
    }

    @Override
    public void dropToUser(int t, int uid) {
        if (HeapCreds.setCred(g, task(t), uid, uid, 0) != 0) {
            throw new AssertionError("setCred");
        }
    }

    @Override
    public void setNprocLimit(int t, long limit) {
        task(t).signal.rlimCur[Resource.RLIMIT_NPROC] = limit;
        task(t).signal.rlimMax[Resource.RLIMIT_NPROC] = limit;
    }

    /** Unforks every task, init last, and checks every kind is back at its count after boot. */
    @Override
    public void close() {
        for (int t = tasks.size() - 1; t >= INIT; t--) {
            if (tasks.get(t) != null) {
                unfork(t);
            }
        }
        HeapLeakCheck.assertNoLeak(bootBaseline, HeapLeakCheck.quiescedCounts(g));
        if (g.log.lines().stream().anyMatch(l -> l.contains("free_pid"))) {
            throw new AssertionError("free_pid warned: " + g.log.lines()); // see OffHeapForkWorld.close
        }
    }
}
