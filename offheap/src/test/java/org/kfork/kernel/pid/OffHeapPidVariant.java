package org.kfork.kernel.pid;

import org.kfork.cred.UcountTypes;
import org.kfork.kernel.cred.Ucount;
import org.kfork.kernel.locking.Refcount;
import org.kfork.kernel.struct.UserNamespace;
import org.kfork.machine.Mem;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import org.kfork.alloc.KmemCache;
import org.kfork.ds.HList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.struct.HlistHead;
import org.kfork.kernel.struct.Pid;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.Upid;
import org.kfork.kernel.struct.NsCommon;
import org.kfork.machine.Mem;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;

/** {@link PidVariant} over the off-heap kernel: Pids and PidNamespaces on a booted {@link Globals}. */
final class OffHeapPidVariant implements PidVariant {
    final Globals g;
    /** Kernel memory for set_tid (as kernel_clone_args.set_tid points into the kernel). */
    private final long setTidBuf;
    private final List<Long> objects = new ArrayList<>();
    private final Map<Long, Integer> handles = new HashMap<>();
    /** Tasks made and not freed yet: {@link #close} frees them. */
    private final List<Long> tasks = new ArrayList<>();

    /**
     * A variant over {@code g}. Makes every pid_N cache up front, so that a test's leak check
     * sees no cache appear; the kernel-image slot for set_tid is taken here too.
     */
    OffHeapPidVariant(Globals g) {
        this.g = g;
        for (int level = 1; level <= Limits.MAX_PID_NS_LEVEL; level++) {
            PidNamespaces.createPidCachep(g, level);
        }
        this.setTidBuf = g.image.alloc(Integer.BYTES * (Limits.MAX_PID_NS_LEVEL + 1), Integer.BYTES);
        objects.add(0L);
        fresh(g.initPidNs);
        fresh(g.initStructPid);
    }

    /** A new object at {@code addr}: a new handle (the address may have held an older object). */
    private int fresh(long addr) {
        objects.add(addr);
        handles.put(addr, objects.size() - 1);
        return objects.size() - 1;
    }

    private int handle(long addr) {
        if (addr == 0) {
            return 0;
        }
        if (Errno.isError(addr)) {
            return (int) addr;
        }
        final Integer h = handles.get(addr);
        if (h == null) {
            throw new AssertionError("no handle for 0x" + Long.toHexString(addr));
        }
        return h;
    }

    private int freshOrErr(long addr) {
        return Errno.isError(addr) ? (int) addr : fresh(addr);
    }

    long addr(int h) {
        return h == 0 ? 0 : objects.get(h);
    }

    @Override
    public String name() {
        return "OFFHEAP";
    }

    @Override
    public int initPidNs() {
        return handle(g.initPidNs);
    }

    @Override
    public int initStructPid() {
        return handle(g.initStructPid);
    }

    @Override
    public int sysctlPidMax(boolean write, long value) {
        return Pids.sysctlPidMax(g, write, value);
    }

    @Override
    public int pidMaxMin() {
        return g.pidMaxMin;
    }

    @Override
    public int allocPid(int ns, int[] setTid, int setTidSize, BooleanSupplier capable) {
        if (setTid != null) {
            for (int i = 0; i < setTid.length; i++) {
                Mem.putInt(setTidBuf + (long) Integer.BYTES * i, setTid[i]);
            }
        }
        return freshOrErr(Pids.allocPid(g, addr(ns), setTidBuf, setTidSize, capable));
    }

    @Override
    public void freePid(int pid) {
        Pids.freePid(g, addr(pid));
    }

    @Override
    public int getPid(int pid) {
        return handle(Pids.getPid(addr(pid)));
    }

    @Override
    public void putPid(int pid) {
        Pids.putPid(g, addr(pid));
    }

    @Override
    public int pidCount(int pid) {
        return Pids.pidCount(addr(pid));
    }

    @Override
    public int pidLevel(int pid) {
        return Mem.getInt(addr(pid) + Pid.LEVEL);
    }

    @Override
    public int pidNr(int pid) {
        return Pids.pidNr(addr(pid));
    }

    @Override
    public int upidNr(int pid, int level) {
        return Mem.getInt(addr(pid) + Pid.numbersAt(level) + Upid.NR);
    }

    @Override
    public int upidNs(int pid, int level) {
        return handle(Mem.getLong(addr(pid) + Pid.numbersAt(level) + Upid.NS));
    }

    @Override
    public int pidNrNs(int pid, int ns) {
        return Pids.pidNrNs(addr(pid), addr(ns));
    }

    @Override
    public int nsOfPid(int pid) {
        return handle(Pids.nsOfPid(addr(pid)));
    }

    @Override
    public boolean isChildReaper(int pid) {
        return Pids.isChildReaper(addr(pid));
    }

    /** A lookup under rcu_read_lock, as 5.12 asks of find_pid_ns's callers. */
    private long underRcu(java.util.function.LongSupplier lookup) {
        final int rcu = g.rcu.rcuReadLock();
        try {
            return lookup.getAsLong();
        } finally {
            g.rcu.rcuReadUnlock(rcu);
        }
    }

    @Override
    public int findPidNs(int nr, int ns) {
        return handle(underRcu(() -> Pids.findPidNs(g, nr, addr(ns))));
    }

    @Override
    public int findGePid(int nr, int ns) {
        return handle(Pids.findGePid(g, nr, addr(ns)));
    }

    @Override
    public void disablePidAllocation(int ns) {
        Pids.disablePidAllocation(g, addr(ns));
    }

    @Override
    public int createPidNamespace(int parent, int euid) {
        return freshOrErr(PidNamespaces.createPidNamespace(g, g.initUserNs, addr(parent), euid));
    }

    @Override
    public int copyPidNs(long flags, int current, int oldNs, int euid) {
        final long ns = PidNamespaces.copyPidNs(g, addr(current), flags, g.initUserNs, addr(oldNs), euid);
        return ns == addr(oldNs) ? oldNs : freshOrErr(ns);
    }

    @Override
    public int getPidNs(int ns) {
        return handle(PidNamespaces.getPidNs(g, addr(ns)));
    }

    @Override
    public void putPidNs(int ns) {
        PidNamespaces.putPidNs(g, addr(ns));
    }

    @Override
    public int nsCount(int ns) {
        return PidNamespaces.nsCount(addr(ns));
    }

    @Override
    public int nsLevel(int ns) {
        return Mem.getInt(addr(ns) + PidNamespace.LEVEL);
    }

    @Override
    public int nsParent(int ns) {
        return handle(Mem.getLong(addr(ns) + PidNamespace.PARENT));
    }

    @Override
    public long nsInum(int ns) {
        return Integer.toUnsignedLong(Mem.getInt(addr(ns) + PidNamespace.NS + NsCommon.INUM));
    }

    @Override
    public int pidAllocated(int ns) {
        return Pids.pidAllocated(addr(ns));
    }

    @Override
    public int idrCursor(int ns) {
        return g.idr.idrGetCursor(addr(ns) + PidNamespace.IDR);
    }

    @Override
    public void setIdrCursor(int ns, int cursor) {
        g.idr.idrSetCursor(addr(ns) + PidNamespace.IDR, cursor);
    }

    @Override
    public long validateIdr(int ns) {
        return g.idr.validate(addr(ns) + PidNamespace.IDR);
    }

    @Override
    public void setChildReaper(int ns, int task) {
        PidNamespaces.setChildReaper(addr(ns), addr(task));
    }

    @Override
    public int childReaper(int ns) {
        return handle(PidNamespaces.childReaper(addr(ns)));
    }

    @Override
    public int pidNsUcount(int euid) {
        final long ucounts = Ucount.lookupUcounts(g, g.initUserNs, euid);
        return ucounts == 0 ? 0 : Ucount.ucount(ucounts, UcountTypes.UCOUNT_PID_NAMESPACES);
    }

    @Override
    public int pidNsUcountMax() {
        return Mem.getInt(g.initUserNs + UserNamespace.UCOUNT_MAX + 4L * UcountTypes.UCOUNT_PID_NAMESPACES);
    }

    @Override
    public int newTask() {
        final long task = g.forkInit.taskStructCachep().zalloc();
        final long sig = g.forkInit.signalCachep().zalloc();
        Mem.putLong(task + TaskStruct.SIGNAL, sig);
        Refcount.set(task + TaskStruct.USAGE, 1);
        tasks.add(task);
        return fresh(task);
    }

    @Override
    public void freeTask(int task) {
        final long t = addr(task);
        if (!tasks.remove(t)) {
            throw new AssertionError("task " + task + " freed twice");
        }
        free(t);
    }

    private void free(long t) {
        g.forkInit.signalCachep().free(Mem.getLong(t + TaskStruct.SIGNAL));
        g.forkInit.taskStructCachep().free(t);
    }

    private long taskPidPtr(int task, int type) {
        final long t = addr(task);
        return type == 0 ? t + TaskStruct.THREAD_PID
            : Mem.getLong(t + TaskStruct.SIGNAL) + SignalStruct.PIDS + (long) Long.BYTES * type;
    }

    @Override
    public void initTaskPid(int task, int type, int pid) {
        Mem.putLong(taskPidPtr(task, type), addr(pid));
    }

    @Override
    public int taskPid(int task, int type) {
        return handle(Mem.getLong(taskPidPtr(task, type)));
    }

    @Override
    public int taskPidField(int task) {
        return Mem.getInt(addr(task) + TaskStruct.PID);
    }

    @Override
    public void setTaskPidField(int task, int nr) {
        Mem.putInt(addr(task) + TaskStruct.PID, nr);
    }

    @Override
    public int taskUsage(int task) {
        return Refcount.read(addr(task) + TaskStruct.USAGE);
    }

    @Override
    public void dropTaskUsage(int task) {
        Refcount.decAndTest(addr(task) + TaskStruct.USAGE, "task_struct.usage");
    }

    @Override
    public void attachPid(int task, int type) {
        Pids.attachPid(addr(task), type);
    }

    @Override
    public void detachPid(int task, int type) {
        Pids.detachPid(g, addr(task), type);
    }

    @Override
    public void changePid(int task, int type, int pid) {
        Pids.changePid(g, addr(task), type, addr(pid));
    }

    @Override
    public void transferPid(int old, int nw, int type) {
        Pids.transferPid(addr(old), addr(nw), type);
    }

    @Override
    public void exchangeTids(int left, int right) {
        Pids.exchangeTids(addr(left), addr(right));
    }

    @Override
    public boolean pidHasTask(int pid, int type) {
        return Pids.pidHasTask(addr(pid), type);
    }

    @Override
    public int pidTask(int pid, int type) {
        return handle(Pids.pidTask(addr(pid), type));
    }

    @Override
    public int findTaskByPidNs(int nr, int ns) {
        return handle(underRcu(() -> Pids.findTaskByPidNs(g, nr, addr(ns))));
    }

    @Override
    public int findTaskByVpid(int current, int vnr) {
        return handle(underRcu(() -> Pids.findTaskByVpid(g, addr(current), vnr)));
    }

    @Override
    public int findGetTaskByVpid(int current, int vnr) {
        return handle(Pids.findGetTaskByVpid(g, addr(current), vnr));
    }

    @Override
    public int getTaskPid(int task, int type) {
        return handle(Pids.getTaskPid(g, addr(task), type));
    }

    @Override
    public int getPidTask(int pid, int type) {
        return handle(Pids.getPidTask(g, addr(pid), type));
    }

    @Override
    public int findGetPid(int current, int nr) {
        return handle(Pids.findGetPid(g, addr(current), nr));
    }

    @Override
    public int taskPidNrNs(int current, int task, int type, int ns) {
        return Pids.taskPidNrNs(g, addr(current), addr(task), type, addr(ns));
    }

    @Override
    public int taskPidVnr(int current, int task) {
        return Pids.taskPidVnr(g, addr(current), addr(task));
    }

    @Override
    public int taskTgidVnr(int current, int task) {
        return Pids.taskTgidVnr(g, addr(current), addr(task));
    }

    @Override
    public int pidVnr(int current, int pid) {
        return Pids.pidVnr(addr(current), addr(pid));
    }

    @Override
    public int taskActivePidNs(int task) {
        return handle(Pids.taskActivePidNs(addr(task)));
    }

    @Override
    public int pidTasksLength(int pid, int type) {
        return HList.validate(addr(pid) + Pid.TASKS + HlistHead.SIZEOF * type, 1 << 20);
    }

    @Override
    public void failNth(long k) {
        g.failSlab.failNth(k);
    }

    @Override
    public void disarm() {
        g.failSlab.disarm();
    }

    @Override
    public long allocationsSinceArmed() {
        return g.failSlab.allocations();
    }

    @Override
    public boolean failArmed() {
        return g.failSlab.armed();
    }

    @Override
    public void rcuBarrier() {
        g.rcu.rcuBarrier();
    }

    @Override
    public long callbacksPending() {
        return g.rcu.callbacksPending();
    }

    @Override
    public boolean cacheExists(String name) {
        return g.kmem.slabs().find(name) != null;
    }

    @Override
    public Map<String, Long> liveObjects() {
        final Map<String, Long> m = new TreeMap<>();
        for (KmemCache c : g.kmem.slabs().list()) {
            final String n = c.name();
            if (n.equals("pid") || n.startsWith("pid_") || n.equals("radix_tree_node")) {
                m.put(n, c.activeObjects());
            }
        }
        return m;
    }

    @Override
    public void onWakeUpProcess(IntConsumer hook) {
        g.wakeUpProcess = task -> hook.accept(handle(task));
    }

    @Override
    public List<String> log() {
        return g.log.lines();
    }

    @Override
    public void close() {
        g.failSlab.disarm();
        for (long t : tasks) {
            free(t);
        }
        tasks.clear();
    }
}
