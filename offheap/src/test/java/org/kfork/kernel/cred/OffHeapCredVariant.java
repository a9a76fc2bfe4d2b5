package org.kfork.kernel.cred;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.kfork.kernel.Globals;
import org.kfork.kernel.nsproxy.Nsproxies;
import org.kfork.kernel.struct.CgroupNamespace;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.CssSet;
import org.kfork.kernel.struct.IpcNamespace;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.MntNamespace;
import org.kfork.kernel.struct.Net;
import org.kfork.kernel.struct.NewUtsname;
import org.kfork.kernel.struct.NsCommon;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.kernel.struct.Nsproxy;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.TimeNamespace;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.kernel.struct.UtsNamespace;
import org.kfork.machine.Mem;
import org.kfork.mm.FailSlab;
import org.kfork.uapi.Errno;

/** {@link CredVariant} over the off-heap rooms, on a booted {@link Globals}. */
public final class OffHeapCredVariant implements CredVariant {
    /** The caches the suite compares across variants. */
    static final List<String> CACHES = List.of("cred_jar", "uid_cache", "nsproxy", "uts_namespace", "net_namespace",
        "pid_namespace", "kmalloc-64", "kmalloc-96", "kmalloc-128", "kmalloc-1k");

    private final Globals g;
    private final List<Long> tasks = new ArrayList<>();
    private final List<Long> ucountsHandles = new ArrayList<>();

    public OffHeapCredVariant(Globals g) {
        this.g = g;
    }

    private long task(int t) {
        return tasks.get(t);
    }

    @Override
    public int newTask() {
        final long t = g.zalloc(g.forkInit.taskStructCachep());
        Mem.putLong(t + TaskStruct.REAL_CRED, Creds.getCred(g.initCred));
        Mem.putLong(t + TaskStruct.CRED, Creds.getCred(g.initCred));
        Nsproxies.getNsproxy(g.initNsproxy);
        Mem.putLong(t + TaskStruct.NSPROXY, g.initNsproxy);
        Mem.putLong(t + TaskStruct.CGROUPS, g.initCssSet);
        // in init_pid_ns, as copy_pid_ns requires of current; init_struct_pid is a static, not counted
        Mem.putLong(t + TaskStruct.THREAD_PID, g.initStructPid);
        tasks.add(t);
        return tasks.size() - 1;
    }

    @Override
    public int dupTask(int parent) {
        final long t = g.zalloc(g.forkInit.taskStructCachep());
        final long p = task(parent);
        for (long f : new long[] {TaskStruct.REAL_CRED, TaskStruct.CRED, TaskStruct.NSPROXY, TaskStruct.CGROUPS,
            TaskStruct.THREAD_PID}) {
            Mem.putLong(t + f, Mem.getLong(p + f));
        }
        Mem.putInt(t + TaskStruct.FLAGS, Mem.getInt(p + TaskStruct.FLAGS));
        tasks.add(t);
        return tasks.size() - 1;
    }

    @Override
    public void freeTask(int t) {
        g.free(g.forkInit.taskStructCachep(), task(t));
        tasks.set(t, 0L);
    }

    @Override
    public int flags(int t) {
        return Mem.getInt(task(t) + TaskStruct.FLAGS);
    }

    @Override
    public void setFlags(int t, int flags) {
        Mem.putInt(task(t) + TaskStruct.FLAGS, flags);
    }

    @Override
    public void giveMm(int t, long mmFlags) {
        final long mm = g.zalloc(g.forkInit.mmCachep());
        Mem.putLong(mm + MmStruct.FLAGS, mmFlags);
        Mem.putLong(task(t) + TaskStruct.MM, mm);
    }

    @Override
    public long mmFlags(int t) {
        return Mem.getLong(Mem.getLong(task(t) + TaskStruct.MM) + MmStruct.FLAGS);
    }

    @Override
    public void dropMm(int t) {
        g.free(g.forkInit.mmCachep(), Mem.getLong(task(t) + TaskStruct.MM));
        Mem.putLong(task(t) + TaskStruct.MM, 0);
    }

    @Override
    public int pdeathSignal(int t) {
        return Mem.getInt(task(t) + TaskStruct.PDEATH_SIGNAL);
    }

    @Override
    public void setPdeathSignal(int t, int sig) {
        Mem.putInt(task(t) + TaskStruct.PDEATH_SIGNAL, sig);
    }

    @Override
    public int copyCreds(int current, int p, long flags) {
        return Creds.copyCreds(g, task(current), task(p), flags);
    }

    @Override
    public void exitCreds(int t) {
        Creds.exitCreds(g, task(t));
    }

    @Override
    public void releaseTaskProcesses(int t) {
        final long cred = Mem.getLong(task(t) + TaskStruct.REAL_CRED);
        Mem.getAndAddInt(Mem.getLong(cred + Cred.USER) + UserStruct.PROCESSES, -1);
    }

    @Override
    public int setCred(int current, int uid, int gid, long caps) {
        return Creds.setCred(g, task(current), uid, gid, caps);
    }

    @Override
    public boolean prepareThenAbort(int current) {
        final long c = Creds.prepareCreds(g, task(current));
        if (c == 0) {
            return false;
        }
        Creds.abortCreds(g, c);
        return true;
    }

    private static CredView view(long c) {
        return new CredView(Mem.getInt(c + Cred.UID), Mem.getInt(c + Cred.GID), Mem.getInt(c + Cred.SUID),
            Mem.getInt(c + Cred.SGID), Mem.getInt(c + Cred.EUID), Mem.getInt(c + Cred.EGID), Mem.getInt(c + Cred.FSUID),
            Mem.getInt(c + Cred.FSGID), Mem.getLong(c + Cred.CAP_EFFECTIVE), Mem.getLong(c + Cred.CAP_PERMITTED),
            Mem.getLong(c + Cred.CAP_INHERITABLE), Mem.getLong(c + Cred.CAP_AMBIENT), Mem.getLong(c + Cred.CAP_BSET),
            Mem.getInt(c + Cred.USAGE), Mem.getInt(Mem.getLong(c + Cred.USER) + UserStruct.UID));
    }

    @Override
    public CredView cred(int t) {
        return view(Mem.getLong(task(t) + TaskStruct.CRED));
    }

    @Override
    public CredView realCred(int t) {
        return view(Mem.getLong(task(t) + TaskStruct.REAL_CRED));
    }

    @Override
    public boolean credIsInitCred(int t) {
        return Mem.getLong(task(t) + TaskStruct.CRED) == g.initCred;
    }

    @Override
    public boolean sameCred(int a, int b) {
        return Mem.getLong(task(a) + TaskStruct.CRED) == Mem.getLong(task(b) + TaskStruct.CRED);
    }

    @Override
    public int pinnedUsage(int t) {
        final long c = Creds.getTaskCred(g, task(t));
        final int usage = Mem.getInt(c + Cred.USAGE);
        Creds.putCred(g, c);
        return usage;
    }

    @Override
    public boolean capable(int current, int cap) {
        return Capability.capable(g, task(current), cap);
    }

    @Override
    public boolean hasCapability(int t, int cap) {
        return Capability.hasCapability(g, task(t), cap);
    }

    @Override
    public int userProcesses(int uid) {
        final long u = Users.findUser(g, uid);
        if (u == 0) {
            return -1;
        }
        final int n = Mem.getInt(u + UserStruct.PROCESSES);
        Users.freeUid(g, u);
        return n;
    }

    @Override
    public int userCount(int uid) {
        final long u = Users.findUser(g, uid);
        if (u == 0) {
            return -1;
        }
        final int n = Mem.getInt(u + UserStruct.__COUNT) - 1;
        Users.freeUid(g, u);
        return n;
    }

    @Override
    public boolean allocUid(int uid) {
        return Users.allocUid(g, uid) != 0;
    }

    @Override
    public void freeUid(int uid) {
        final long u = Users.findUser(g, uid);
        Users.freeUid(g, u);
        Users.freeUid(g, u);
    }

    @Override
    public int incUcount(int uid, int type) {
        final long u = Ucount.incUcount(g, g.initUserNs, uid, type);
        if (u == 0) {
            return -1;
        }
        synchronized (ucountsHandles) {
            ucountsHandles.add(u);
            return ucountsHandles.size() - 1;
        }
    }

    @Override
    public void decUcount(int handle, int type) {
        final Long u;
        synchronized (ucountsHandles) {
            u = ucountsHandles.get(handle);
        }
        Ucount.decUcount(g, u, type);
    }

    @Override
    public int ucount(int uid, int type) {
        final long u = Ucount.lookupUcounts(g, g.initUserNs, uid);
        return u == 0 ? -1 : Ucount.ucount(u, type);
    }

    @Override
    public long sysctlUcountMax(int type, boolean write, long value) {
        return Ucount.sysctlUcountMax(g, type, write, value);
    }

    @Override
    public int copyNamespaces(int current, int t, long flags) {
        return Nsproxies.copyNamespaces(g, task(current), flags, task(t));
    }

    @Override
    public long unshareNamespaces(int current, long flags) {
        final long ns = Nsproxies.unshareNsproxyNamespaces(g, task(current), flags, 0);
        if (ns == 0) {
            return 1;
        }
        if (Errno.isError(ns)) {
            return ns;
        }
        Nsproxies.switchTaskNamespaces(g, task(current), ns);
        return 0;
    }

    @Override
    public void exitTaskNamespaces(int t) {
        Nsproxies.exitTaskNamespaces(g, task(t));
    }

    private long nsproxy(int t) {
        return Mem.getLong(task(t) + TaskStruct.NSPROXY);
    }

    @Override
    public boolean sameNsproxy(int a, int b) {
        return nsproxy(a) == nsproxy(b);
    }

    @Override
    public boolean nsproxyIsInit(int t) {
        return nsproxy(t) == g.initNsproxy;
    }

    @Override
    public int nsproxyCount(int t) {
        return Mem.getInt(nsproxy(t) + Nsproxy.COUNT);
    }

    private static long field(Ns which) {
        return switch (which) {
            case MNT -> Nsproxy.MNT_NS;
            case UTS -> Nsproxy.UTS_NS;
            case IPC -> Nsproxy.IPC_NS;
            case PID -> Nsproxy.PID_NS_FOR_CHILDREN;
            case CGROUP -> Nsproxy.CGROUP_NS;
            case NET -> Nsproxy.NET_NS;
            case TIME -> Nsproxy.TIME_NS;
            case TIME_FOR_CHILDREN -> Nsproxy.TIME_NS_FOR_CHILDREN;
        };
    }

    private long ns(int t, Ns which) {
        return Mem.getLong(nsproxy(t) + field(which));
    }

    private static long nsCommon(Ns which) {
        return switch (which) {
            case MNT -> MntNamespace.NS;
            case UTS -> UtsNamespace.NS;
            case IPC -> IpcNamespace.NS;
            case CGROUP -> CgroupNamespace.NS;
            case NET -> Net.NS;
            case TIME, TIME_FOR_CHILDREN -> TimeNamespace.NS;
            case PID -> PidNamespace.NS;
        };
    }

    @Override
    public boolean nsIsInit(int t, Ns which) {
        final long ns = ns(t, which);
        return ns == Mem.getLong(g.initNsproxy + field(which));
    }

    @Override
    public boolean sameNs(int a, int b, Ns which) {
        return ns(a, which) == ns(b, which);
    }

    @Override
    public int nsCount(int t, Ns which) {
        final long ns = ns(t, which);
        return Mem.getInt(ns + nsCommon(which) + NsCommon.COUNT);
    }

    @Override
    public int nsInum(int t, Ns which) {
        return Mem.getInt(ns(t, which) + nsCommon(which) + NsCommon.INUM);
    }

    @Override
    public String utsNodename(int t) {
        final long at = ns(t, Ns.UTS) + UtsNamespace.NAME + NewUtsname.NODENAME;
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < 65 && Mem.getByte(at + i) != 0; i++) {
            b.append((char) Mem.getByte(at + i));
        }
        return b.toString();
    }

    @Override
    public void setUtsNodename(int t, String name) {
        final long at = ns(t, Ns.UTS) + UtsNamespace.NAME + NewUtsname.NODENAME;
        Mem.zero(at, 65);
        final byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < b.length; i++) {
            Mem.putByte(at + i, b[i]);
        }
    }

    @Override
    public boolean timeNsFrozen(int t, Ns which) {
        return Mem.getByte(ns(t, which) + TimeNamespace.FROZEN_OFFSETS) != 0;
    }

    @Override
    public int initCssSetRefcount() {
        return Mem.getInt(g.initCssSet + CssSet.REFCOUNT);
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
        return g.kmem.slabs().find(cache).activeObjects();
    }

    @Override
    public Map<String, Long> counts() {
        g.rcu.rcuBarrier(); // a namespace's last put frees it after a grace period
        final Map<String, Long> m = new TreeMap<>();
        for (String c : CACHES) {
            m.put(c, live(c));
        }
        m.put("procInums", (long) g.procInums.inUse());
        return m;
    }

    /** The Globals belong to the test, which closes them (and their leak check) itself. */
    @Override
    public void close() {
    }
}
