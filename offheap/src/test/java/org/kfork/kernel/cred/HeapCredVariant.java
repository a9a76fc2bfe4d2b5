package org.kfork.kernel.cred;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.cred.HeapCapability;
import org.kfork.heap.cred.HeapCred;
import org.kfork.heap.cred.HeapCreds;
import org.kfork.heap.cred.HeapUcount;
import org.kfork.heap.cred.HeapUcounts;
import org.kfork.heap.cred.HeapUserStruct;
import org.kfork.heap.cred.HeapUsers;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.nsproxy.HeapNsCommon;
import org.kfork.heap.nsproxy.HeapNsproxies;
import org.kfork.heap.nsproxy.HeapNsproxy;
import org.kfork.heap.nsproxy.HeapTimeNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.mm.FailSlab;
import org.kfork.sched.Limits;
import org.kfork.testing.HeapLeakCheck;

/**
 * {@link CredVariant} over the heap twins, on a HeapGlobals booted for the same RAM and CPUs. Its
 * close is the heap kernel's leak check: every kind of object back at its count after boot.
 */
public final class HeapCredVariant implements CredVariant {
    private final HeapGlobals g;
    private final List<HeapTask> tasks = new ArrayList<>();
    private final List<HeapUcounts> ucountsHandles = new ArrayList<>();
    private final Map<String, Long> baseline;

    public HeapCredVariant(long totalramPages, int nrCpus) {
        this.g = HeapGlobals.boot(totalramPages, nrCpus);
        for (int level = 1; level <= Limits.MAX_PID_NS_LEVEL; level++) {
            HeapPidNamespaces.createPidCachep(g, level); // up front, as the off-heap variant
        }
        this.baseline = g.objectCounts();
    }

    HeapGlobals globals() {
        return g;
    }

    private HeapTask task(int t) {
        return tasks.get(t);
    }

    @Override
    public int newTask() {
        final HeapTask t = new HeapTask();
        t.realCred = HeapCreds.getCred(g.initCred);
        t.cred = HeapCreds.getCred(g.initCred);
        HeapNsproxies.getNsproxy(g.initNsproxy);
        t.nsproxy = g.initNsproxy;
        t.cgroups = g.initCssSet;
        t.setThreadPid(g.initStructPid); // in init_pid_ns, as copy_pid_ns requires of current; a static, not counted
        tasks.add(t);
        return tasks.size() - 1;
    }

    @Override
    public int dupTask(int parent) {
        final HeapTask t = new HeapTask();
        final HeapTask p = task(parent);
        t.realCred = p.realCred;
        t.cred = p.cred;
        t.nsproxy = p.nsproxy;
        t.cgroups = p.cgroups;
        t.setThreadPid(p.threadPid());
        t.flags = p.flags;
        tasks.add(t);
        return tasks.size() - 1;
    }

    @Override
    public void freeTask(int t) {
        tasks.set(t, null);
    }

    @Override
    public int flags(int t) {
        return task(t).flags;
    }

    @Override
    public void setFlags(int t, int flags) {
        task(t).flags = flags;
    }

    @Override
    public void giveMm(int t, long mmFlags) {
        final HeapMmStruct mm = new HeapMmStruct();
        mm.flags = mmFlags;
        task(t).mm = mm;
    }

    @Override
    public long mmFlags(int t) {
        return task(t).mm.flags;
    }

    @Override
    public void dropMm(int t) {
        task(t).mm = null;
    }

    @Override
    public int pdeathSignal(int t) {
        return task(t).pdeathSignal;
    }

    @Override
    public void setPdeathSignal(int t, int sig) {
        task(t).pdeathSignal = sig;
    }

    @Override
    public int copyCreds(int current, int p, long flags) {
        return HeapCreds.copyCreds(g, task(current), task(p), flags);
    }

    @Override
    public void exitCreds(int t) {
        HeapCreds.exitCreds(g, task(t));
    }

    @Override
    public void releaseTaskProcesses(int t) {
        task(t).realCred.user.processes.decrementAndGet();
    }

    @Override
    public int setCred(int current, int uid, int gid, long caps) {
        return HeapCreds.setCred(g, task(current), uid, gid, caps);
    }

    @Override
    public boolean prepareThenAbort(int current) {
        final HeapCred c = HeapCreds.prepareCreds(g, task(current));
        if (c == null) {
            return false;
        }
        HeapCreds.abortCreds(g, c);
        return true;
    }

    private static CredView view(HeapCred c) {
        return new CredView(c.uid, c.gid, c.suid, c.sgid, c.euid, c.egid, c.fsuid, c.fsgid, c.capEffective,
            c.capPermitted, c.capInheritable, c.capAmbient, c.capBset, c.usage.get(), c.user.uid);
    }

    @Override
    public CredView cred(int t) {
        return view(task(t).cred);
    }

    @Override
    public CredView realCred(int t) {
        return view(task(t).realCred);
    }

    @Override
    public boolean credIsInitCred(int t) {
        return task(t).cred == g.initCred;
    }

    @Override
    public boolean sameCred(int a, int b) {
        return task(a).cred == task(b).cred;
    }

    @Override
    public int pinnedUsage(int t) {
        final HeapCred c = HeapCreds.getTaskCred(g, task(t));
        final int usage = c.usage.get();
        HeapCreds.putCred(g, c);
        return usage;
    }

    @Override
    public boolean capable(int current, int cap) {
        return HeapCapability.capable(g, task(current), cap);
    }

    @Override
    public boolean hasCapability(int t, int cap) {
        return HeapCapability.hasCapability(g, task(t), cap);
    }

    @Override
    public int userProcesses(int uid) {
        final HeapUserStruct u = HeapUsers.findUser(g, uid);
        if (u == null) {
            return -1;
        }
        final int n = u.processes.get();
        HeapUsers.freeUid(g, u);
        return n;
    }

    @Override
    public int userCount(int uid) {
        final HeapUserStruct u = HeapUsers.findUser(g, uid);
        if (u == null) {
            return -1;
        }
        final int n = u.count.read() - 1;
        HeapUsers.freeUid(g, u);
        return n;
    }

    @Override
    public boolean allocUid(int uid) {
        return HeapUsers.allocUid(g, uid) != null;
    }

    @Override
    public void freeUid(int uid) {
        final HeapUserStruct u = HeapUsers.findUser(g, uid);
        HeapUsers.freeUid(g, u);
        HeapUsers.freeUid(g, u);
    }

    @Override
    public int incUcount(int uid, int type) {
        final HeapUcounts u = HeapUcount.incUcount(g, g.initUserNs, uid, type);
        if (u == null) {
            return -1;
        }
        synchronized (ucountsHandles) {
            ucountsHandles.add(u);
            return ucountsHandles.size() - 1;
        }
    }

    @Override
    public void decUcount(int handle, int type) {
        final HeapUcounts u;
        synchronized (ucountsHandles) {
            u = ucountsHandles.get(handle);
        }
        HeapUcount.decUcount(g, u, type);
    }

    @Override
    public int ucount(int uid, int type) {
        final HeapUcounts u = HeapUcount.lookupUcounts(g, g.initUserNs, uid);
        return u == null ? -1 : HeapUcount.ucount(u, type);
    }

    @Override
    public long sysctlUcountMax(int type, boolean write, long value) {
        return HeapUcount.sysctlUcountMax(g, type, write, value);
    }

    @Override
    public int copyNamespaces(int current, int t, long flags) {
        return HeapNsproxies.copyNamespaces(g, task(current), flags, task(t));
    }

    @Override
    public long unshareNamespaces(int current, long flags) {
        final HeapNsproxy ns = HeapNsproxies.unshareNsproxyNamespaces(g, task(current), flags, null);
        if (ns == null) {
            return 1;
        }
        if (ErrPtr.isErr(ns)) {
            return ErrPtr.ptrErr(ns);
        }
        HeapNsproxies.switchTaskNamespaces(g, task(current), ns);
        return 0;
    }

    @Override
    public void exitTaskNamespaces(int t) {
        HeapNsproxies.exitTaskNamespaces(g, task(t));
    }

    @Override
    public boolean sameNsproxy(int a, int b) {
        return task(a).nsproxy == task(b).nsproxy;
    }

    @Override
    public boolean nsproxyIsInit(int t) {
        return task(t).nsproxy == g.initNsproxy;
    }

    @Override
    public int nsproxyCount(int t) {
        return task(t).nsproxy.count.get();
    }

    private static Object ns(HeapNsproxy p, Ns which) {
        return switch (which) {
            case MNT -> p.mntNs;
            case UTS -> p.utsNs;
            case IPC -> p.ipcNs;
            case PID -> p.pidNsForChildren;
            case CGROUP -> p.cgroupNs;
            case NET -> p.netNs;
            case TIME -> p.timeNs;
            case TIME_FOR_CHILDREN -> p.timeNsForChildren;
        };
    }

    private HeapNsCommon nsCommon(int t, Ns which) {
        final HeapNsproxy p = task(t).nsproxy;
        return switch (which) {
            case MNT -> p.mntNs.ns;
            case UTS -> p.utsNs.ns;
            case IPC -> p.ipcNs.ns;
            case CGROUP -> p.cgroupNs.ns;
            case NET -> p.netNs.ns;
            case TIME -> p.timeNs.ns;
            case TIME_FOR_CHILDREN -> p.timeNsForChildren.ns;
            case PID -> throw new IllegalArgumentException("the pid namespace keeps its count itself");
        };
    }

    @Override
    public boolean nsIsInit(int t, Ns which) {
        return ns(task(t).nsproxy, which) == ns(g.initNsproxy, which);
    }

    @Override
    public boolean sameNs(int a, int b, Ns which) {
        return ns(task(a).nsproxy, which) == ns(task(b).nsproxy, which);
    }

    @Override
    public int nsCount(int t, Ns which) {
        if (which == Ns.PID) {
            return HeapPidNamespaces.nsCount(task(t).nsproxy.pidNsForChildren);
        }
        return nsCommon(t, which).count.read();
    }

    @Override
    public int nsInum(int t, Ns which) {
        return nsCommon(t, which).inum;
    }

    @Override
    public String utsNodename(int t) {
        final byte[] name = task(t).nsproxy.utsNs.name;
        int end = 65;
        while (end < 130 && name[end] != 0) {
            end++;
        }
        return new String(name, 65, end - 65, StandardCharsets.US_ASCII);
    }

    @Override
    public void setUtsNodename(int t, String name) {
        final byte[] dst = task(t).nsproxy.utsNs.name;
        Arrays.fill(dst, 65, 130, (byte) 0);
        final byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, dst, 65, b.length);
    }

    @Override
    public boolean timeNsFrozen(int t, Ns which) {
        return ((HeapTimeNamespace) ns(task(t).nsproxy, which)).frozenOffsets;
    }

    @Override
    public int initCssSetRefcount() {
        return g.initCssSet.refcount.read();
    }

    @Override
    public FailSlab failSlab() {
        return g.failSlab;
    }

    @Override
    public void rcuBarrier() {
        g.rcu.rcuBarrier();
    }

    @Override
    public long live(String cache) {
        final Long n = g.objectCounts().get(cache);
        return n == null ? 0 : n;
    }

    @Override
    public Map<String, Long> counts() {
        g.rcu.rcuBarrier(); // a namespace's last put frees it after a grace period
        final Map<String, Long> m = new TreeMap<>();
        for (String c : OffHeapCredVariant.CACHES) {
            m.put(c, live(c));
        }
        m.put("procInums", (long) g.procInums.inUse());
        return m;
    }

    /** Every kind the heap kernel counts, for its own leak check. */
    public Map<String, Long> objectCounts() {
        return g.objectCounts();
    }

    /**
     * Runs the RCU callbacks, checks that every kind of object is back at its count after boot
     * (the heap kernel's leak check), and shuts the kernel down.
     */
    @Override
    public void close() {
        g.rcu.rcuBarrier();
        final Map<String, Long> now = g.objectCounts();
        g.close();
        HeapLeakCheck.assertNoLeak(baseline, now);
    }
}
