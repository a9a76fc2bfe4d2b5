package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct signal_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The state a thread group shares: thread counts, shared pending signals, timers, CPU and I/O
 * sums, rlimits, tty. copy_signal builds a fresh one unless CLONE_THREAD.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | sigcnt                         refcount_t                              |
 * |     4 |    4 | live                           atomic_t                                |
 * |     8 |    4 | nr_threads                     int                                     |
 * |    16 |   16 | thread_head                    struct list_head                        |
 * |    32 |   24 | wait_chldexit                  wait_queue_head_t                       |
 * |    56 |    8 | curr_target                    struct task_struct *                    |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |   24 | shared_pending                 struct sigpending                       |
 * |    88 |    8 | multiprocess                   struct hlist_head                       |
 * |    96 |    4 | group_exit_code                int                                     |
 * |   100 |    4 | notify_count                   int                                     |
 * |   104 |    8 | group_exit_task                struct task_struct *                    |
 * |   112 |    4 | group_stop_count               int                                     |
 * |   116 |    4 | flags                          unsigned int                            |
 * | 120.0 |   :1 | is_child_subreaper             unsigned int                            |
 * | 120.1 |   :1 | has_child_subreaper            unsigned int                            |
 * |   124 |    4 | posix_timer_id                 int                                     |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   128 |   16 | posix_timers                   struct list_head                        |
 * |   144 |   64 | real_timer                     struct hrtimer                          |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   208 |    8 | it_real_incr                   ktime_t                                 |
 * |   216 |   32 | it                             struct cpu_itimer[2]                    |
 * |   248 |   24 | cputimer                       struct thread_group_cputimer            |
 * +=======+======+ cacheline 4 (256 bytes) ===============================================+
 * |   272 |   80 | posix_cputimers                struct posix_cputimers                  |
 * +=======+======+ cacheline 5 (320 bytes) ===============================================+
 * |   352 |   32 | pids                           struct pid *[4]                         |
 * +=======+======+ cacheline 6 (384 bytes) ===============================================+
 * |   384 |    8 | tty_old_pgrp                   struct pid *                            |
 * |   392 |    4 | leader                         int                                     |
 * |   400 |    8 | tty                            struct tty_struct *                     |
 * |   408 |    8 | stats_lock                     seqlock_t                               |
 * |   416 |    8 | utime                          u64                                     |
 * |   424 |    8 | stime                          u64                                     |
 * |   432 |    8 | cutime                         u64                                     |
 * |   440 |    8 | cstime                         u64                                     |
 * +=======+======+ cacheline 7 (448 bytes) ===============================================+
 * |   448 |    8 | gtime                          u64                                     |
 * |   456 |    8 | cgtime                         u64                                     |
 * |   464 |   24 | prev_cputime                   struct prev_cputime                     |
 * |   488 |    8 | nvcsw                          long unsigned int                       |
 * |   496 |    8 | nivcsw                         long unsigned int                       |
 * |   504 |    8 | cnvcsw                         long unsigned int                       |
 * +=======+======+ cacheline 8 (512 bytes) ===============================================+
 * |   512 |    8 | cnivcsw                        long unsigned int                       |
 * |   520 |    8 | min_flt                        long unsigned int                       |
 * |   528 |    8 | maj_flt                        long unsigned int                       |
 * |   536 |    8 | cmin_flt                       long unsigned int                       |
 * |   544 |    8 | cmaj_flt                       long unsigned int                       |
 * |   552 |    8 | inblock                        long unsigned int                       |
 * |   560 |    8 | oublock                        long unsigned int                       |
 * |   568 |    8 | cinblock                       long unsigned int                       |
 * +=======+======+ cacheline 9 (576 bytes) ===============================================+
 * |   576 |    8 | coublock                       long unsigned int                       |
 * |   584 |    8 | maxrss                         long unsigned int                       |
 * |   592 |    8 | cmaxrss                        long unsigned int                       |
 * |   600 |   56 | ioac                           struct task_io_accounting               |
 * +=======+======+ cacheline 10 (640 bytes) ==============================================+
 * |   656 |    8 | sum_sched_runtime              long long unsigned int                  |
 * |   664 |  256 | rlim                           struct rlimit[16]                       |
 * +=======+======+ cacheline 14 (896 bytes) ==============================================+
 * |   920 |   56 | pacct                          struct pacct_struct                     |
 * +=======+======+ cacheline 15 (960 bytes) ==============================================+
 * |   976 |    8 | stats                          struct taskstats *                      |
 * |   984 |    4 | audit_tty                      unsigned int                            |
 * |   992 |    8 | tty_audit_buf                  struct tty_audit_buf *                  |
 * |  1000 |    1 | oom_flag_origin                bool                                    |
 * |  1002 |    2 | oom_score_adj                  short int                               |
 * |  1004 |    2 | oom_score_adj_min              short int                               |
 * |  1008 |    8 | oom_mm                         struct mm_struct *                      |
 * |  1016 |   32 | cred_guard_mutex               struct mutex                            |
 * +=======+======+ cacheline 16 (1024 bytes) =============================================+
 * |  1048 |   40 | exec_update_lock               struct rw_semaphore                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 1088, alignof 8
 * </pre>
 */
public final class SignalStruct {
    /** The engine's layout of {@code struct signal_struct}. */
    public static final StructLayout LAYOUT = Struct.named("signal_struct")
        .field("sigcnt", CTypes.REFCOUNT_T)
        .field("live", CTypes.ATOMIC_T)
        .field("nr_threads", CTypes.INT)
        .field("thread_head", ListHead.LAYOUT)
        .field("wait_chldexit", CTypes.alias("wait_queue_head_t", WaitQueueHead.LAYOUT))
        .field("curr_target", CTypes.ptr("struct task_struct *"))
        .field("shared_pending", Sigpending.LAYOUT)
        .field("multiprocess", HlistHead.LAYOUT)
        .field("group_exit_code", CTypes.INT)
        .field("notify_count", CTypes.INT)
        .field("group_exit_task", CTypes.ptr("struct task_struct *"))
        .field("group_stop_count", CTypes.INT)
        .field("flags", CTypes.UINT)
        .bitfield("is_child_subreaper", CTypes.UINT, 1)
        .bitfield("has_child_subreaper", CTypes.UINT, 1)
        .field("posix_timer_id", CTypes.INT)
        .field("posix_timers", ListHead.LAYOUT)
        .field("real_timer", OpaqueTypes.HRTIMER)
        .field("it_real_incr", CTypes.KTIME_T)
        .array("it", CpuItimer.LAYOUT, 2)
        .field("cputimer", ThreadGroupCputimer.LAYOUT)
        .field("posix_cputimers", PosixCputimers.LAYOUT)
        .array("pids", CTypes.ptr("struct pid *"), 4)
        .field("tty_old_pgrp", CTypes.ptr("struct pid *"))
        .field("leader", CTypes.INT)
        .field("tty", CTypes.ptr("struct tty_struct *"))
        .field("stats_lock", CTypes.SEQLOCK_T)
        .field("utime", CTypes.U64)
        .field("stime", CTypes.U64)
        .field("cutime", CTypes.U64)
        .field("cstime", CTypes.U64)
        .field("gtime", CTypes.U64)
        .field("cgtime", CTypes.U64)
        .field("prev_cputime", PrevCputime.LAYOUT)
        .field("nvcsw", CTypes.ULONG)
        .field("nivcsw", CTypes.ULONG)
        .field("cnvcsw", CTypes.ULONG)
        .field("cnivcsw", CTypes.ULONG)
        .field("min_flt", CTypes.ULONG)
        .field("maj_flt", CTypes.ULONG)
        .field("cmin_flt", CTypes.ULONG)
        .field("cmaj_flt", CTypes.ULONG)
        .field("inblock", CTypes.ULONG)
        .field("oublock", CTypes.ULONG)
        .field("cinblock", CTypes.ULONG)
        .field("coublock", CTypes.ULONG)
        .field("maxrss", CTypes.ULONG)
        .field("cmaxrss", CTypes.ULONG)
        .field("ioac", TaskIoAccounting.LAYOUT)
        .field("sum_sched_runtime", CTypes.ULLONG)
        .array("rlim", Rlimit.LAYOUT, 16)
        .field("pacct", PacctStruct.LAYOUT)
        .field("stats", CTypes.ptr("struct taskstats *"))
        .field("audit_tty", CTypes.UINT)
        .field("tty_audit_buf", CTypes.ptr("struct tty_audit_buf *"))
        .field("oom_flag_origin", CTypes.BOOL)
        .field("oom_score_adj", CTypes.SHORT)
        .field("oom_score_adj_min", CTypes.SHORT)
        .field("oom_mm", CTypes.ptr("struct mm_struct *"))
        .field("cred_guard_mutex", Mutex.LAYOUT)
        .field("exec_update_lock", RwSemaphore.LAYOUT)
        .build();

    /** sizeof(struct signal_struct): 1088. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct signal_struct): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code refcount_t sigcnt;} at offset 0 (4 bytes). */
    public static final long SIGCNT = LAYOUT.offsetOf("sigcnt");

    /** {@code atomic_t live;} at offset 4 (4 bytes). */
    public static final long LIVE = LAYOUT.offsetOf("live");

    /** {@code int nr_threads;} at offset 8 (4 bytes). */
    public static final long NR_THREADS = LAYOUT.offsetOf("nr_threads");

    /** {@code struct list_head thread_head;} at offset 16 (16 bytes). */
    public static final long THREAD_HEAD = LAYOUT.offsetOf("thread_head");

    /** {@code wait_queue_head_t wait_chldexit;} at offset 32 (24 bytes). */
    public static final long WAIT_CHLDEXIT = LAYOUT.offsetOf("wait_chldexit");

    /** {@code struct task_struct * curr_target;} at offset 56 (8 bytes). */
    public static final long CURR_TARGET = LAYOUT.offsetOf("curr_target");

    /** {@code struct sigpending shared_pending;} at offset 64 (24 bytes). */
    public static final long SHARED_PENDING = LAYOUT.offsetOf("shared_pending");

    /** {@code struct hlist_head multiprocess;} at offset 88 (8 bytes). */
    public static final long MULTIPROCESS = LAYOUT.offsetOf("multiprocess");

    /** {@code int group_exit_code;} at offset 96 (4 bytes). */
    public static final long GROUP_EXIT_CODE = LAYOUT.offsetOf("group_exit_code");

    /** {@code int notify_count;} at offset 100 (4 bytes). */
    public static final long NOTIFY_COUNT = LAYOUT.offsetOf("notify_count");

    /** {@code struct task_struct * group_exit_task;} at offset 104 (8 bytes). */
    public static final long GROUP_EXIT_TASK = LAYOUT.offsetOf("group_exit_task");

    /** {@code int group_stop_count;} at offset 112 (4 bytes). */
    public static final long GROUP_STOP_COUNT = LAYOUT.offsetOf("group_stop_count");

    /** {@code unsigned int flags;} at offset 116 (4 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    /** {@code unsigned int is_child_subreaper : 1;} bit offset from the start of the struct (960: byte 120 bit 0). */
    public static final long IS_CHILD_SUBREAPER_BIT = LAYOUT.bitOffsetOf("is_child_subreaper");
    /** {@code unsigned int is_child_subreaper : 1;} width in bits. */
    public static final int IS_CHILD_SUBREAPER_WIDTH = LAYOUT.bitWidthOf("is_child_subreaper");

    /** {@code unsigned int has_child_subreaper : 1;} bit offset from the start of the struct (961: byte 120 bit 1). */
    public static final long HAS_CHILD_SUBREAPER_BIT = LAYOUT.bitOffsetOf("has_child_subreaper");
    /** {@code unsigned int has_child_subreaper : 1;} width in bits. */
    public static final int HAS_CHILD_SUBREAPER_WIDTH = LAYOUT.bitWidthOf("has_child_subreaper");

    /** {@code int posix_timer_id;} at offset 124 (4 bytes). */
    public static final long POSIX_TIMER_ID = LAYOUT.offsetOf("posix_timer_id");

    /** {@code struct list_head posix_timers;} at offset 128 (16 bytes). */
    public static final long POSIX_TIMERS = LAYOUT.offsetOf("posix_timers");

    /** {@code struct hrtimer real_timer;} at offset 144 (64 bytes). */
    public static final long REAL_TIMER = LAYOUT.offsetOf("real_timer");

    /** {@code ktime_t it_real_incr;} at offset 208 (8 bytes). */
    public static final long IT_REAL_INCR = LAYOUT.offsetOf("it_real_incr");

    /** {@code struct cpu_itimer it[2];} at offset 216 (32 bytes). */
    public static final long IT = LAYOUT.offsetOf("it");

    /** {@code struct thread_group_cputimer cputimer;} at offset 248 (24 bytes). */
    public static final long CPUTIMER = LAYOUT.offsetOf("cputimer");

    /** {@code struct posix_cputimers posix_cputimers;} at offset 272 (80 bytes). */
    public static final long POSIX_CPUTIMERS = LAYOUT.offsetOf("posix_cputimers");

    /** {@code struct pid * pids[4];} at offset 352 (32 bytes). */
    public static final long PIDS = LAYOUT.offsetOf("pids");

    /** {@code struct pid * tty_old_pgrp;} at offset 384 (8 bytes). */
    public static final long TTY_OLD_PGRP = LAYOUT.offsetOf("tty_old_pgrp");

    /** {@code int leader;} at offset 392 (4 bytes). */
    public static final long LEADER = LAYOUT.offsetOf("leader");

    /** {@code struct tty_struct * tty;} at offset 400 (8 bytes). */
    public static final long TTY = LAYOUT.offsetOf("tty");

    /** {@code seqlock_t stats_lock;} at offset 408 (8 bytes). */
    public static final long STATS_LOCK = LAYOUT.offsetOf("stats_lock");

    /** {@code u64 utime;} at offset 416 (8 bytes). */
    public static final long UTIME = LAYOUT.offsetOf("utime");

    /** {@code u64 stime;} at offset 424 (8 bytes). */
    public static final long STIME = LAYOUT.offsetOf("stime");

    /** {@code u64 cutime;} at offset 432 (8 bytes). */
    public static final long CUTIME = LAYOUT.offsetOf("cutime");

    /** {@code u64 cstime;} at offset 440 (8 bytes). */
    public static final long CSTIME = LAYOUT.offsetOf("cstime");

    /** {@code u64 gtime;} at offset 448 (8 bytes). */
    public static final long GTIME = LAYOUT.offsetOf("gtime");

    /** {@code u64 cgtime;} at offset 456 (8 bytes). */
    public static final long CGTIME = LAYOUT.offsetOf("cgtime");

    /** {@code struct prev_cputime prev_cputime;} at offset 464 (24 bytes). */
    public static final long PREV_CPUTIME = LAYOUT.offsetOf("prev_cputime");

    /** {@code long unsigned int nvcsw;} at offset 488 (8 bytes). */
    public static final long NVCSW = LAYOUT.offsetOf("nvcsw");

    /** {@code long unsigned int nivcsw;} at offset 496 (8 bytes). */
    public static final long NIVCSW = LAYOUT.offsetOf("nivcsw");

    /** {@code long unsigned int cnvcsw;} at offset 504 (8 bytes). */
    public static final long CNVCSW = LAYOUT.offsetOf("cnvcsw");

    /** {@code long unsigned int cnivcsw;} at offset 512 (8 bytes). */
    public static final long CNIVCSW = LAYOUT.offsetOf("cnivcsw");

    /** {@code long unsigned int min_flt;} at offset 520 (8 bytes). */
    public static final long MIN_FLT = LAYOUT.offsetOf("min_flt");

    /** {@code long unsigned int maj_flt;} at offset 528 (8 bytes). */
    public static final long MAJ_FLT = LAYOUT.offsetOf("maj_flt");

    /** {@code long unsigned int cmin_flt;} at offset 536 (8 bytes). */
    public static final long CMIN_FLT = LAYOUT.offsetOf("cmin_flt");

    /** {@code long unsigned int cmaj_flt;} at offset 544 (8 bytes). */
    public static final long CMAJ_FLT = LAYOUT.offsetOf("cmaj_flt");

    /** {@code long unsigned int inblock;} at offset 552 (8 bytes). */
    public static final long INBLOCK = LAYOUT.offsetOf("inblock");

    /** {@code long unsigned int oublock;} at offset 560 (8 bytes). */
    public static final long OUBLOCK = LAYOUT.offsetOf("oublock");

    /** {@code long unsigned int cinblock;} at offset 568 (8 bytes). */
    public static final long CINBLOCK = LAYOUT.offsetOf("cinblock");

    /** {@code long unsigned int coublock;} at offset 576 (8 bytes). */
    public static final long COUBLOCK = LAYOUT.offsetOf("coublock");

    /** {@code long unsigned int maxrss;} at offset 584 (8 bytes). */
    public static final long MAXRSS = LAYOUT.offsetOf("maxrss");

    /** {@code long unsigned int cmaxrss;} at offset 592 (8 bytes). */
    public static final long CMAXRSS = LAYOUT.offsetOf("cmaxrss");

    /** {@code struct task_io_accounting ioac;} at offset 600 (56 bytes). */
    public static final long IOAC = LAYOUT.offsetOf("ioac");

    /** {@code long long unsigned int sum_sched_runtime;} at offset 656 (8 bytes). */
    public static final long SUM_SCHED_RUNTIME = LAYOUT.offsetOf("sum_sched_runtime");

    /** {@code struct rlimit rlim[16];} at offset 664 (256 bytes). */
    public static final long RLIM = LAYOUT.offsetOf("rlim");

    /** {@code struct pacct_struct pacct;} at offset 920 (56 bytes). */
    public static final long PACCT = LAYOUT.offsetOf("pacct");

    /** {@code struct taskstats * stats;} at offset 976 (8 bytes). */
    public static final long STATS = LAYOUT.offsetOf("stats");

    /** {@code unsigned int audit_tty;} at offset 984 (4 bytes). */
    public static final long AUDIT_TTY = LAYOUT.offsetOf("audit_tty");

    /** {@code struct tty_audit_buf * tty_audit_buf;} at offset 992 (8 bytes). */
    public static final long TTY_AUDIT_BUF = LAYOUT.offsetOf("tty_audit_buf");

    /** {@code bool oom_flag_origin;} at offset 1000 (1 bytes). */
    public static final long OOM_FLAG_ORIGIN = LAYOUT.offsetOf("oom_flag_origin");

    /** {@code short int oom_score_adj;} at offset 1002 (2 bytes). */
    public static final long OOM_SCORE_ADJ = LAYOUT.offsetOf("oom_score_adj");

    /** {@code short int oom_score_adj_min;} at offset 1004 (2 bytes). */
    public static final long OOM_SCORE_ADJ_MIN = LAYOUT.offsetOf("oom_score_adj_min");

    /** {@code struct mm_struct * oom_mm;} at offset 1008 (8 bytes). */
    public static final long OOM_MM = LAYOUT.offsetOf("oom_mm");

    /** {@code struct mutex cred_guard_mutex;} at offset 1016 (32 bytes). */
    public static final long CRED_GUARD_MUTEX = LAYOUT.offsetOf("cred_guard_mutex");

    /** {@code struct rw_semaphore exec_update_lock;} at offset 1048 (40 bytes). */
    public static final long EXEC_UPDATE_LOCK = LAYOUT.offsetOf("exec_update_lock");

    private SignalStruct() {
    }
}
