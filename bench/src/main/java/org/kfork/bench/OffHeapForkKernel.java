package org.kfork.bench;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.kfork.alloc.SlabLeakException;
import org.kfork.ds.IntrusiveList;
import org.kfork.exit.WaitOpts;
import org.kfork.kernel.Globals;
import org.kfork.kernel.KernelSignalExterns;
import org.kfork.kernel.exit.Exit;
import org.kfork.kernel.exit.ExitWait;
import org.kfork.kernel.fork.Fork;
import org.kfork.kernel.fork.ForkCalls;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.mm.Mm;
import org.kfork.kernel.mm.Uaccess;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.struct.KernelCloneArgs;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.Mman;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.CloneFlags;

/**
 * {@link ForkKernel} on the off-heap kernel of a machine of its own: booted, with init made as
 * rest_init makes it (kernel_clone from init_task with CLONE_FS|CLONE_VM|CLONE_UNTRACED) and given
 * an mm of its own, as kernel_init's exec would. The calls are the system calls' own entry points
 * (ForkCalls, Exit.doExit, ExitWait.kernelWait4), made by a caller outside any RCU reader
 * ({@link WaitResult#NO_RCU}); nothing on the paths of fork, clone, exit and wait4 allocates on
 * the Java heap.
 */
final class OffHeapForkKernel implements ForkKernel {
    final Machine machine;
    final Globals g;
    /** init's task_struct. */
    final long init;
    private final AddressSpace initMm;
    /** The tasks kept by {@link #track}. */
    private final long[] tasks;
    /** init's struct wait_opts, reused by every wait4. */
    private final WaitOpts wo = new WaitOpts();
    /** A kernel-memory word for get_user. */
    private final long word;

    /**
     * Boots a machine of {@code ramBytes} and {@code cpus} CPUs and makes init; {@code slots} tasks
     * can be tracked at once.
     */
    OffHeapForkKernel(long ramBytes, int cpus, int slots) {
        machine = Machine.builder().ram(ramBytes).cpus(cpus).build();
        g = Globals.boot(machine);
        g.signalExterns = new KernelSignalExterns(g); // boot leaves them to the assembler; exit signals through them
        tasks = new long[slots];
        final long args = Fork.frame(g, g.initTask) + Fork.FRAME_KARGS;
        Mem.zero(args, KernelCloneArgs.SIZEOF);
        putLong(args + KernelCloneArgs.FLAGS, CloneFlags.CLONE_FS | CloneFlags.CLONE_VM | CloneFlags.CLONE_UNTRACED);
        final int nr = WaitResult.ret(Fork.kernelClone(g, g.initTask, WaitResult.NO_RCU, args));
        if (nr != 1) {
            throw new IllegalStateException("init is not pid 1: " + nr);
        }
        init = Pids.findTaskByVpidRcu(g, g.initTask, nr);
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
        final long p = Pids.findTaskByVpidRcu(g, init, pid);
        if (p == 0) {
            throw new IllegalStateException("no task " + pid);
        }
        tasks[slot] = p;
    }

    @Override
    public void exit(int slot) {
        final long p = tasks[slot];
        tasks[slot] = 0;
        Exit.doExit(g, p, 0);
    }

    @Override
    public int wait4(int pid) {
        return ExitWait.kernelWait4(g, init, pid, 0, wo);
    }

    @Override
    public int vfork() {
        return WaitResult.ret(ForkCalls.sysVfork(g, init, WaitResult.NO_RCU));
    }

    @Override
    public void exitVforkChild() {
        long child;
        while ((child = wokenVforkChild()) == 0) {
            Thread.yield(); // the parent needs the CPU to get there, and CPUs may be few
        }
        Exit.doExit(g, child, 0);
    }

    /**
     * init's newest child if it is a vfork child that wake_up_new_task has made runnable and that
     * has not let go of the mm yet, else 0. Under tasklist_lock the child is linked, so alive;
     * under its pi_lock, wake_up_new_task is done with it.
     */
    private long wokenVforkChild() {
        final long head = init + TaskStruct.CHILDREN;
        long found = 0;
        g.tasklistLock.readLock().lock();
        final long last = IntrusiveList.prev(head);
        if (last != head) {
            final long c = last - TaskStruct.SIBLING;
            Spinlock.lock(c + TaskStruct.PI_LOCK);
            if (getLong(c + TaskStruct.VFORK_DONE) != 0 && getLong(c + TaskStruct.STATE) == TaskState.TASK_RUNNING) {
                found = c;
            }
            Spinlock.unlock(c + TaskStruct.PI_LOCK);
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
        try {
            machine.close();
        } catch (IllegalStateException e) {
            // 5.12's init never exits, so its task and what it holds are still allocated when the
            // kernel goes: the first cache destroyed with them reports them (the machine's RAM is
            // released all the same). Any other failure is one.
            if (!(e.getCause() instanceof SlabLeakException) || e.getSuppressed().length != 0) {
                throw e;
            }
        }
    }
}
