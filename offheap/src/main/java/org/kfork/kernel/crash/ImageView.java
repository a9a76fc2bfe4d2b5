package org.kfork.kernel.crash;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.agrona.collections.LongHashSet;
import org.kfork.alloc.SlabInfo;
import org.kfork.api.KernelView;
import org.kfork.api.TaskView;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.Fdtable;
import org.kfork.kernel.struct.File;
import org.kfork.kernel.struct.FilesStruct;
import org.kfork.kernel.struct.FsStruct;
import org.kfork.kernel.struct.GroupInfo;
import org.kfork.kernel.struct.Inode;
import org.kfork.kernel.struct.KSigaction;
import org.kfork.kernel.struct.ListHead;
import org.kfork.kernel.struct.MmRssStat;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.NsCommon;
import org.kfork.kernel.struct.Pid;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.kernel.struct.Rlimit;
import org.kfork.kernel.struct.Seccomp;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.Sigaction;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.Upid;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.kernel.struct.Structs;
import org.kfork.machine.Abi;
import org.kfork.machine.layout.ArrayType;
import org.kfork.machine.layout.CType;
import org.kfork.machine.layout.FlatField;
import org.kfork.machine.layout.Member;
import org.kfork.machine.layout.PointerType;
import org.kfork.machine.layout.Scalar;
import org.kfork.machine.layout.StructLayout;
import org.kfork.mm.VmRules;
import org.kfork.pid.PidRules;
import org.kfork.proc.Meminfo;
import org.kfork.proc.ProcStatus;
import org.kfork.sched.Limits;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;

/**
 * /proc of a machine image: {@link KernelView} over an {@link ImageFile}, read the way the crash
 * utility reads a vmcore. The roots come from VMCOREINFO (SYMBOL(init_task), SYMBOL(init_pid_ns),
 * the KMEM_CACHE lines), the structs are walked by their kernel virtual addresses with the layouts
 * the image was checked against, and the text comes from the same formatters as a live kernel's
 * (ProcArray's steps, ProcStatus, VmRules.mapsLine, SlabInfo.line), so that both print alike.
 *
 * <p>Nothing here trusts the image: every read is bounds-checked by ImageFile (an address outside
 * the image is an {@link ImageException} naming it), and every list walk remembers the entries it
 * saw, so a cycle that misses the head is reported with the entry seen twice, and stops after
 * {@link #MAX_ENTRIES} entries in any case, saying so.
 */
public final class ImageView implements KernelView {
    /** No list of the model is longer: at most this many entries are walked, then the walk stops. */
    public static final int MAX_ENTRIES = 1 << 20;

    private final ImageFile img;
    private final int maxEntries;
    private final long initTask;
    private final long initPidNs;

    /** A view of {@code img} (which stays the caller's to close). */
    public ImageView(ImageFile img) {
        this(img, MAX_ENTRIES);
    }

    /** A view of {@code img} whose list walks stop after {@code maxEntries} entries. */
    public ImageView(ImageFile img, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries " + maxEntries);
        }
        this.img = img;
        this.maxEntries = maxEntries;
        this.initTask = img.symbol("init_task");
        this.initPidNs = img.symbol("init_pid_ns");
    }

    /** The image read. */
    public ImageFile image() {
        return img;
    }

    /** The entries of the list headed at {@code head} (list_head addresses), with cycle and length checks. */
    List<Long> listEntries(long head, String what) {
        final List<Long> out = new ArrayList<>();
        final LongHashSet seen = new LongHashSet();
        long n = img.getLong(head + ListHead.NEXT);
        while (n != head) {
            if (!seen.add(n)) {
                throw new ImageException(img.path() + ": corrupt " + what + " list at 0x" + Long.toHexString(head)
                    + ": entry 0x" + Long.toHexString(n) + " comes twice (a cycle that misses the head)");
            }
            if (out.size() == maxEntries) {
                throw new ImageException(img.path() + ": the " + what + " list at 0x" + Long.toHexString(head)
                    + " has more than " + maxEntries + " entries; the walk stopped there");
            }
            if (!img.holds(n, ListHead.SIZEOF)) {
                throw new ImageException(img.path() + ": corrupt " + what + " list at 0x" + Long.toHexString(head)
                    + ": its entry " + out.size() + " points to 0x" + Long.toHexString(n) + ", outside the image");
            }
            out.add(n);
            n = img.getLong(n + ListHead.NEXT);
        }
        return out;
    }

    @Override
    public List<TaskView> tasks() {
        return new ArrayList<>(tasksByAddress().values());
    }

    /** {@link #tasks()} keyed by the address of each task_struct (crash's TASK column), in the same order. */
    public Map<Long, TaskView> tasksByAddress() {
        final Map<Long, TaskView> out = new LinkedHashMap<>();
        for (long p : processes()) {
            final List<Long> threads = listEntries(img.getLong(p + TaskStruct.SIGNAL) + SignalStruct.THREAD_HEAD, "thread");
            for (long t : threads) {
                out.put(t - TaskStruct.THREAD_NODE, view(t - TaskStruct.THREAD_NODE));
            }
            if (threads.isEmpty()) {
                out.put(p, view(p)); // a zombie leader whose threads are gone still shows
            }
        }
        return out;
    }

    /** The task_struct of every process on init_task.tasks. */
    private List<Long> processes() {
        final List<Long> out = new ArrayList<>();
        for (long n : listEntries(initTask + TaskStruct.TASKS, "init_task.tasks")) {
            out.add(n - TaskStruct.TASKS);
        }
        return out;
    }

    private TaskView view(long t) {
        final long pid = img.getLong(t + TaskStruct.THREAD_PID);
        final int level = pid == 0 ? 0 : img.getInt(pid + Pid.LEVEL);
        // the task's pid and its namespace's inode number at every level, as ProcArray gives them live
        final Integer[] nrs = new Integer[level + 1];
        final Long[] inums = new Long[level + 1];
        for (int l = 0; l <= level; l++) {
            final long upid = pid + Pid.numbersAt(l);
            final long ns = pid == 0 ? initPidNs : img.getLong(upid + Upid.NS);
            nrs[l] = pid == 0 ? 0 : img.getInt(upid + Upid.NR);
            inums[l] = Integer.toUnsignedLong(img.getInt(ns + PidNamespace.NS + NsCommon.INUM));
        }
        final long parent = img.getLong(t + TaskStruct.REAL_PARENT);
        final int ppid = pid != 0 && parent != 0 ? taskPidNr(parent, PidRules.PIDTYPE_TGID, initPidNs) : 0;
        return new TaskView(pidNrNs(pid, initPidNs), taskPidNr(t, PidRules.PIDTYPE_TGID, initPidNs), ppid,
            ProcStatus.stateLetter(state(t)), comm(t), List.of(nrs), List.of(inums));
    }

    private long state(long t) {
        return img.getLong(t + TaskStruct.STATE) | img.getInt(t + TaskStruct.EXIT_STATE);
    }

    /** task_struct.comm, up to its NUL. */
    String comm(long t) {
        final byte[] b = img.bytes(t + TaskStruct.COMM, Limits.TASK_COMM_LEN);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** pid_nr_ns, as Pids reads it live. */
    private int pidNrNs(long pid, long ns) {
        if (pid != 0) {
            final int nsLevel = img.getInt(ns + PidNamespace.LEVEL);
            if (nsLevel <= img.getInt(pid + Pid.LEVEL)) {
                final long upid = pid + Pid.numbersAt(nsLevel);
                if (img.getLong(upid + Upid.NS) == ns) {
                    return img.getInt(upid + Upid.NR);
                }
            }
        }
        return 0;
    }

    /** __task_pid_nr_ns: thread_pid for PIDTYPE_PID, signal->pids[type] for the others. */
    private int taskPidNr(long task, int type, long ns) {
        final long ptr = type == PidRules.PIDTYPE_PID ? task + TaskStruct.THREAD_PID
            : img.getLong(task + TaskStruct.SIGNAL) + SignalStruct.PIDS + (long) Long.BYTES * type;
        return pidNrNs(img.getLong(ptr), ns);
    }

    /** The task numbered {@code nr} in init_pid_ns, or 0. */
    public long findTask(int nr) {
        if (nr <= 0) {
            return 0;
        }
        for (long p : processes()) {
            for (long t : listEntries(img.getLong(p + TaskStruct.SIGNAL) + SignalStruct.THREAD_HEAD, "thread")) {
                final long task = t - TaskStruct.THREAD_NODE;
                if (taskPidNr(task, PidRules.PIDTYPE_PID, initPidNs) == nr) {
                    return task;
                }
            }
            if (taskPidNr(p, PidRules.PIDTYPE_PID, initPidNs) == nr) {
                return p;
            }
        }
        return 0;
    }

    @Override
    public String procStatus(int nr) {
        final long t = findTask(nr);
        if (t == 0) {
            return null;
        }
        final ProcStatus s = new ProcStatus();
        taskState(t, s);
        taskSig(t, s);
        taskCap(t, s);
        s.seccomp = img.getInt(t + TaskStruct.SECCOMP + Seccomp.MODE);
        s.nrCpus = (int) img.number("nr_cpu_ids", 1);
        final long mm = img.getLong(t + TaskStruct.MM);
        if (mm != 0) {
            taskMem(mm, s);
        }
        return s.format();
    }

    /** ProcArray.taskState, over the image. */
    private void taskState(long t, ProcStatus s) {
        s.name = comm(t);
        final long fs = img.getLong(t + TaskStruct.FS);
        s.umask = fs == 0 ? -1 : img.getInt(fs + FsStruct.UMASK);
        s.state = state(t);
        s.tgid = taskPidNr(t, PidRules.PIDTYPE_TGID, initPidNs);
        s.pid = taskPidNr(t, PidRules.PIDTYPE_PID, initPidNs);
        final long parent = img.getLong(t + TaskStruct.REAL_PARENT);
        s.ppid = img.getLong(t + TaskStruct.THREAD_PID) != 0 && parent != 0 ? taskPidNr(parent, PidRules.PIDTYPE_TGID, initPidNs) : 0;
        final long cred = img.getLong(t + TaskStruct.CRED);
        s.uids[0] = img.getInt(cred + Cred.UID);
        s.uids[1] = img.getInt(cred + Cred.EUID);
        s.uids[2] = img.getInt(cred + Cred.SUID);
        s.uids[3] = img.getInt(cred + Cred.FSUID);
        s.gids[0] = img.getInt(cred + Cred.GID);
        s.gids[1] = img.getInt(cred + Cred.EGID);
        s.gids[2] = img.getInt(cred + Cred.SGID);
        s.gids[3] = img.getInt(cred + Cred.FSGID);
        final long gi = img.getLong(cred + Cred.GROUP_INFO);
        final int ngroups = gi == 0 ? 0 : img.getInt(gi + GroupInfo.NGROUPS);
        if (ngroups < 0 || ngroups > 65536) {
            throw new ImageException(img.path() + ": corrupt group_info at 0x" + Long.toHexString(gi) + ": ngroups " + ngroups);
        }
        s.groups = new int[ngroups];
        for (int i = 0; i < ngroups; i++) {
            s.groups[i] = img.getInt(gi + GroupInfo.GID + 4L * i);
        }
        final long files = img.getLong(t + TaskStruct.FILES);
        s.fdSize = files == 0 ? 0 : img.getInt(img.getLong(files + FilesStruct.FDT) + Fdtable.MAX_FDS);
        final long pid = img.getLong(t + TaskStruct.THREAD_PID);
        final int level = pid == 0 ? -1 : img.getInt(pid + Pid.LEVEL);
        if (level > 32) {
            throw new ImageException(img.path() + ": corrupt pid at 0x" + Long.toHexString(pid) + ": level " + level);
        }
        s.nsTgid = new int[level + 1];
        s.nsPid = new int[level + 1];
        s.nsPgid = new int[level + 1];
        s.nsSid = new int[level + 1];
        for (int l = 0; l <= level; l++) {
            final long lns = img.getLong(pid + Pid.numbersAt(l) + Upid.NS);
            s.nsTgid[l] = taskPidNr(t, PidRules.PIDTYPE_TGID, lns);
            s.nsPid[l] = taskPidNr(t, PidRules.PIDTYPE_PID, lns);
            s.nsPgid[l] = taskPidNr(t, PidRules.PIDTYPE_PGID, lns);
            s.nsSid[l] = taskPidNr(t, PidRules.PIDTYPE_SID, lns);
        }
    }

    /** ProcArray.taskSig, over the image. */
    private void taskSig(long t, ProcStatus s) {
        final long sig = img.getLong(t + TaskStruct.SIGNAL);
        final long sighand = img.getLong(t + TaskStruct.SIGHAND);
        s.threads = img.getInt(sig + SignalStruct.NR_THREADS);
        final long user = img.getLong(img.getLong(t + TaskStruct.CRED) + Cred.USER);
        s.sigQ = img.getInt(user + UserStruct.SIGPENDING);
        s.sigQLimit = img.getLong(sig + SignalStruct.RLIM + Resource.RLIMIT_SIGPENDING * Rlimit.SIZEOF + Rlimit.RLIM_CUR);
        s.sigPnd = img.getLong(t + TaskStruct.PENDING + Sigpending.SIGNAL);
        s.shdPnd = img.getLong(sig + SignalStruct.SHARED_PENDING + Sigpending.SIGNAL);
        s.sigBlk = img.getLong(t + TaskStruct.BLOCKED);
        if (sighand != 0) {
            for (int i = 1; i <= Signals._NSIG; i++) {
                s.sigHandler(i, img.getLong(sighand + SighandStruct.ACTION + (i - 1) * KSigaction.SIZEOF + KSigaction.SA
                    + Sigaction.SA_HANDLER));
            }
        }
    }

    /** ProcArray.taskCap, over the image. */
    private void taskCap(long t, ProcStatus s) {
        final long cred = img.getLong(t + TaskStruct.CRED);
        s.capInh = img.getLong(cred + Cred.CAP_INHERITABLE);
        s.capPrm = img.getLong(cred + Cred.CAP_PERMITTED);
        s.capEff = img.getLong(cred + Cred.CAP_EFFECTIVE);
        s.capBnd = img.getLong(cred + Cred.CAP_BSET);
        s.capAmb = img.getLong(cred + Cred.CAP_AMBIENT);
    }

    /** task_mem's inputs, from the mm_struct's fields. */
    private void taskMem(long mm, ProcStatus s) {
        s.hasMm = true;
        s.hiwaterVm = img.getLong(mm + MmStruct.HIWATER_VM);
        s.totalVm = img.getLong(mm + MmStruct.TOTAL_VM);
        s.lockedVm = img.getLong(mm + MmStruct.LOCKED_VM);
        s.dataVm = img.getLong(mm + MmStruct.DATA_VM);
        s.stackVm = img.getLong(mm + MmStruct.STACK_VM);
        s.execVm = img.getLong(mm + MmStruct.EXEC_VM);
        s.rssFile = rss(mm, Limits.MM_FILEPAGES);
        s.rssAnon = rss(mm, Limits.MM_ANONPAGES);
        s.rssShmem = rss(mm, Limits.MM_SHMEMPAGES);
        s.hiwaterRss = img.getLong(mm + MmStruct.HIWATER_RSS);
        s.pgtablesBytes = img.getLong(mm + MmStruct.PGTABLES_BYTES);
    }

    private long rss(long mm, int member) {
        return img.getLong(mm + MmStruct.RSS_STAT + MmRssStat.COUNT + (long) Long.BYTES * member);
    }

    @Override
    public String procMaps(int nr) {
        final long t = findTask(nr);
        if (t == 0) {
            return null;
        }
        final long mm = img.getLong(t + TaskStruct.MM);
        if (mm == 0) {
            return "";
        }
        final StringBuilder sb = new StringBuilder();
        final LongHashSet seen = new LongHashSet();
        for (long v = img.getLong(mm + MmStruct.MMAP); v != 0; v = img.getLong(v + VmAreaStruct.VM_NEXT)) {
            if (!seen.add(v) || seen.size() > maxEntries) {
                throw new ImageException(img.path() + ": corrupt VMA list of mm 0x" + Long.toHexString(mm) + ": vm_area_struct 0x"
                    + Long.toHexString(v) + (seen.size() > maxEntries ? " is past " + maxEntries + " entries; the walk stopped"
                    : " comes twice (a cycle)"));
            }
            final long flags = img.getLong(v + VmAreaStruct.VM_FLAGS);
            final long f = img.getLong(v + VmAreaStruct.VM_FILE);
            // The file's path lives in the live kernel's file table, not in RAM: an image shows the inode only.
            sb.append(VmRules.mapsLine(img.getLong(v + VmAreaStruct.VM_START), img.getLong(v + VmAreaStruct.VM_END), flags,
                img.getLong(v + VmAreaStruct.VM_PGOFF), f == 0 ? 0 : img.getLong(img.getLong(f + File.F_INODE) + Inode.I_INO),
                f == 0 ? VmRules.anonName(flags) : null));
        }
        return sb.toString();
    }

    /** The slab caches as the image's KMEM_CACHE lines give them, in creation order. */
    public List<SlabInfo> slabInfos() {
        final List<SlabInfo> out = new ArrayList<>();
        for (Map.Entry<String, String> e : img.infoLines().entrySet()) {
            if (!e.getKey().startsWith("KMEM_CACHE(")) {
                continue;
            }
            final String name = e.getKey().substring("KMEM_CACHE(".length(), e.getKey().length() - 1);
            final String[] v = e.getValue().trim().split(" ");
            try {
                out.add(new SlabInfo(name, Long.parseLong(v[0]), Long.parseLong(v[1]), Integer.parseInt(v[2]), 0,
                    Integer.parseInt(v[3]), Integer.parseInt(v[4]), Long.parseLong(v[7]), 0, 0, 0, 0,
                    Integer.parseInt(v[5]), Integer.parseInt(v[6]), 0, 0));
            } catch (RuntimeException ex) {
                throw new ImageException(img.path() + ": corrupt VMCOREINFO line " + e.getKey() + "=" + e.getValue());
            }
        }
        return out;
    }

    @Override
    public String slabinfo() {
        final StringBuilder sb = new StringBuilder("slabinfo - version: 2.1\n").append(SlabInfo.HEADER).append('\n');
        for (SlabInfo i : slabInfos()) {
            sb.append(i.line()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public Map<String, Long> objectCounts() {
        final Map<String, Long> m = new TreeMap<>();
        for (SlabInfo i : slabInfos()) {
            m.merge(i.name(), i.activeObjs(), Long::sum);
        }
        return m;
    }

    /**
     * The lines of /proc/meminfo that the image's VMCOREINFO gives: MemTotal, MemFree and Slab (the
     * pages of every slab cache), in meminfo's format.
     */
    public String meminfo() {
        // the counters crash_save_vmcoreinfo wrote at the image's save; the slabs from the
        // KMEM_CACHE lines when an image has no counters (one saved before they were written)
        final Meminfo mi = new Meminfo();
        mi.totalramPages = img.number("totalram_pages", 0);
        mi.freePages = img.number("nr_free_pages", 0);
        mi.slabReclaimablePages = img.number("meminfo_slab_reclaimable_pages", 0);
        mi.slabUnreclaimablePages = img.number("meminfo_slab_unreclaimable_pages", -1);
        if (mi.slabUnreclaimablePages < 0) {
            mi.slabUnreclaimablePages = 0;
            for (SlabInfo i : slabInfos()) {
                mi.slabUnreclaimablePages += i.numSlabs() * i.pagesPerSlab();
            }
        }
        mi.kernelStackKb = img.number("meminfo_kernel_stack_kb", 0);
        mi.pageTablePages = img.number("meminfo_page_table_pages", 0);
        mi.commitLimitPages = img.number("meminfo_commit_limit_pages", 0);
        mi.committedPages = img.number("meminfo_committed_pages", 0);
        mi.cachedStacks = img.number("meminfo_cached_stacks", 0);
        mi.percpuPages = img.number("meminfo_percpu_pages", 0);
        return mi.format();
    }

    /**
     * The struct {@code type} at {@code addr}, field by field as crash's {@code struct TYPE ADDR -o}
     * shows it: each leaf field's offset in brackets, its C type and path (pahole's names), and its
     * value (pointers in hex, integers in decimal, char arrays as text, other arrays and opaque
     * blocks by size).
     *
     * @throws ImageException when {@code type} is no declared struct or the struct is not all inside the image
     */
    public String struct(String type, long addr) {
        final StructLayout s = Structs.byName(type);
        if (s == null) {
            throw new ImageException("unknown struct '" + type + "' ('kfork layout --list' names them)");
        }
        if (!img.holds(addr, s.size())) {
            throw new ImageException(img.path() + ": struct " + type + " at 0x" + Long.toHexString(addr) + " (" + s.size()
                + " bytes) is not inside the image");
        }
        final StringBuilder sb = new StringBuilder();
        sb.append(s.kind().keyword()).append(' ').append(s.tag()).append(" {  /* at 0x").append(Long.toHexString(addr))
            .append(", ").append(s.size()).append(" bytes */\n");
        for (FlatField f : s.flatten()) {
            if (f.container()) {
                continue;
            }
            sb.append(String.format("  [%4d] %-28s %-32s = ", f.offset(), f.member().type().name(), f.path()));
            sb.append(value(addr + f.offset(), f)).append('\n');
        }
        return sb.append("}\n").toString();
    }

    private String value(long at, FlatField f) {
        final Member m = f.member();
        if (m.isBitfield()) {
            // at is the byte that holds the first bit; a bitfield spans at most 8 bytes from there
            final byte[] b = img.bytes(at, (int) Math.min(8, (f.bitOffset() % 8 + m.bitWidth() + 7) / 8));
            long word = 0;
            for (int i = b.length - 1; i >= 0; i--) {
                word = word << 8 | (b[i] & 0xff);
            }
            return Long.toString((word >>> (f.bitOffset() % 8)) & ((1L << m.bitWidth()) - 1));
        }
        final CType t = m.type().resolve();
        final long size = f.size();
        if (t instanceof PointerType) {
            return "0x" + Long.toHexString(img.getLong(at));
        }
        if (t instanceof Scalar sc) {
            final boolean unsigned = sc.cSpelling().startsWith("u") || sc.cSpelling().startsWith("unsigned");
            switch ((int) size) {
                case 1: return Long.toString(unsigned ? img.getByte(at) & 0xffL : img.getByte(at));
                case 2: return Long.toString(unsigned ? (img.getInt(at - (at & 3)) >>> (8 * (at & 3))) & 0xffffL
                    : (short) (img.getInt(at - (at & 3)) >>> (8 * (at & 3))));
                case 4: return Long.toString(unsigned ? img.getInt(at) & 0xffffffffL : img.getInt(at));
                case 8: return unsigned ? Long.toUnsignedString(img.getLong(at)) : Long.toString(img.getLong(at));
                default: break;
            }
        }
        if (t instanceof ArrayType a && a.element().resolve() instanceof Scalar e && e.size() == 1
            && e.cSpelling().equals("char") && size > 0 && size <= 256) {
            final byte[] b = img.bytes(at, (int) size);
            int n = 0;
            while (n < b.length && b[n] != 0) {
                n++;
            }
            return '"' + new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1) + '"';
        }
        return "{" + size + " bytes}";
    }
}
