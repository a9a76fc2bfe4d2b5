package org.kfork.heap.signal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.locking.HeapRefcount;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.pid.HeapPid;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;

/**
 * The heap twin of {@code struct signal_struct}: what a thread group shares. The fields are the
 * ones the port reads or writes, named after the C fields; the rlimit array is two arrays
 * ({@code rlim[i].rlim_cur} is {@code rlimCur[i]}), posix_cputimers its bases' expiry caches and
 * flags. Left out until a room uses them: wait_chldexit (the exit room's wait queue), the
 * real-time timer, tty, the CPU and I/O sums but utime and stime.
 */
public final class HeapSignalStruct {
    private static final VarHandle PIDS = MethodHandles.arrayElementVarHandle(HeapPid[].class);

    /** {@code refcount_t sigcnt}: references to the struct. */
    public final HeapRefcount sigcnt = new HeapRefcount("signal_struct.sigcnt");
    /** {@code atomic_t live}: threads that have not exited. */
    public final AtomicInteger live = new AtomicInteger();
    /** {@code int nr_threads}: threads of the group. */
    public int nrThreads;
    /** {@code struct list_head thread_head}: the threads, through their thread_node. */
    public final HeapIntrusiveList threadHead = new HeapIntrusiveList();
    /** {@code struct task_struct *curr_target}: where complete_signal starts looking. */
    public HeapTask currTarget;
    /** {@code struct sigpending shared_pending}: signals sent to the group. */
    public final HeapSigpending sharedPending = new HeapSigpending();
    /** {@code struct hlist_head multiprocess}: the forks in progress collecting group signals. */
    public final HeapHList.Head multiprocess = new HeapHList.Head();
    /** {@code int group_exit_code}. */
    public int groupExitCode;
    /** {@code int notify_count}. */
    public int notifyCount;
    /** {@code struct task_struct *group_exit_task}. */
    public HeapTask groupExitTask;
    /** {@code int group_stop_count}. */
    public int groupStopCount;
    /** {@code unsigned int flags}: SIGNAL_*. */
    public int flags;
    /** {@code unsigned int is_child_subreaper:1}. */
    public boolean isChildSubreaper;
    /** {@code unsigned int has_child_subreaper:1}. */
    public boolean hasChildSubreaper;
    /** {@code int leader}: the group leads its session (setsid); copy_signal leaves it 0. */
    public int leader;
    /** {@code struct list_head posix_timers}. */
    public final HeapIntrusiveList posixTimers = new HeapIntrusiveList();
    /** {@code posix_cputimers.bases[i].nextevt}: PROF, VIRT, SCHED. */
    public final long[] posixCputimersNextevt = new long[3];
    /** {@code posix_cputimers.timers_active}. */
    public boolean posixCputimersTimersActive;
    /** {@code posix_cputimers.expiry_active}. */
    public boolean posixCputimersExpiryActive;
    /**
     * {@code struct pid *pids[PIDTYPE_MAX]}: the thread group's pids of types TGID, PGID and SID
     * ({@code pids[PIDTYPE_PID]} is unused, as in 5.12: a task's own pid is {@code thread_pid});
     * read with acquire loads (rcu_dereference).
     */
    private final HeapPid[] pids = new HeapPid[PidRules.PIDTYPE_MAX];
    /** {@code u64 utime}: the user time of the group's dead threads. */
    public long utime;
    /** {@code u64 stime}: the system time of the group's dead threads. */
    public long stime;
    /** {@code u64 gtime}: the guest time of the group's dead threads (exit.c's __exit_signal). */
    public long gtime;
    /** {@code u64 cutime}: the user time of the reaped children (exit.c's wait_task_zombie). */
    public long cutime;
    /** {@code u64 cstime}. */
    public long cstime;
    /** {@code u64 cgtime}. */
    public long cgtime;
    /** {@code rlim[i].rlim_cur}. */
    public final long[] rlimCur = new long[Limits.RLIM_NLIMITS];
    /** {@code rlim[i].rlim_max}. */
    public final long[] rlimMax = new long[Limits.RLIM_NLIMITS];
    /** {@code unsigned int audit_tty}. */
    public int auditTty;
    /** {@code short oom_score_adj}. */
    public short oomScoreAdj;
    /** {@code short oom_score_adj_min}. */
    public short oomScoreAdjMin;
    /** {@code struct mm_struct *oom_mm}. */
    public HeapMmStruct oomMm;
    /** {@code struct mutex cred_guard_mutex} (a Java lock: mutex_init makes a new one). */
    public ReentrantLock credGuardMutex;
    /** {@code struct rw_semaphore exec_update_lock} (a Java lock: init_rwsem makes a new one). */
    public ReentrantReadWriteLock execUpdateLock;

    /** A zeroed signal_struct, as kmem_cache_zalloc gives. */
    public HeapSignalStruct() {
    }

    /** {@code rcu_dereference(sig->pids[type])}. */
    public HeapPid pid(int type) {
        return (HeapPid) PIDS.getAcquire(pids, type);
    }

    /** {@code sig->pids[type] = pid} (a release store). */
    public void setPid(int type, HeapPid pid) {
        PIDS.setRelease(pids, type, pid);
    }
}
