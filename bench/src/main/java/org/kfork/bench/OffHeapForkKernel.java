package org.kfork.bench;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.kfork.ds.HList;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.block.BlkIoc;
import org.kfork.kernel.cgroup.Cgroups;
import org.kfork.kernel.exit.Exit;
import org.kfork.kernel.fork.Fork;
import org.kfork.kernel.fork.ForkCalls;
import org.kfork.kernel.fork.ForkMm;
import org.kfork.kernel.fork.ForkSignal;
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
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.Mman;
import org.kfork.pid.PidRules;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.CloneFlags;

/**
 * {@link ForkKernel} on the off-heap kernel of a machine of its own: booted, with init made as
 * rest_init makes it (kernel_clone from init_task with CLONE_FS|CLONE_VM|CLONE_UNTRACED) and given
 * an mm of its own, as kernel_init's exec would. The calls are the system calls' own entry points
 * (ForkCalls), made by a caller outside any RCU reader ({@link WaitResult#NO_RCU}); nothing on
 * their path allocates on the Java heap.
 */
final class OffHeapForkKernel implements ForkKernel {
    final Machine machine;
    final Globals g;
    /** init's task_struct. */
    final long init;
    private final AddressSpace initMm;
    /** The tasks kept by {@link #track}. */
    private final long[] tasks;
    /** A kernel-memory word for get_user. */
    private final long word;

    /**
     * Boots a machine of {@code ramBytes} and {@code cpus} CPUs and makes init; {@code slots} tasks
     * can be tracked at once.
     */
    OffHeapForkKernel(long ramBytes, int cpus, int slots) {
        machine = Machine.builder().ram(ramBytes).cpus(cpus).build();
        g = Globals.boot(machine);
        tasks = new long[slots];
        final long args = Fork.frame(g, g.initTask) + Fork.FRAME_KARGS;
        Mem.zero(args, KernelCloneArgs.SIZEOF);
        putLong(args + KernelCloneArgs.FLAGS, CloneFlags.CLONE_FS | CloneFlags.CLONE_VM | CloneFlags.CLONE_UNTRACED);
        final int nr = WaitResult.ret(Fork.kernelClone(g, g.initTask, WaitResult.NO_RCU, args));
        if (nr != 1) {
            throw new IllegalStateException("init is not pid 1: " + nr);
        }
        init = Pids.findTaskByVpid(g, g.initTask, nr);
        initMm = g.mm.mmAlloc();
        final long mm = ((Mm) initMm).address();
        putLong(init + TaskStruct.MM, mm);
        putLong(init + TaskStruct.ACTIVE_MM, mm);
        putInt(init + TaskStruct.FLAGS, getInt(init + TaskStruct.FLAGS) & ~(TaskFlags.PF_KTHREAD | TaskFlags.PF_FORKNOEXEC));
        word = g.kmalloc(Long.BYTES);
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
        return WaitResult.ret(ForkCalls.sysFork(g, init, WaitResult.NO_RCU));
    }

    @Override
    public int thread(long stack, long parentTid, long childTid, long tls) {
        return WaitResult.ret(ForkCalls.sysClone(g, init, WaitResult.NO_RCU, THREAD_FLAGS, stack, parentTid, childTid,
            tls));
    }

    @Override
    public void track(int slot, int pid) {
        final long p = Pids.findTaskByVpid(g, init, pid);
        if (p == 0) {
            throw new IllegalStateException("no task " + pid);
        }
        tasks[slot] = p;
    }

    @Override
    public void release(int slot) {
        release(tasks[slot]);
        tasks[slot] = 0;
    }

    private void release(long p) {
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
        Mem.getAndAddInt(getLong(getLong(p + TaskStruct.REAL_CRED) + Cred.USER) + UserStruct.PROCESSES, -1);
        g.tasklistLock.writeLock().lock();
        final long sighand = getLong(p + TaskStruct.SIGHAND);
        Spinlock.lock(sighand + SighandStruct.SIGLOCK);
        putInt(sig + SignalStruct.NR_THREADS, getInt(sig + SignalStruct.NR_THREADS) - 1);
        Pids.detachPid(g, p, PidRules.PIDTYPE_PID);
        if (leader) {
            Pids.detachPid(g, p, PidRules.PIDTYPE_TGID);
            detachGroupPid(p, PidRules.PIDTYPE_PGID);
            detachGroupPid(p, PidRules.PIDTYPE_SID);
            IntrusiveList.delRcu(p + TaskStruct.TASKS);
            IntrusiveList.delInit(p + TaskStruct.SIBLING);
            g.forkInit.processCounts().dec(g.cpus.current());
            final long ns = Pids.nsOfPid(getLong(p + TaskStruct.THREAD_PID));
            if (ns != 0 && PidNamespaces.childReaper(ns) == p) {
                Pids.disablePidAllocation(g, ns);
            }
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
    }

    private void detachGroupPid(long p, int type) {
        final long pid = getLong(getLong(p + TaskStruct.SIGNAL) + SignalStruct.PIDS + (long) Long.BYTES * type);
        if (pid == g.initStructPid) {
            HList.delRcu(p + TaskStruct.PID_LINKS + (long) HlistNode.SIZEOF * type);
        } else {
            Pids.detachPid(g, p, type);
        }
    }

    @Override
    public int nrThreads() {
        return g.nrThreads;
    }

    @Override
    public int readUserInt(long addr) {
        final int err = Uaccess.getUser(g, init, word, addr, Integer.BYTES);
        if (err != 0) {
            throw new IllegalStateException("get_user " + Long.toHexString(addr) + ": " + err);
        }
        return getInt(word);
    }

    @Override
    public void quiesce() {
        g.rcu.quiesce();
    }

    @Override
    public void close() {
        g.kfree(word);
        release(init);
        machine.close();
    }
}
