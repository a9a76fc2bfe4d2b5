package org.kfork.proc;

import org.kfork.uapi.Signals;

import org.kfork.mm.Mman;
import org.kfork.sched.TaskState;

/**
 * fs/proc/array.c (5.12), the text of /proc/PID/status: proc_pid_status's lines in its order
 * (task_state, task_mem of fs/proc/task_mmu.c, task_sig, task_cap, task_seccomp,
 * task_cpus_allowed, the context switches), from values each kernel reads out of its own
 * representation into one of these. What the text looks like lives here once, so that both
 * kernels print the same bytes for the same history.
 *
 * <p>Lines whose value the model does not keep print a fixed value, as a machine with that
 * feature idle would: Ngid 0 (no NUMA balancing), TracerPid 0 (no ptrace), VmPin 0, VmSwap 0,
 * HugetlbPages 0, CoreDumping 0, THP_enabled 1, NoNewPrivs 0 (Seccomp is the task's mode),
 * Seccomp_filters 0, Speculation_Store_Bypass "thread vulnerable" and SpeculationIndirectBranch
 * "conditional enabled" (the default seccomp/prctl mitigations, for a task that asked for none),
 * Mems_allowed 1 (one node),
 * and 0 context switches. A task without an mm (a kernel thread, a zombie) has no Vm lines,
 * as in 5.12.
 */
public final class ProcStatus {
    /** comm. */
    public String name;
    /** fs->umask, or -1 when the task has no fs_struct (no Umask line). */
    public int umask = -1;
    /** task->state | task->exit_state. */
    public long state;
    /** Tgid, Pid, PPid: in the reader's namespace. */
    public int tgid;
    /** Pid. */
    public int pid;
    /** PPid: 0 for a task whose parent is not visible. */
    public int ppid;
    /** uid, euid, suid, fsuid. */
    public final int[] uids = new int[4];
    /** gid, egid, sgid, fsgid. */
    public final int[] gids = new int[4];
    /** fdt->max_fds, 0 without files. */
    public int fdSize;
    /** Supplementary groups (group_info), in order. */
    public int[] groups = new int[0];
    /** NStgid, NSpid, NSpgid, NSsid: one number per level from the reader's to the task's. */
    public int[] nsTgid = new int[0];
    /** NSpid. */
    public int[] nsPid = new int[0];
    /** NSpgid. */
    public int[] nsPgid = new int[0];
    /** NSsid. */
    public int[] nsSid = new int[0];
    /** Whether the task has an mm (task_mem's lines). */
    public boolean hasMm;
    /** mm->hiwater_vm, total_vm, locked_vm, data_vm, stack_vm, exec_vm (pages). */
    public long hiwaterVm;
    /** total_vm. */
    public long totalVm;
    /** locked_vm. */
    public long lockedVm;
    /** data_vm. */
    public long dataVm;
    /** stack_vm. */
    public long stackVm;
    /** exec_vm. */
    public long execVm;
    /** mm->start_code and end_code (bytes). */
    public long startCode;
    /** end_code. */
    public long endCode;
    /** The RSS counters: MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES (pages); hiwater_rss. */
    public long rssFile;
    /** MM_ANONPAGES. */
    public long rssAnon;
    /** MM_SHMEMPAGES. */
    public long rssShmem;
    /** hiwater_rss. */
    public long hiwaterRss;
    /** mm_pgtables_bytes. */
    public long pgtablesBytes;
    /** signal->nr_threads. */
    public int threads;
    /** The user's queued signals and RLIMIT_SIGPENDING's soft limit. */
    public long sigQ;
    /** RLIMIT_SIGPENDING. */
    public long sigQLimit;
    /** task->pending.signal, signal->shared_pending.signal, task->blocked. */
    public long sigPnd;
    /** shared_pending. */
    public long shdPnd;
    /** blocked. */
    public long sigBlk;
    /** Handlers: SIG_IGN, and neither SIG_IGN nor SIG_DFL (collect_sigign_sigcgt). */
    public long sigIgn;
    /** caught. */
    public long sigCgt;
    /** cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient. */
    public long capInh;
    /** cap_permitted. */
    public long capPrm;
    /** cap_effective. */
    public long capEff;
    /** cap_bset. */
    public long capBnd;
    /** cap_ambient. */
    public long capAmb;
    /** PFA_NO_NEW_PRIVS. */
    public int noNewPrivs;
    /** seccomp.mode. */
    public int seccomp;
    /** nr_cpu_ids: the allowed CPUs are all of them. */
    public int nrCpus;

    /**
     * collect_sigign_sigcatch, one signal at a time: signal {@code sig}'s handler joins SigIgn when
     * it is SIG_IGN, SigCgt when it is a function (the default joins neither). Start with both at 0.
     */
    public void sigHandler(int sig, long handler) {
        if (handler == Signals.SIG_IGN) {
            sigIgn |= 1L << (sig - 1);
        } else if (handler != Signals.SIG_DFL) {
            sigCgt |= 1L << (sig - 1);
        }
    }

    /** get_task_state: the letter and word of the state ("R (running)", "Z (zombie)"...). */
    public static String stateName(long state) {
        final long s = state & TaskState.TASK_REPORT;
        final int i = s == 0 ? 0 : 64 - Long.numberOfLeadingZeros(s);
        return STATES[i];
    }

    /** The letter of the state, as /proc/PID/stat and ps show it. */
    public static char stateLetter(long state) {
        return stateName(state).charAt(0);
    }

    private static final String[] STATES = {
        "R (running)", "S (sleeping)", "D (disk sleep)", "T (stopped)", "t (tracing stop)",
        "X (dead)", "Z (zombie)", "P (parked)", "I (idle)",
    };

    /** The text of /proc/PID/status. */
    public String format() {
        StringBuilder m = new StringBuilder(1400);
        m.append("Name:\t").append(name).append('\n');
        if (umask >= 0) {
            m.append("Umask:\t").append(String.format("%04o", umask)).append('\n');
        }
        m.append("State:\t").append(stateName(state));
        m.append("\nTgid:\t").append(tgid);
        m.append("\nNgid:\t0");
        m.append("\nPid:\t").append(pid);
        m.append("\nPPid:\t").append(ppid);
        m.append("\nTracerPid:\t0");
        m.append("\nUid:");
        for (int u : uids) {
            m.append('\t').append(Integer.toUnsignedString(u));
        }
        m.append("\nGid:");
        for (int g : gids) {
            m.append('\t').append(Integer.toUnsignedString(g));
        }
        m.append("\nFDSize:\t").append(fdSize);
        m.append("\nGroups:\t");
        for (int i = 0; i < groups.length; i++) {
            m.append(i == 0 ? "" : " ").append(Integer.toUnsignedString(groups[i]));
        }
        m.append(' '); // 5.12 prints a trailing space here, kept for compatibility
        numbers(m, "\nNStgid:", nsTgid);
        numbers(m, "\nNSpid:", nsPid);
        numbers(m, "\nNSpgid:", nsPgid);
        numbers(m, "\nNSsid:", nsSid);
        m.append('\n');
        if (hasMm) {
            taskMem(m);
            m.append("CoreDumping:\t0\n");
            m.append("THP_enabled:\t1\n");
        }
        m.append("Threads:\t").append(threads);
        m.append("\nSigQ:\t").append(sigQ).append('/').append(Long.toUnsignedString(sigQLimit));
        sigset(m, "\nSigPnd:\t", sigPnd);
        sigset(m, "ShdPnd:\t", shdPnd);
        sigset(m, "SigBlk:\t", sigBlk);
        sigset(m, "SigIgn:\t", sigIgn);
        sigset(m, "SigCgt:\t", sigCgt);
        sigset(m, "CapInh:\t", capInh);
        sigset(m, "CapPrm:\t", capPrm);
        sigset(m, "CapEff:\t", capEff);
        sigset(m, "CapBnd:\t", capBnd);
        sigset(m, "CapAmb:\t", capAmb);
        m.append("NoNewPrivs:\t").append(noNewPrivs);
        m.append("\nSeccomp:\t").append(seccomp);
        m.append("\nSeccomp_filters:\t0");
        m.append("\nSpeculation_Store_Bypass:\tthread vulnerable");
        m.append("\nSpeculationIndirectBranch:\tconditional enabled\n");
        final long cpus = nrCpus >= 64 ? -1L : (1L << nrCpus) - 1;
        m.append("Cpus_allowed:\t").append(Long.toHexString(cpus));
        m.append("\nCpus_allowed_list:\t").append(nrCpus == 1 ? "0" : "0-" + (nrCpus - 1));
        m.append("\nMems_allowed:\t1\nMems_allowed_list:\t0\n");
        m.append("voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
        return m.toString();
    }

    /** task_mem (fs/proc/task_mmu.c): sizes in kB, right-aligned in 8 columns. */
    private void taskMem(StringBuilder m) {
        final long totalRss = rssAnon + rssFile + rssShmem;
        final long text = Math.min(Mman.pageAlign(endCode) - (startCode & ~(Mman.PAGE_SIZE - 1)),
            execVm << Mman.PAGE_SHIFT);
        final long lib = (execVm << Mman.PAGE_SHIFT) - text;
        kb(m, "VmPeak:\t", pagesKb(Math.max(hiwaterVm, totalVm)));
        kb(m, " kB\nVmSize:\t", pagesKb(totalVm));
        kb(m, " kB\nVmLck:\t", pagesKb(lockedVm));
        kb(m, " kB\nVmPin:\t", 0);
        kb(m, " kB\nVmHWM:\t", pagesKb(Math.max(hiwaterRss, totalRss)));
        kb(m, " kB\nVmRSS:\t", pagesKb(totalRss));
        kb(m, " kB\nRssAnon:\t", pagesKb(rssAnon));
        kb(m, " kB\nRssFile:\t", pagesKb(rssFile));
        kb(m, " kB\nRssShmem:\t", pagesKb(rssShmem));
        kb(m, " kB\nVmData:\t", pagesKb(dataVm));
        kb(m, " kB\nVmStk:\t", pagesKb(stackVm));
        kb(m, " kB\nVmExe:\t", text >> 10);
        kb(m, " kB\nVmLib:\t", lib >> 10);
        kb(m, " kB\nVmPTE:\t", pgtablesBytes >> 10);
        kb(m, " kB\nVmSwap:\t", 0);
        m.append(" kB\n");
        m.append("HugetlbPages:\t       0 kB\n");
    }

    private static long pagesKb(long pages) {
        return pages << (Mman.PAGE_SHIFT - 10);
    }

    /** seq_put_decimal_ull_width(m, delimiter, v, 8). */
    private static void kb(StringBuilder m, String delimiter, long v) {
        m.append(delimiter);
        final String s = Long.toUnsignedString(v);
        for (int i = s.length(); i < 8; i++) {
            m.append(' ');
        }
        m.append(s);
    }

    /** render_sigset_t and render_cap_t: 16 hex digits, then a newline. */
    private static void sigset(StringBuilder m, String header, long set) {
        m.append(header);
        final String h = Long.toHexString(set);
        for (int i = h.length(); i < 16; i++) {
            m.append('0');
        }
        m.append(h).append('\n');
    }

    private static void numbers(StringBuilder m, String header, int[] nrs) {
        m.append(header);
        for (int nr : nrs) {
            m.append('\t').append(nr);
        }
    }
}
