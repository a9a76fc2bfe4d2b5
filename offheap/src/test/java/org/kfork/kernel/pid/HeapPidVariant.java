package org.kfork.kernel.pid;

import org.kfork.cred.UcountTypes;
import org.kfork.heap.cred.HeapUcount;
import org.kfork.heap.cred.HeapUcounts;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.sched.Limits;

/** {@link PidVariant} over the heap twin: HeapPids and HeapPidNamespaces on a {@link HeapGlobals}. */
final class HeapPidVariant implements PidVariant {
    final HeapGlobals g;
    private final List<Object> objects = new ArrayList<>();
    private final Map<Object, Integer> handles = new IdentityHashMap<>();

    /** A variant over {@code g}; declares every pid_N kind up front, as the off-heap variant makes the caches. */
    HeapPidVariant(HeapGlobals g) {
        this.g = g;
        for (int level = 1; level <= Limits.MAX_PID_NS_LEVEL; level++) {
            HeapPidNamespaces.createPidCachep(g, level);
        }
        objects.add(null);
        fresh(g.initPidNs);
        fresh(g.initStructPid);
    }

    private int fresh(Object o) {
        objects.add(o);
        handles.put(o, objects.size() - 1);
        return objects.size() - 1;
    }

    private int handle(Object o) {
        if (o == null) {
            return 0;
        }
        if (ErrPtr.isErr(o)) {
            return ErrPtr.ptrErr(o);
        }
        final Integer h = handles.get(o);
        if (h == null) {
            throw new AssertionError("no handle for " + o);
        }
        return h;
    }

    private int freshOrErr(Object o) {
        return ErrPtr.isErr(o) ? ErrPtr.ptrErr(o) : fresh(o);
    }

    private HeapPid pid(int h) {
        return (HeapPid) objects.get(h);
    }

    private HeapPidNamespace ns(int h) {
        return (HeapPidNamespace) objects.get(h);
    }

    private HeapTask task(int h) {
        return (HeapTask) objects.get(h);
    }

    @Override
    public String name() {
        return "HEAP";
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
        return HeapPids.sysctlPidMax(g, write, value);
    }

    @Override
    public int pidMaxMin() {
        return g.pidMaxMin;
    }

    @Override
    public int allocPid(int ns, int[] setTid, int setTidSize, BooleanSupplier capable) {
        return freshOrErr(HeapPids.allocPid(g, ns(ns), setTid, setTidSize, capable));
    }

    @Override
    public void freePid(int pid) {
        HeapPids.freePid(g, pid(pid));
    }

    @Override
    public int getPid(int pid) {
        return handle(HeapPids.getPid(pid(pid)));
    }

    @Override
    public void putPid(int pid) {
        HeapPids.putPid(g, pid(pid));
    }

    @Override
    public int pidCount(int pid) {
        return HeapPids.pidCount(pid(pid));
    }

    @Override
    public int pidLevel(int pid) {
        return pid(pid).level();
    }

    @Override
    public int pidNr(int pid) {
        return HeapPids.pidNr(pid(pid));
    }

    @Override
    public int upidNr(int pid, int level) {
        return pid(pid).number(level).nr();
    }

    @Override
    public int upidNs(int pid, int level) {
        return handle(pid(pid).number(level).ns());
    }

    @Override
    public int pidNrNs(int pid, int ns) {
        return HeapPids.pidNrNs(pid(pid), ns(ns));
    }

    @Override
    public int nsOfPid(int pid) {
        return handle(HeapPids.nsOfPid(pid(pid)));
    }

    @Override
    public boolean isChildReaper(int pid) {
        return HeapPids.isChildReaper(pid(pid));
    }

    @Override
    public int findPidNs(int nr, int ns) {
        return handle(HeapPids.findPidNs(g, nr, ns(ns)));
    }

    @Override
    public int findGePid(int nr, int ns) {
        return handle(HeapPids.findGePid(g, nr, ns(ns)));
    }

    @Override
    public void disablePidAllocation(int ns) {
        HeapPids.disablePidAllocation(g, ns(ns));
    }

    @Override
    public int createPidNamespace(int parent, int euid) {
        return freshOrErr(HeapPidNamespaces.createPidNamespace(g, g.initUserNs, ns(parent), euid));
    }

    @Override
    public int copyPidNs(long flags, int current, int oldNs, int euid) {
        final HeapPidNamespace ns = HeapPidNamespaces.copyPidNs(g, task(current), flags, g.initUserNs, ns(oldNs), euid);
        return ns == ns(oldNs) ? oldNs : freshOrErr(ns);
    }

    @Override
    public int getPidNs(int ns) {
        return handle(HeapPidNamespaces.getPidNs(g, ns(ns)));
    }

    @Override
    public void putPidNs(int ns) {
        HeapPidNamespaces.putPidNs(g, ns(ns));
    }

    @Override
    public int nsCount(int ns) {
        return HeapPidNamespaces.nsCount(ns(ns));
    }

    @Override
    public int nsLevel(int ns) {
        return ns(ns).level();
    }

    @Override
    public int nsParent(int ns) {
        return handle(ns(ns).parent());
    }

    @Override
    public long nsInum(int ns) {
        return ns(ns).inum();
    }

    @Override
    public int pidAllocated(int ns) {
        return HeapPids.pidAllocated(ns(ns));
    }

    @Override
    public int idrCursor(int ns) {
        return g.idr.idrGetCursor(ns(ns).idr());
    }

    @Override
    public void setIdrCursor(int ns, int cursor) {
        g.idr.idrSetCursor(ns(ns).idr(), cursor);
    }

    @Override
    public long validateIdr(int ns) {
        return g.idr.validate(ns(ns).idr());
    }

    @Override
    public void setChildReaper(int ns, int task) {
        HeapPidNamespaces.setChildReaper(ns(ns), task == 0 ? null : task(task));
    }

    @Override
    public int childReaper(int ns) {
        return handle(HeapPidNamespaces.childReaper(ns(ns)));
    }

    @Override
    public int pidNsUcount(int euid) {
        final HeapUcounts ucounts = HeapUcount.lookupUcounts(g, g.initUserNs, euid);
        return ucounts == null ? 0 : HeapUcount.ucount(ucounts, UcountTypes.UCOUNT_PID_NAMESPACES);
    }

    @Override
    public int pidNsUcountMax() {
        return g.initUserNs.ucountMax.get(UcountTypes.UCOUNT_PID_NAMESPACES);
    }

    @Override
    public int newTask() {
        final HeapTask t = new HeapTask();
        t.setSignal(new HeapSignalStruct());
        t.setUsage(1);
        return fresh(t);
    }

    @Override
    public void freeTask(int task) {
        // the GC frees it; the handle stays valid for the test's assertions
    }

    @Override
    public void initTaskPid(int task, int type, int pid) {
        final HeapPid p = pid == 0 ? null : pid(pid);
        if (type == 0) {
            task(task).setThreadPid(p);
        } else {
            task(task).signal().setPid(type, p);
        }
    }

    @Override
    public int taskPid(int task, int type) {
        return handle(type == 0 ? task(task).threadPid() : task(task).signal().pid(type));
    }

    @Override
    public int taskPidField(int task) {
        return task(task).pid();
    }

    @Override
    public void setTaskPidField(int task, int nr) {
        task(task).setPid(nr);
    }

    @Override
    public int taskUsage(int task) {
        return task(task).usage();
    }

    @Override
    public void dropTaskUsage(int task) {
        task(task).usageDecAndTest();
    }

    @Override
    public void attachPid(int task, int type) {
        HeapPids.attachPid(task(task), type);
    }

    @Override
    public void detachPid(int task, int type) {
        HeapPids.detachPid(g, task(task), type);
    }

    @Override
    public void changePid(int task, int type, int pid) {
        HeapPids.changePid(g, task(task), type, pid == 0 ? null : pid(pid));
    }

    @Override
    public void transferPid(int old, int nw, int type) {
        HeapPids.transferPid(task(old), task(nw), type);
    }

    @Override
    public void exchangeTids(int left, int right) {
        HeapPids.exchangeTids(task(left), task(right));
    }

    @Override
    public boolean pidHasTask(int pid, int type) {
        return HeapPids.pidHasTask(pid(pid), type);
    }

    @Override
    public int pidTask(int pid, int type) {
        return handle(HeapPids.pidTask(pid == 0 ? null : pid(pid), type));
    }

    @Override
    public int findTaskByPidNs(int nr, int ns) {
        return handle(HeapPids.findTaskByPidNs(g, nr, ns(ns)));
    }

    @Override
    public int findTaskByVpid(int current, int vnr) {
        return handle(HeapPids.findTaskByVpid(g, task(current), vnr));
    }

    @Override
    public int findGetTaskByVpid(int current, int vnr) {
        return handle(HeapPids.findGetTaskByVpid(g, task(current), vnr));
    }

    @Override
    public int getTaskPid(int task, int type) {
        return handle(HeapPids.getTaskPid(g, task(task), type));
    }

    @Override
    public int getPidTask(int pid, int type) {
        return handle(HeapPids.getPidTask(g, pid == 0 ? null : pid(pid), type));
    }

    @Override
    public int findGetPid(int current, int nr) {
        return handle(HeapPids.findGetPid(g, task(current), nr));
    }

    @Override
    public int taskPidNrNs(int current, int task, int type, int ns) {
        return HeapPids.taskPidNrNs(g, task(current), task(task), type, ns == 0 ? null : ns(ns));
    }

    @Override
    public int taskPidVnr(int current, int task) {
        return HeapPids.taskPidVnr(g, task(current), task(task));
    }

    @Override
    public int taskTgidVnr(int current, int task) {
        return HeapPids.taskTgidVnr(g, task(current), task(task));
    }

    @Override
    public int pidVnr(int current, int pid) {
        return HeapPids.pidVnr(task(current), pid(pid));
    }

    @Override
    public int taskActivePidNs(int task) {
        return handle(HeapPids.taskActivePidNs(task(task)));
    }

    @Override
    public int pidTasksLength(int pid, int type) {
        return HeapHList.validate(pid(pid).tasks(type), 1 << 20);
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
        return g.hasKind(name);
    }

    @Override
    public Map<String, Long> liveObjects() {
        final Map<String, Long> m = new TreeMap<>();
        g.objectCounts().forEach((n, c) -> {
            if (n.equals("pid") || n.startsWith("pid_") || n.equals("radix_tree_node")) {
                m.put(n, c);
            }
        });
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
    }
}
