package org.kfork.bench;

import org.kfork.exit.WaitOpts;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.HeapKernelSignalExterns;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.exit.HeapExit;
import org.kfork.heap.exit.HeapExitWait;
import org.kfork.heap.fork.HeapFork;
import org.kfork.heap.fork.HeapForkCalls;
import org.kfork.heap.fork.HeapKernelCloneArgs;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapMm;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.heap.pid.HeapPids;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.Mman;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.CloneFlags;

/** {@link ForkKernel} on the heap twin, step for step as {@link OffHeapForkKernel}. */
final class HeapForkKernel implements ForkKernel {
    final HeapGlobals g;
    /** init's task. */
    final HeapTask init;
    private final AddressSpace initMm;
    /** The tasks kept by {@link #track}. */
    private final HeapTask[] tasks;
    /** init's struct wait_opts, reused by every wait4. */
    private final WaitOpts wo = new WaitOpts();
    private final long[] word = new long[1];

    /** Boots a heap kernel of {@code ramPages} pages and {@code cpus} CPUs, and makes init. */
    HeapForkKernel(long ramPages, int cpus, int slots) {
        g = HeapGlobals.boot(ramPages, cpus);
        g.signalExterns = new HeapKernelSignalExterns(g);
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
    public void exit(int slot) {
        final HeapTask p = tasks[slot];
        tasks[slot] = null;
        HeapExit.doExit(g, p, 0);
    }

    @Override
    public int wait4(int pid) {
        return HeapExitWait.kernelWait4(g, init, pid, 0, wo);
    }

    @Override
    public int vfork() {
        return WaitResult.ret(HeapForkCalls.sysVfork(g, init, WaitResult.NO_RCU));
    }

    @Override
    public void exitVforkChild() {
        HeapTask child;
        while ((child = wokenVforkChild()) == null) {
            Thread.yield(); // the parent needs the CPU to get there, and CPUs may be few
        }
        HeapExit.doExit(g, child, 0);
    }

    /** init's newest child if it is a woken vfork child still holding the mm (see the off-heap twin). */
    private HeapTask wokenVforkChild() {
        HeapTask found = null;
        g.tasklistLock.readLock().lock();
        final HeapIntrusiveList last = init.children.prev();
        if (last != init.children) {
            final HeapTask c = ((HeapTask.Link) last).task;
            c.piLock.lock();
            if (c.vforkDone != null && c.state() == TaskState.TASK_RUNNING) {
                found = c;
            }
            c.piLock.unlock();
        }
        g.tasklistLock.readLock().unlock();
        return found;
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
        g.close();
    }
}
