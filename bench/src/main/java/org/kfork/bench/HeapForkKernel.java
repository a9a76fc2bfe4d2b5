package org.kfork.bench;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.block.HeapBlkIoc;
import org.kfork.heap.cgroup.HeapCgroups;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.exit.HeapExit;
import org.kfork.heap.fork.HeapFork;
import org.kfork.heap.fork.HeapForkCalls;
import org.kfork.heap.fork.HeapForkMm;
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
import org.kfork.mm.Mman;
import org.kfork.pid.PidRules;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.smp.CurrentCpu;
import org.kfork.uapi.CloneFlags;

/** {@link ForkKernel} on the heap twin, step for step as {@link OffHeapForkKernel}. */
final class HeapForkKernel implements ForkKernel {
    final HeapGlobals g;
    /** init's task. */
    final HeapTask init;
    private final AddressSpace initMm;
    /** The tasks kept by {@link #track}. */
    private final HeapTask[] tasks;
    private final long[] word = new long[1];

    /** Boots a heap kernel of {@code ramPages} pages and {@code cpus} CPUs, and makes init. */
    HeapForkKernel(long ramPages, int cpus, int slots) {
        g = HeapGlobals.boot(ramPages, cpus);
        tasks = new HeapTask[slots];
        final HeapKernelCloneArgs args = new HeapKernelCloneArgs();
        args.flags = CloneFlags.CLONE_FS | CloneFlags.CLONE_VM | CloneFlags.CLONE_UNTRACED;
        final int nr = WaitResult.ret(HeapFork.kernelClone(g, g.initTask, WaitResult.NO_RCU, args));
        if (nr != 1) {
            throw new IllegalStateException("init is not pid 1: " + nr);
        }
        init = HeapPids.findTaskByVpid(g, g.initTask, nr);
        initMm = g.mm.mmAlloc();
        init.mm = ((HeapMm) initMm).mmStruct();
        init.activeMm = init.mm;
        init.flags &= ~(TaskFlags.PF_KTHREAD | TaskFlags.PF_FORKNOEXEC);
    }

    @Override
    public void mapVmas(int n) {
        DupMmapBench.build(initMm, n, false);
    }

    @Override
    public long mapPage() {
        return initMm.mmap(0, Mman.PAGE_SIZE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS,
            null, 0);
    }

    @Override
    public int initMapCount() {
        return initMm.mapCount();
    }

    @Override
    public int fork() {
        return WaitResult.ret(HeapForkCalls.sysFork(g, init, WaitResult.NO_RCU));
    }

    @Override
    public int thread(long stack, long parentTid, long childTid, long tls) {
        return WaitResult.ret(HeapForkCalls.sysClone(g, init, WaitResult.NO_RCU, THREAD_FLAGS, stack, parentTid,
            childTid, tls));
    }

    @Override
    public void track(int slot, int pid) {
        final HeapTask p = HeapPids.findTaskByVpid(g, init, pid);
        if (p == null) {
            throw new IllegalStateException("no task " + pid);
        }
        tasks[slot] = p;
    }

    @Override
    public void release(int slot) {
        release(tasks[slot]);
        tasks[slot] = null;
    }

    private void release(HeapTask p) {
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
        HeapPids.detachPid(g, p, PidRules.PIDTYPE_PID);
        if (leader) {
            HeapPids.detachPid(g, p, PidRules.PIDTYPE_TGID);
            detachGroupPid(p, PidRules.PIDTYPE_PGID);
            detachGroupPid(p, PidRules.PIDTYPE_SID);
            HeapIntrusiveList.listDel(p.tasks);
            HeapIntrusiveList.listDelInit(p.sibling);
            g.processCounts.decrementAndGet(CurrentCpu.current(g.nrCpus));
            final HeapPid pid = p.threadPid();
            final HeapPidNamespace ns = pid == null ? null : HeapPids.nsOfPid(pid);
            if (ns != null && HeapPidNamespaces.childReaper(ns) == p) {
                HeapPids.disablePidAllocation(g, ns);
            }
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
    }

    private void detachGroupPid(HeapTask p, int type) {
        if (p.signal.pid(type) == g.initStructPid) {
            HeapHList.delRcu(p.pidLink(type));
        } else {
            HeapPids.detachPid(g, p, type);
        }
    }

    @Override
    public int nrThreads() {
        return g.nrThreads;
    }

    @Override
    public int readUserInt(long addr) {
        final int err = HeapUaccess.getUser(g, init, word, addr, Integer.BYTES);
        if (err != 0) {
            throw new IllegalStateException("get_user " + Long.toHexString(addr) + ": " + err);
        }
        return (int) word[0];
    }

    @Override
    public void quiesce() {
        g.rcu.quiesce();
    }

    @Override
    public void close() {
        release(init);
        g.close();
    }
}
