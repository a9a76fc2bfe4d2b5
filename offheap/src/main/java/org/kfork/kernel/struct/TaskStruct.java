package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code struct task_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A task: a thread or a process. dup_task_struct copies the parent's whole struct; copy_process
 * then fixes up the fields that must differ.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * compile-time size for this config; the kmem cache uses arch_task_struct_size (see thread row).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   24 | thread_info                    struct thread_info                      |
 * |    24 |    8 | state                          volatile long int                       |
 * |    32 |    8 | stack                          void *                                  |
 * |    40 |    4 | usage                          refcount_t                              |
 * |    44 |    4 | flags                          unsigned int                            |
 * |    48 |    4 | ptrace                         unsigned int                            |
 * |    52 |    4 | on_cpu                         int                                     |
 * |    56 |   16 | wake_entry                     struct __call_single_node               |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    72 |    4 | cpu                            unsigned int                            |
 * |    76 |    4 | wakee_flips                    unsigned int                            |
 * |    80 |    8 | wakee_flip_decay_ts            long unsigned int                       |
 * |    88 |    8 | last_wakee                     struct task_struct *                    |
 * |    96 |    4 | recent_used_cpu                int                                     |
 * |   100 |    4 | wake_cpu                       int                                     |
 * |   104 |    4 | on_rq                          int                                     |
 * |   108 |    4 | prio                           int                                     |
 * |   112 |    4 | static_prio                    int                                     |
 * |   116 |    4 | normal_prio                    int                                     |
 * |   120 |    4 | rt_priority                    unsigned int                            |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   128 |    8 | sched_class                    const struct sched_class *              |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   192 |  448 | se                             struct sched_entity                     |
 * +=======+======+ cacheline 10 (640 bytes) ==============================================+
 * |   640 |   48 | rt                             struct sched_rt_entity                  |
 * |   688 |    8 | sched_task_group               struct task_group *                     |
 * |   696 |  224 | dl                             struct sched_dl_entity                  |
 * +=======+======+ cacheline 14 (896 bytes) ==============================================+
 * |   920 |    4 | btrace_seq                     unsigned int                            |
 * |   924 |    4 | policy                         unsigned int                            |
 * |   928 |    4 | nr_cpus_allowed                int                                     |
 * |   936 |    8 | cpus_ptr                       const cpumask_t *                       |
 * |   944 |    8 | cpus_mask                      cpumask_t                               |
 * |   952 |    8 | migration_pending              void *                                  |
 * +=======+======+ cacheline 15 (960 bytes) ==============================================+
 * |   960 |    2 | migration_disabled             short unsigned int                      |
 * |   962 |    2 | migration_flags                short unsigned int                      |
 * |   968 |   32 | sched_info                     struct sched_info                       |
 * |  1000 |   16 | tasks                          struct list_head                        |
 * |  1016 |   40 | pushable_tasks                 struct plist_node                       |
 * +=======+======+ cacheline 16 (1024 bytes) =============================================+
 * |  1056 |   24 | pushable_dl_tasks              struct rb_node                          |
 * |  1080 |    8 | mm                             struct mm_struct *                      |
 * +=======+======+ cacheline 17 (1088 bytes) =============================================+
 * |  1088 |    8 | active_mm                      struct mm_struct *                      |
 * |  1096 |   40 | vmacache                       struct vmacache                         |
 * |  1136 |   20 | rss_stat                       struct task_rss_stat                    |
 * +=======+======+ cacheline 18 (1152 bytes) =============================================+
 * |  1156 |    4 | exit_state                     int                                     |
 * |  1160 |    4 | exit_code                      int                                     |
 * |  1164 |    4 | exit_signal                    int                                     |
 * |  1168 |    4 | pdeath_signal                  int                                     |
 * |  1176 |    8 | jobctl                         long unsigned int                       |
 * |  1184 |    4 | personality                    unsigned int                            |
 * | 1188.0 |   :1 | sched_reset_on_fork            unsigned int                            |
 * | 1188.1 |   :1 | sched_contributes_to_load      unsigned int                            |
 * | 1188.2 |   :1 | sched_migrated                 unsigned int                            |
 * | 1192.0 |   :1 | sched_remote_wakeup            unsigned int                            |
 * | 1192.1 |   :1 | in_execve                      unsigned int                            |
 * | 1192.2 |   :1 | in_iowait                      unsigned int                            |
 * | 1192.3 |   :1 | restore_sigmask                unsigned int                            |
 * | 1192.4 |   :1 | in_user_fault                  unsigned int                            |
 * | 1192.5 |   :1 | no_cgroup_migration            unsigned int                            |
 * | 1192.6 |   :1 | frozen                         unsigned int                            |
 * |  1200 |    8 | atomic_flags                   long unsigned int                       |
 * |  1208 |   56 | restart_block                  struct restart_block                    |
 * +=======+======+ cacheline 19 (1216 bytes) =============================================+
 * |  1264 |    4 | pid                            pid_t                                   |
 * |  1268 |    4 | tgid                           pid_t                                   |
 * |  1272 |    8 | stack_canary                   long unsigned int                       |
 * +=======+======+ cacheline 20 (1280 bytes) =============================================+
 * |  1280 |    8 | real_parent                    struct task_struct *                    |
 * |  1288 |    8 | parent                         struct task_struct *                    |
 * |  1296 |   16 | children                       struct list_head                        |
 * |  1312 |   16 | sibling                        struct list_head                        |
 * |  1328 |    8 | group_leader                   struct task_struct *                    |
 * |  1336 |   16 | ptraced                        struct list_head                        |
 * +=======+======+ cacheline 21 (1344 bytes) =============================================+
 * |  1352 |   16 | ptrace_entry                   struct list_head                        |
 * |  1368 |    8 | thread_pid                     struct pid *                            |
 * |  1376 |   64 | pid_links                      struct hlist_node[4]                    |
 * +=======+======+ cacheline 22 (1408 bytes) =============================================+
 * |  1440 |   16 | thread_group                   struct list_head                        |
 * |  1456 |   16 | thread_node                    struct list_head                        |
 * +=======+======+ cacheline 23 (1472 bytes) =============================================+
 * |  1472 |    8 | vfork_done                     struct completion *                     |
 * |  1480 |    8 | set_child_tid                  int *                                   |
 * |  1488 |    8 | clear_child_tid                int *                                   |
 * |  1496 |    8 | pf_io_worker                   void *                                  |
 * |  1504 |    8 | utime                          u64                                     |
 * |  1512 |    8 | stime                          u64                                     |
 * |  1520 |    8 | gtime                          u64                                     |
 * |  1528 |   24 | prev_cputime                   struct prev_cputime                     |
 * +=======+======+ cacheline 24 (1536 bytes) =============================================+
 * |  1552 |    8 | nvcsw                          long unsigned int                       |
 * |  1560 |    8 | nivcsw                         long unsigned int                       |
 * |  1568 |    8 | start_time                     u64                                     |
 * |  1576 |    8 | start_boottime                 u64                                     |
 * |  1584 |    8 | min_flt                        long unsigned int                       |
 * |  1592 |    8 | maj_flt                        long unsigned int                       |
 * +=======+======+ cacheline 25 (1600 bytes) =============================================+
 * |  1600 |   80 | posix_cputimers                struct posix_cputimers                  |
 * +=======+======+ cacheline 26 (1664 bytes) =============================================+
 * |  1680 |   24 | posix_cputimers_work           struct posix_cputimers_work             |
 * |  1704 |    8 | ptracer_cred                   const struct cred *                     |
 * |  1712 |    8 | real_cred                      const struct cred *                     |
 * |  1720 |    8 | cred                           const struct cred *                     |
 * +=======+======+ cacheline 27 (1728 bytes) =============================================+
 * |  1728 |    8 | cached_requested_key           struct key *                            |
 * |  1736 |   16 | comm                           char[16]                                |
 * |  1752 |    8 | nameidata                      struct nameidata *                      |
 * |  1760 |    8 | sysvsem                        struct sysv_sem                         |
 * |  1768 |   16 | sysvshm                        struct sysv_shm                         |
 * |  1784 |    8 | fs                             struct fs_struct *                      |
 * +=======+======+ cacheline 28 (1792 bytes) =============================================+
 * |  1792 |    8 | files                          struct files_struct *                   |
 * |  1800 |    8 | io_uring                       struct io_uring_task *                  |
 * |  1808 |    8 | nsproxy                        struct nsproxy *                        |
 * |  1816 |    8 | signal                         struct signal_struct *                  |
 * |  1824 |    8 | sighand                        struct sighand_struct *                 |
 * |  1832 |    8 | blocked                        sigset_t                                |
 * |  1840 |    8 | real_blocked                   sigset_t                                |
 * |  1848 |    8 | saved_sigmask                  sigset_t                                |
 * +=======+======+ cacheline 29 (1856 bytes) =============================================+
 * |  1856 |   24 | pending                        struct sigpending                       |
 * |  1880 |    8 | sas_ss_sp                      long unsigned int                       |
 * |  1888 |    8 | sas_ss_size                    size_t                                  |
 * |  1896 |    4 | sas_ss_flags                   unsigned int                            |
 * |  1904 |    8 | task_works                     struct callback_head *                  |
 * |  1912 |    8 | audit_context                  struct audit_context *                  |
 * +=======+======+ cacheline 30 (1920 bytes) =============================================+
 * |  1920 |    4 | loginuid                       kuid_t                                  |
 * |  1924 |    4 | sessionid                      unsigned int                            |
 * |  1928 |   16 | seccomp                        struct seccomp                          |
 * |  1944 |   32 | syscall_dispatch               struct syscall_user_dispatch            |
 * |  1976 |    8 | parent_exec_id                 u64                                     |
 * +=======+======+ cacheline 31 (1984 bytes) =============================================+
 * |  1984 |    8 | self_exec_id                   u64                                     |
 * |  1992 |    4 | alloc_lock                     spinlock_t                              |
 * |  1996 |    4 | pi_lock                        raw_spinlock_t                          |
 * |  2000 |    8 | wake_q                         struct wake_q_node                      |
 * |  2008 |   16 | pi_waiters                     struct rb_root_cached                   |
 * |  2024 |    8 | pi_top_task                    struct task_struct *                    |
 * |  2032 |    8 | pi_blocked_on                  struct rt_mutex_waiter *                |
 * |  2040 |    8 | journal_info                   void *                                  |
 * +=======+======+ cacheline 32 (2048 bytes) =============================================+
 * |  2048 |    8 | bio_list                       struct bio_list *                       |
 * |  2056 |    8 | plug                           struct blk_plug *                       |
 * |  2064 |    8 | reclaim_state                  struct reclaim_state *                  |
 * |  2072 |    8 | backing_dev_info               struct backing_dev_info *               |
 * |  2080 |    8 | io_context                     struct io_context *                     |
 * |  2088 |    8 | capture_control                struct capture_control *                |
 * |  2096 |    8 | ptrace_message                 long unsigned int                       |
 * |  2104 |    8 | last_siginfo                   kernel_siginfo_t *                      |
 * +=======+======+ cacheline 33 (2112 bytes) =============================================+
 * |  2112 |   56 | ioac                           struct task_io_accounting               |
 * |  2168 |    8 | acct_rss_mem1                  u64                                     |
 * +=======+======+ cacheline 34 (2176 bytes) =============================================+
 * |  2176 |    8 | acct_vm_mem1                   u64                                     |
 * |  2184 |    8 | acct_timexpd                   u64                                     |
 * |  2192 |    8 | mems_allowed                   nodemask_t                              |
 * |  2200 |    4 | mems_allowed_seq               seqcount_spinlock_t                     |
 * |  2204 |    4 | cpuset_mem_spread_rotor        int                                     |
 * |  2208 |    4 | cpuset_slab_spread_rotor       int                                     |
 * |  2216 |    8 | cgroups                        struct css_set *                        |
 * |  2224 |   16 | cg_list                        struct list_head                        |
 * +=======+======+ cacheline 35 (2240 bytes) =============================================+
 * |  2240 |    8 | robust_list                    struct robust_list_head *               |
 * |  2248 |    8 | compat_robust_list             struct compat_robust_list_head *        |
 * |  2256 |   16 | pi_state_list                  struct list_head                        |
 * |  2272 |    8 | pi_state_cache                 struct futex_pi_state *                 |
 * |  2280 |   32 | futex_exit_mutex               struct mutex                            |
 * +=======+======+ cacheline 36 (2304 bytes) =============================================+
 * |  2312 |    4 | futex_state                    unsigned int                            |
 * |  2320 |   16 | perf_event_ctxp                struct perf_event_context *[2]          |
 * |  2336 |   32 | perf_event_mutex               struct mutex                            |
 * +=======+======+ cacheline 37 (2368 bytes) =============================================+
 * |  2368 |   16 | perf_event_list                struct list_head                        |
 * |  2384 |    8 | mempolicy                      struct mempolicy *                      |
 * |  2392 |    2 | il_prev                        short int                               |
 * |  2394 |    2 | pref_node_fork                 short int                               |
 * |  2400 |    8 | rseq                           struct rseq *                           |
 * |  2408 |    4 | rseq_sig                       u32                                     |
 * |  2416 |    8 | rseq_event_mask                long unsigned int                       |
 * |  2424 |   16 | tlb_ubc                        struct tlbflush_unmap_batch             |
 * +=======+======+ cacheline 38 (2432 bytes) =============================================+
 * |  2440 |   16 | {anon union @2440}             union {anon}                            |
 * |  2440 |    4 |   rcu_users                    refcount_t                              |
 * |  2440 |   16 |   rcu                          struct callback_head                    |
 * |  2456 |    8 | splice_pipe                    struct pipe_inode_info *                |
 * |  2464 |   16 | task_frag                      struct page_frag                        |
 * |  2480 |    8 | delays                         struct task_delay_info *                |
 * |  2488 |    4 | nr_dirtied                     int                                     |
 * |  2492 |    4 | nr_dirtied_pause               int                                     |
 * +=======+======+ cacheline 39 (2496 bytes) =============================================+
 * |  2496 |    8 | dirty_paused_when              long unsigned int                       |
 * |  2504 |    8 | timer_slack_ns                 u64                                     |
 * |  2512 |    8 | default_timer_slack_ns         u64                                     |
 * |  2520 |    8 | trace                          long unsigned int                       |
 * |  2528 |    8 | trace_recursion                long unsigned int                       |
 * |  2536 |    8 | memcg_in_oom                   struct mem_cgroup *                     |
 * |  2544 |    4 | memcg_oom_gfp_mask             gfp_t                                   |
 * |  2548 |    4 | memcg_oom_order                int                                     |
 * |  2552 |    4 | memcg_nr_pages_over_high       unsigned int                            |
 * +=======+======+ cacheline 40 (2560 bytes) =============================================+
 * |  2560 |    8 | active_memcg                   struct mem_cgroup *                     |
 * |  2568 |    8 | utask                          struct uprobe_task *                    |
 * |  2576 |    0 | kmap_ctrl                      struct kmap_ctrl                        |
 * |  2576 |    4 | pagefault_disabled             int                                     |
 * |  2584 |    8 | oom_reaper_list                struct task_struct *                    |
 * |  2592 |    8 | stack_vm_area                  struct vm_struct *                      |
 * |  2600 |    4 | stack_refcount                 refcount_t                              |
 * |  2608 |    8 | security                       void *                                  |
 * |  2616 |    8 | mce_vaddr                      void *                                  |
 * +=======+======+ cacheline 41 (2624 bytes) =============================================+
 * |  2624 |    8 | mce_kflags                     __u64                                   |
 * |  2632 |    8 | mce_addr                       u64                                     |
 * | 2640.0 |   :1 | mce_ripv                       __u64                                   |
 * | 2640.1 |   :1 | mce_whole_page                 __u64                                   |
 * | 2640.2 |  :62 | __mce_reserved                 __u64                                   |
 * |  2648 |   16 | mce_kill_me                    struct callback_head                    |
 * |  2664 |    8 | kretprobe_instances            struct llist_head                       |
 * +=======+======+ cacheline 42 (2688 bytes) =============================================+
 * |  2688 | 4352 | thread                         struct thread_struct                    |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 7040, alignof 64
 * </pre>
 */
public final class TaskStruct {
    /** The engine's layout of {@code struct task_struct}. */
    public static final StructLayout LAYOUT = Struct.named("task_struct")
        .field("thread_info", ThreadInfo.LAYOUT)
        .field("state", CTypes.alias("volatile long int", CTypes.LONG))
        .field("stack", CTypes.VOID_PTR)
        .field("usage", CTypes.REFCOUNT_T)
        .field("flags", CTypes.UINT)
        .field("ptrace", CTypes.UINT)
        .field("on_cpu", CTypes.INT)
        .field("wake_entry", CallSingleNode.LAYOUT)
        .field("cpu", CTypes.UINT)
        .field("wakee_flips", CTypes.UINT)
        .field("wakee_flip_decay_ts", CTypes.ULONG)
        .field("last_wakee", CTypes.ptr("struct task_struct *"))
        .field("recent_used_cpu", CTypes.INT)
        .field("wake_cpu", CTypes.INT)
        .field("on_rq", CTypes.INT)
        .field("prio", CTypes.INT)
        .field("static_prio", CTypes.INT)
        .field("normal_prio", CTypes.INT)
        .field("rt_priority", CTypes.UINT)
        .field("sched_class", CTypes.ptr("const struct sched_class *"))
        .field("se", SchedEntity.LAYOUT)
        .field("rt", SchedRtEntity.LAYOUT)
        .field("sched_task_group", CTypes.ptr("struct task_group *"))
        .field("dl", SchedDlEntity.LAYOUT)
        .field("btrace_seq", CTypes.UINT)
        .field("policy", CTypes.UINT)
        .field("nr_cpus_allowed", CTypes.INT)
        .field("cpus_ptr", CTypes.ptr("const cpumask_t *"))
        .field("cpus_mask", CTypes.CPUMASK_T)
        .field("migration_pending", CTypes.VOID_PTR)
        .field("migration_disabled", CTypes.USHORT)
        .field("migration_flags", CTypes.USHORT)
        .field("sched_info", SchedInfo.LAYOUT)
        .field("tasks", ListHead.LAYOUT)
        .field("pushable_tasks", PlistNode.LAYOUT)
        .field("pushable_dl_tasks", RbNode.LAYOUT)
        .field("mm", CTypes.ptr("struct mm_struct *"))
        .field("active_mm", CTypes.ptr("struct mm_struct *"))
        .field("vmacache", Vmacache.LAYOUT)
        .field("rss_stat", TaskRssStat.LAYOUT)
        .field("exit_state", CTypes.INT)
        .field("exit_code", CTypes.INT)
        .field("exit_signal", CTypes.INT)
        .field("pdeath_signal", CTypes.INT)
        .field("jobctl", CTypes.ULONG)
        .field("personality", CTypes.UINT)
        .bitfield("sched_reset_on_fork", CTypes.UINT, 1)
        .bitfield("sched_contributes_to_load", CTypes.UINT, 1)
        .bitfield("sched_migrated", CTypes.UINT, 1)
        .unnamedBitfield(CTypes.UINT, 0)
        .bitfield("sched_remote_wakeup", CTypes.UINT, 1)
        .bitfield("in_execve", CTypes.UINT, 1)
        .bitfield("in_iowait", CTypes.UINT, 1)
        .bitfield("restore_sigmask", CTypes.UINT, 1)
        .bitfield("in_user_fault", CTypes.UINT, 1)
        .bitfield("no_cgroup_migration", CTypes.UINT, 1)
        .bitfield("frozen", CTypes.UINT, 1)
        .field("atomic_flags", CTypes.ULONG)
        .field("restart_block", RestartBlock.LAYOUT)
        .field("pid", CTypes.PID_T)
        .field("tgid", CTypes.PID_T)
        .field("stack_canary", CTypes.ULONG)
        .field("real_parent", CTypes.ptr("struct task_struct *"))
        .field("parent", CTypes.ptr("struct task_struct *"))
        .field("children", ListHead.LAYOUT)
        .field("sibling", ListHead.LAYOUT)
        .field("group_leader", CTypes.ptr("struct task_struct *"))
        .field("ptraced", ListHead.LAYOUT)
        .field("ptrace_entry", ListHead.LAYOUT)
        .field("thread_pid", CTypes.ptr("struct pid *"))
        .array("pid_links", HlistNode.LAYOUT, 4)
        .field("thread_group", ListHead.LAYOUT)
        .field("thread_node", ListHead.LAYOUT)
        .field("vfork_done", CTypes.ptr("struct completion *"))
        .field("set_child_tid", CTypes.ptr("int *"))
        .field("clear_child_tid", CTypes.ptr("int *"))
        .field("pf_io_worker", CTypes.VOID_PTR)
        .field("utime", CTypes.U64)
        .field("stime", CTypes.U64)
        .field("gtime", CTypes.U64)
        .field("prev_cputime", PrevCputime.LAYOUT)
        .field("nvcsw", CTypes.ULONG)
        .field("nivcsw", CTypes.ULONG)
        .field("start_time", CTypes.U64)
        .field("start_boottime", CTypes.U64)
        .field("min_flt", CTypes.ULONG)
        .field("maj_flt", CTypes.ULONG)
        .field("posix_cputimers", PosixCputimers.LAYOUT)
        .field("posix_cputimers_work", OpaqueTypes.POSIX_CPUTIMERS_WORK)
        .field("ptracer_cred", CTypes.ptr("const struct cred *"))
        .field("real_cred", CTypes.ptr("const struct cred *"))
        .field("cred", CTypes.ptr("const struct cred *"))
        .field("cached_requested_key", CTypes.ptr("struct key *"))
        .array("comm", CTypes.CHAR, 16)
        .field("nameidata", CTypes.ptr("struct nameidata *"))
        .field("sysvsem", OpaqueTypes.SYSV_SEM)
        .field("sysvshm", OpaqueTypes.SYSV_SHM)
        .field("fs", CTypes.ptr("struct fs_struct *"))
        .field("files", CTypes.ptr("struct files_struct *"))
        .field("io_uring", CTypes.ptr("struct io_uring_task *"))
        .field("nsproxy", CTypes.ptr("struct nsproxy *"))
        .field("signal", CTypes.ptr("struct signal_struct *"))
        .field("sighand", CTypes.ptr("struct sighand_struct *"))
        .field("blocked", CTypes.SIGSET_T)
        .field("real_blocked", CTypes.SIGSET_T)
        .field("saved_sigmask", CTypes.SIGSET_T)
        .field("pending", Sigpending.LAYOUT)
        .field("sas_ss_sp", CTypes.ULONG)
        .field("sas_ss_size", CTypes.SIZE_T)
        .field("sas_ss_flags", CTypes.UINT)
        .field("task_works", CTypes.ptr("struct callback_head *"))
        .field("audit_context", CTypes.ptr("struct audit_context *"))
        .field("loginuid", CTypes.KUID_T)
        .field("sessionid", CTypes.UINT)
        .field("seccomp", Seccomp.LAYOUT)
        .field("syscall_dispatch", OpaqueTypes.SYSCALL_USER_DISPATCH)
        .field("parent_exec_id", CTypes.U64)
        .field("self_exec_id", CTypes.U64)
        .field("alloc_lock", CTypes.SPINLOCK_T)
        .field("pi_lock", CTypes.RAW_SPINLOCK_T)
        .field("wake_q", WakeQNode.LAYOUT)
        .field("pi_waiters", RbRootCached.LAYOUT)
        .field("pi_top_task", CTypes.ptr("struct task_struct *"))
        .field("pi_blocked_on", CTypes.ptr("struct rt_mutex_waiter *"))
        .field("journal_info", CTypes.VOID_PTR)
        .field("bio_list", CTypes.ptr("struct bio_list *"))
        .field("plug", CTypes.ptr("struct blk_plug *"))
        .field("reclaim_state", CTypes.ptr("struct reclaim_state *"))
        .field("backing_dev_info", CTypes.ptr("struct backing_dev_info *"))
        .field("io_context", CTypes.ptr("struct io_context *"))
        .field("capture_control", CTypes.ptr("struct capture_control *"))
        .field("ptrace_message", CTypes.ULONG)
        .field("last_siginfo", CTypes.ptr("kernel_siginfo_t *"))
        .field("ioac", TaskIoAccounting.LAYOUT)
        .field("acct_rss_mem1", CTypes.U64)
        .field("acct_vm_mem1", CTypes.U64)
        .field("acct_timexpd", CTypes.U64)
        .field("mems_allowed", CTypes.NODEMASK_T)
        .field("mems_allowed_seq", CTypes.SEQCOUNT_SPINLOCK_T)
        .field("cpuset_mem_spread_rotor", CTypes.INT)
        .field("cpuset_slab_spread_rotor", CTypes.INT)
        .field("cgroups", CTypes.ptr("struct css_set *"))
        .field("cg_list", ListHead.LAYOUT)
        .field("robust_list", CTypes.ptr("struct robust_list_head *"))
        .field("compat_robust_list", CTypes.ptr("struct compat_robust_list_head *"))
        .field("pi_state_list", ListHead.LAYOUT)
        .field("pi_state_cache", CTypes.ptr("struct futex_pi_state *"))
        .field("futex_exit_mutex", Mutex.LAYOUT)
        .field("futex_state", CTypes.UINT)
        .array("perf_event_ctxp", CTypes.ptr("struct perf_event_context *"), 2)
        .field("perf_event_mutex", Mutex.LAYOUT)
        .field("perf_event_list", ListHead.LAYOUT)
        .field("mempolicy", CTypes.ptr("struct mempolicy *"))
        .field("il_prev", CTypes.SHORT)
        .field("pref_node_fork", CTypes.SHORT)
        .field("rseq", CTypes.ptr("struct rseq *"))
        .field("rseq_sig", CTypes.U32)
        .field("rseq_event_mask", CTypes.ULONG)
        .field("tlb_ubc", OpaqueTypes.TLBFLUSH_UNMAP_BATCH)
        .anonymous(Union.anonymous()
                .field("rcu_users", CTypes.REFCOUNT_T)
                .field("rcu", CallbackHead.LAYOUT)
                .build())
        .field("splice_pipe", CTypes.ptr("struct pipe_inode_info *"))
        .field("task_frag", PageFrag.LAYOUT)
        .field("delays", CTypes.ptr("struct task_delay_info *"))
        .field("nr_dirtied", CTypes.INT)
        .field("nr_dirtied_pause", CTypes.INT)
        .field("dirty_paused_when", CTypes.ULONG)
        .field("timer_slack_ns", CTypes.U64)
        .field("default_timer_slack_ns", CTypes.U64)
        .field("trace", CTypes.ULONG)
        .field("trace_recursion", CTypes.ULONG)
        .field("memcg_in_oom", CTypes.ptr("struct mem_cgroup *"))
        .field("memcg_oom_gfp_mask", CTypes.GFP_T)
        .field("memcg_oom_order", CTypes.INT)
        .field("memcg_nr_pages_over_high", CTypes.UINT)
        .field("active_memcg", CTypes.ptr("struct mem_cgroup *"))
        .field("utask", CTypes.ptr("struct uprobe_task *"))
        .field("kmap_ctrl", OpaqueTypes.KMAP_CTRL)
        .field("pagefault_disabled", CTypes.INT)
        .field("oom_reaper_list", CTypes.ptr("struct task_struct *"))
        .field("stack_vm_area", CTypes.ptr("struct vm_struct *"))
        .field("stack_refcount", CTypes.REFCOUNT_T)
        .field("security", CTypes.VOID_PTR)
        .field("mce_vaddr", CTypes.VOID_PTR)
        .field("mce_kflags", CTypes.UAPI_U64)
        .field("mce_addr", CTypes.U64)
        .bitfield("mce_ripv", CTypes.UAPI_U64, 1)
        .bitfield("mce_whole_page", CTypes.UAPI_U64, 1)
        .bitfield("__mce_reserved", CTypes.UAPI_U64, 62)
        .field("mce_kill_me", CallbackHead.LAYOUT)
        .field("kretprobe_instances", OpaqueTypes.LLIST_HEAD)
        .field("thread", ThreadStruct.LAYOUT)
        .build();

    /** sizeof(struct task_struct): 7040. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct task_struct): 64. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct thread_info thread_info;} at offset 0 (24 bytes). */
    public static final long THREAD_INFO = LAYOUT.offsetOf("thread_info");

    /** {@code volatile long int state;} at offset 24 (8 bytes). */
    public static final long STATE = LAYOUT.offsetOf("state");

    /** {@code void * stack;} at offset 32 (8 bytes). */
    public static final long STACK = LAYOUT.offsetOf("stack");

    /** {@code refcount_t usage;} at offset 40 (4 bytes). */
    public static final long USAGE = LAYOUT.offsetOf("usage");

    /** {@code unsigned int flags;} at offset 44 (4 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    /** {@code unsigned int ptrace;} at offset 48 (4 bytes). */
    public static final long PTRACE = LAYOUT.offsetOf("ptrace");

    /** {@code int on_cpu;} at offset 52 (4 bytes). */
    public static final long ON_CPU = LAYOUT.offsetOf("on_cpu");

    /** {@code struct __call_single_node wake_entry;} at offset 56 (16 bytes). */
    public static final long WAKE_ENTRY = LAYOUT.offsetOf("wake_entry");

    /** {@code unsigned int cpu;} at offset 72 (4 bytes). */
    public static final long CPU = LAYOUT.offsetOf("cpu");

    /** {@code unsigned int wakee_flips;} at offset 76 (4 bytes). */
    public static final long WAKEE_FLIPS = LAYOUT.offsetOf("wakee_flips");

    /** {@code long unsigned int wakee_flip_decay_ts;} at offset 80 (8 bytes). */
    public static final long WAKEE_FLIP_DECAY_TS = LAYOUT.offsetOf("wakee_flip_decay_ts");

    /** {@code struct task_struct * last_wakee;} at offset 88 (8 bytes). */
    public static final long LAST_WAKEE = LAYOUT.offsetOf("last_wakee");

    /** {@code int recent_used_cpu;} at offset 96 (4 bytes). */
    public static final long RECENT_USED_CPU = LAYOUT.offsetOf("recent_used_cpu");

    /** {@code int wake_cpu;} at offset 100 (4 bytes). */
    public static final long WAKE_CPU = LAYOUT.offsetOf("wake_cpu");

    /** {@code int on_rq;} at offset 104 (4 bytes). */
    public static final long ON_RQ = LAYOUT.offsetOf("on_rq");

    /** {@code int prio;} at offset 108 (4 bytes). */
    public static final long PRIO = LAYOUT.offsetOf("prio");

    /** {@code int static_prio;} at offset 112 (4 bytes). */
    public static final long STATIC_PRIO = LAYOUT.offsetOf("static_prio");

    /** {@code int normal_prio;} at offset 116 (4 bytes). */
    public static final long NORMAL_PRIO = LAYOUT.offsetOf("normal_prio");

    /** {@code unsigned int rt_priority;} at offset 120 (4 bytes). */
    public static final long RT_PRIORITY = LAYOUT.offsetOf("rt_priority");

    /** {@code const struct sched_class * sched_class;} at offset 128 (8 bytes). */
    public static final long SCHED_CLASS = LAYOUT.offsetOf("sched_class");

    /** {@code struct sched_entity se;} at offset 192 (448 bytes). */
    public static final long SE = LAYOUT.offsetOf("se");

    /** {@code struct sched_rt_entity rt;} at offset 640 (48 bytes). */
    public static final long RT = LAYOUT.offsetOf("rt");

    /** {@code struct task_group * sched_task_group;} at offset 688 (8 bytes). */
    public static final long SCHED_TASK_GROUP = LAYOUT.offsetOf("sched_task_group");

    /** {@code struct sched_dl_entity dl;} at offset 696 (224 bytes). */
    public static final long DL = LAYOUT.offsetOf("dl");

    /** {@code unsigned int btrace_seq;} at offset 920 (4 bytes). */
    public static final long BTRACE_SEQ = LAYOUT.offsetOf("btrace_seq");

    /** {@code unsigned int policy;} at offset 924 (4 bytes). */
    public static final long POLICY = LAYOUT.offsetOf("policy");

    /** {@code int nr_cpus_allowed;} at offset 928 (4 bytes). */
    public static final long NR_CPUS_ALLOWED = LAYOUT.offsetOf("nr_cpus_allowed");

    /** {@code const cpumask_t * cpus_ptr;} at offset 936 (8 bytes). */
    public static final long CPUS_PTR = LAYOUT.offsetOf("cpus_ptr");

    /** {@code cpumask_t cpus_mask;} at offset 944 (8 bytes). */
    public static final long CPUS_MASK = LAYOUT.offsetOf("cpus_mask");

    /** {@code void * migration_pending;} at offset 952 (8 bytes). */
    public static final long MIGRATION_PENDING = LAYOUT.offsetOf("migration_pending");

    /** {@code short unsigned int migration_disabled;} at offset 960 (2 bytes). */
    public static final long MIGRATION_DISABLED = LAYOUT.offsetOf("migration_disabled");

    /** {@code short unsigned int migration_flags;} at offset 962 (2 bytes). */
    public static final long MIGRATION_FLAGS = LAYOUT.offsetOf("migration_flags");

    /** {@code struct sched_info sched_info;} at offset 968 (32 bytes). */
    public static final long SCHED_INFO = LAYOUT.offsetOf("sched_info");

    /** {@code struct list_head tasks;} at offset 1000 (16 bytes). */
    public static final long TASKS = LAYOUT.offsetOf("tasks");

    /** {@code struct plist_node pushable_tasks;} at offset 1016 (40 bytes). */
    public static final long PUSHABLE_TASKS = LAYOUT.offsetOf("pushable_tasks");

    /** {@code struct rb_node pushable_dl_tasks;} at offset 1056 (24 bytes). */
    public static final long PUSHABLE_DL_TASKS = LAYOUT.offsetOf("pushable_dl_tasks");

    /** {@code struct mm_struct * mm;} at offset 1080 (8 bytes). */
    public static final long MM = LAYOUT.offsetOf("mm");

    /** {@code struct mm_struct * active_mm;} at offset 1088 (8 bytes). */
    public static final long ACTIVE_MM = LAYOUT.offsetOf("active_mm");

    /** {@code struct vmacache vmacache;} at offset 1096 (40 bytes). */
    public static final long VMACACHE = LAYOUT.offsetOf("vmacache");

    /** {@code struct task_rss_stat rss_stat;} at offset 1136 (20 bytes). */
    public static final long RSS_STAT = LAYOUT.offsetOf("rss_stat");

    /** {@code int exit_state;} at offset 1156 (4 bytes). */
    public static final long EXIT_STATE = LAYOUT.offsetOf("exit_state");

    /** {@code int exit_code;} at offset 1160 (4 bytes). */
    public static final long EXIT_CODE = LAYOUT.offsetOf("exit_code");

    /** {@code int exit_signal;} at offset 1164 (4 bytes). */
    public static final long EXIT_SIGNAL = LAYOUT.offsetOf("exit_signal");

    /** {@code int pdeath_signal;} at offset 1168 (4 bytes). */
    public static final long PDEATH_SIGNAL = LAYOUT.offsetOf("pdeath_signal");

    /** {@code long unsigned int jobctl;} at offset 1176 (8 bytes). */
    public static final long JOBCTL = LAYOUT.offsetOf("jobctl");

    /** {@code unsigned int personality;} at offset 1184 (4 bytes). */
    public static final long PERSONALITY = LAYOUT.offsetOf("personality");

    /** {@code unsigned int sched_reset_on_fork : 1;} bit offset from the start of the struct (9504: byte 1188 bit 0). */
    public static final long SCHED_RESET_ON_FORK_BIT = LAYOUT.bitOffsetOf("sched_reset_on_fork");
    /** {@code unsigned int sched_reset_on_fork : 1;} width in bits. */
    public static final int SCHED_RESET_ON_FORK_WIDTH = LAYOUT.bitWidthOf("sched_reset_on_fork");

    /** {@code unsigned int sched_contributes_to_load : 1;} bit offset from the start of the struct (9505: byte 1188 bit 1). */
    public static final long SCHED_CONTRIBUTES_TO_LOAD_BIT = LAYOUT.bitOffsetOf("sched_contributes_to_load");
    /** {@code unsigned int sched_contributes_to_load : 1;} width in bits. */
    public static final int SCHED_CONTRIBUTES_TO_LOAD_WIDTH = LAYOUT.bitWidthOf("sched_contributes_to_load");

    /** {@code unsigned int sched_migrated : 1;} bit offset from the start of the struct (9506: byte 1188 bit 2). */
    public static final long SCHED_MIGRATED_BIT = LAYOUT.bitOffsetOf("sched_migrated");
    /** {@code unsigned int sched_migrated : 1;} width in bits. */
    public static final int SCHED_MIGRATED_WIDTH = LAYOUT.bitWidthOf("sched_migrated");

    /** {@code unsigned int sched_remote_wakeup : 1;} bit offset from the start of the struct (9536: byte 1192 bit 0). */
    public static final long SCHED_REMOTE_WAKEUP_BIT = LAYOUT.bitOffsetOf("sched_remote_wakeup");
    /** {@code unsigned int sched_remote_wakeup : 1;} width in bits. */
    public static final int SCHED_REMOTE_WAKEUP_WIDTH = LAYOUT.bitWidthOf("sched_remote_wakeup");

    /** {@code unsigned int in_execve : 1;} bit offset from the start of the struct (9537: byte 1192 bit 1). */
    public static final long IN_EXECVE_BIT = LAYOUT.bitOffsetOf("in_execve");
    /** {@code unsigned int in_execve : 1;} width in bits. */
    public static final int IN_EXECVE_WIDTH = LAYOUT.bitWidthOf("in_execve");

    /** {@code unsigned int in_iowait : 1;} bit offset from the start of the struct (9538: byte 1192 bit 2). */
    public static final long IN_IOWAIT_BIT = LAYOUT.bitOffsetOf("in_iowait");
    /** {@code unsigned int in_iowait : 1;} width in bits. */
    public static final int IN_IOWAIT_WIDTH = LAYOUT.bitWidthOf("in_iowait");

    /** {@code unsigned int restore_sigmask : 1;} bit offset from the start of the struct (9539: byte 1192 bit 3). */
    public static final long RESTORE_SIGMASK_BIT = LAYOUT.bitOffsetOf("restore_sigmask");
    /** {@code unsigned int restore_sigmask : 1;} width in bits. */
    public static final int RESTORE_SIGMASK_WIDTH = LAYOUT.bitWidthOf("restore_sigmask");

    /** {@code unsigned int in_user_fault : 1;} bit offset from the start of the struct (9540: byte 1192 bit 4). */
    public static final long IN_USER_FAULT_BIT = LAYOUT.bitOffsetOf("in_user_fault");
    /** {@code unsigned int in_user_fault : 1;} width in bits. */
    public static final int IN_USER_FAULT_WIDTH = LAYOUT.bitWidthOf("in_user_fault");

    /** {@code unsigned int no_cgroup_migration : 1;} bit offset from the start of the struct (9541: byte 1192 bit 5). */
    public static final long NO_CGROUP_MIGRATION_BIT = LAYOUT.bitOffsetOf("no_cgroup_migration");
    /** {@code unsigned int no_cgroup_migration : 1;} width in bits. */
    public static final int NO_CGROUP_MIGRATION_WIDTH = LAYOUT.bitWidthOf("no_cgroup_migration");

    /** {@code unsigned int frozen : 1;} bit offset from the start of the struct (9542: byte 1192 bit 6). */
    public static final long FROZEN_BIT = LAYOUT.bitOffsetOf("frozen");
    /** {@code unsigned int frozen : 1;} width in bits. */
    public static final int FROZEN_WIDTH = LAYOUT.bitWidthOf("frozen");

    /** {@code long unsigned int atomic_flags;} at offset 1200 (8 bytes). */
    public static final long ATOMIC_FLAGS = LAYOUT.offsetOf("atomic_flags");

    /** {@code struct restart_block restart_block;} at offset 1208 (56 bytes). */
    public static final long RESTART_BLOCK = LAYOUT.offsetOf("restart_block");

    /** {@code pid_t pid;} at offset 1264 (4 bytes). */
    public static final long PID = LAYOUT.offsetOf("pid");

    /** {@code pid_t tgid;} at offset 1268 (4 bytes). */
    public static final long TGID = LAYOUT.offsetOf("tgid");

    /** {@code long unsigned int stack_canary;} at offset 1272 (8 bytes). */
    public static final long STACK_CANARY = LAYOUT.offsetOf("stack_canary");

    /** {@code struct task_struct * real_parent;} at offset 1280 (8 bytes). */
    public static final long REAL_PARENT = LAYOUT.offsetOf("real_parent");

    /** {@code struct task_struct * parent;} at offset 1288 (8 bytes). */
    public static final long PARENT = LAYOUT.offsetOf("parent");

    /** {@code struct list_head children;} at offset 1296 (16 bytes). */
    public static final long CHILDREN = LAYOUT.offsetOf("children");

    /** {@code struct list_head sibling;} at offset 1312 (16 bytes). */
    public static final long SIBLING = LAYOUT.offsetOf("sibling");

    /** {@code struct task_struct * group_leader;} at offset 1328 (8 bytes). */
    public static final long GROUP_LEADER = LAYOUT.offsetOf("group_leader");

    /** {@code struct list_head ptraced;} at offset 1336 (16 bytes). */
    public static final long PTRACED = LAYOUT.offsetOf("ptraced");

    /** {@code struct list_head ptrace_entry;} at offset 1352 (16 bytes). */
    public static final long PTRACE_ENTRY = LAYOUT.offsetOf("ptrace_entry");

    /** {@code struct pid * thread_pid;} at offset 1368 (8 bytes). */
    public static final long THREAD_PID = LAYOUT.offsetOf("thread_pid");

    /** {@code struct hlist_node pid_links[4];} at offset 1376 (64 bytes). */
    public static final long PID_LINKS = LAYOUT.offsetOf("pid_links");

    /** {@code struct list_head thread_group;} at offset 1440 (16 bytes). */
    public static final long THREAD_GROUP = LAYOUT.offsetOf("thread_group");

    /** {@code struct list_head thread_node;} at offset 1456 (16 bytes). */
    public static final long THREAD_NODE = LAYOUT.offsetOf("thread_node");

    /** {@code struct completion * vfork_done;} at offset 1472 (8 bytes). */
    public static final long VFORK_DONE = LAYOUT.offsetOf("vfork_done");

    /** {@code int * set_child_tid;} at offset 1480 (8 bytes). */
    public static final long SET_CHILD_TID = LAYOUT.offsetOf("set_child_tid");

    /** {@code int * clear_child_tid;} at offset 1488 (8 bytes). */
    public static final long CLEAR_CHILD_TID = LAYOUT.offsetOf("clear_child_tid");

    /** {@code void * pf_io_worker;} at offset 1496 (8 bytes). */
    public static final long PF_IO_WORKER = LAYOUT.offsetOf("pf_io_worker");

    /** {@code u64 utime;} at offset 1504 (8 bytes). */
    public static final long UTIME = LAYOUT.offsetOf("utime");

    /** {@code u64 stime;} at offset 1512 (8 bytes). */
    public static final long STIME = LAYOUT.offsetOf("stime");

    /** {@code u64 gtime;} at offset 1520 (8 bytes). */
    public static final long GTIME = LAYOUT.offsetOf("gtime");

    /** {@code struct prev_cputime prev_cputime;} at offset 1528 (24 bytes). */
    public static final long PREV_CPUTIME = LAYOUT.offsetOf("prev_cputime");

    /** {@code long unsigned int nvcsw;} at offset 1552 (8 bytes). */
    public static final long NVCSW = LAYOUT.offsetOf("nvcsw");

    /** {@code long unsigned int nivcsw;} at offset 1560 (8 bytes). */
    public static final long NIVCSW = LAYOUT.offsetOf("nivcsw");

    /** {@code u64 start_time;} at offset 1568 (8 bytes). */
    public static final long START_TIME = LAYOUT.offsetOf("start_time");

    /** {@code u64 start_boottime;} at offset 1576 (8 bytes). */
    public static final long START_BOOTTIME = LAYOUT.offsetOf("start_boottime");

    /** {@code long unsigned int min_flt;} at offset 1584 (8 bytes). */
    public static final long MIN_FLT = LAYOUT.offsetOf("min_flt");

    /** {@code long unsigned int maj_flt;} at offset 1592 (8 bytes). */
    public static final long MAJ_FLT = LAYOUT.offsetOf("maj_flt");

    /** {@code struct posix_cputimers posix_cputimers;} at offset 1600 (80 bytes). */
    public static final long POSIX_CPUTIMERS = LAYOUT.offsetOf("posix_cputimers");

    /** {@code struct posix_cputimers_work posix_cputimers_work;} at offset 1680 (24 bytes). */
    public static final long POSIX_CPUTIMERS_WORK = LAYOUT.offsetOf("posix_cputimers_work");

    /** {@code const struct cred * ptracer_cred;} at offset 1704 (8 bytes). */
    public static final long PTRACER_CRED = LAYOUT.offsetOf("ptracer_cred");

    /** {@code const struct cred * real_cred;} at offset 1712 (8 bytes). */
    public static final long REAL_CRED = LAYOUT.offsetOf("real_cred");

    /** {@code const struct cred * cred;} at offset 1720 (8 bytes). */
    public static final long CRED = LAYOUT.offsetOf("cred");

    /** {@code struct key * cached_requested_key;} at offset 1728 (8 bytes). */
    public static final long CACHED_REQUESTED_KEY = LAYOUT.offsetOf("cached_requested_key");

    /** {@code char comm[16];} at offset 1736 (16 bytes). */
    public static final long COMM = LAYOUT.offsetOf("comm");

    /** {@code struct nameidata * nameidata;} at offset 1752 (8 bytes). */
    public static final long NAMEIDATA = LAYOUT.offsetOf("nameidata");

    /** {@code struct sysv_sem sysvsem;} at offset 1760 (8 bytes). */
    public static final long SYSVSEM = LAYOUT.offsetOf("sysvsem");

    /** {@code struct sysv_shm sysvshm;} at offset 1768 (16 bytes). */
    public static final long SYSVSHM = LAYOUT.offsetOf("sysvshm");

    /** {@code struct fs_struct * fs;} at offset 1784 (8 bytes). */
    public static final long FS = LAYOUT.offsetOf("fs");

    /** {@code struct files_struct * files;} at offset 1792 (8 bytes). */
    public static final long FILES = LAYOUT.offsetOf("files");

    /** {@code struct io_uring_task * io_uring;} at offset 1800 (8 bytes). */
    public static final long IO_URING = LAYOUT.offsetOf("io_uring");

    /** {@code struct nsproxy * nsproxy;} at offset 1808 (8 bytes). */
    public static final long NSPROXY = LAYOUT.offsetOf("nsproxy");

    /** {@code struct signal_struct * signal;} at offset 1816 (8 bytes). */
    public static final long SIGNAL = LAYOUT.offsetOf("signal");

    /** {@code struct sighand_struct * sighand;} at offset 1824 (8 bytes). */
    public static final long SIGHAND = LAYOUT.offsetOf("sighand");

    /** {@code sigset_t blocked;} at offset 1832 (8 bytes). */
    public static final long BLOCKED = LAYOUT.offsetOf("blocked");

    /** {@code sigset_t real_blocked;} at offset 1840 (8 bytes). */
    public static final long REAL_BLOCKED = LAYOUT.offsetOf("real_blocked");

    /** {@code sigset_t saved_sigmask;} at offset 1848 (8 bytes). */
    public static final long SAVED_SIGMASK = LAYOUT.offsetOf("saved_sigmask");

    /** {@code struct sigpending pending;} at offset 1856 (24 bytes). */
    public static final long PENDING = LAYOUT.offsetOf("pending");

    /** {@code long unsigned int sas_ss_sp;} at offset 1880 (8 bytes). */
    public static final long SAS_SS_SP = LAYOUT.offsetOf("sas_ss_sp");

    /** {@code size_t sas_ss_size;} at offset 1888 (8 bytes). */
    public static final long SAS_SS_SIZE = LAYOUT.offsetOf("sas_ss_size");

    /** {@code unsigned int sas_ss_flags;} at offset 1896 (4 bytes). */
    public static final long SAS_SS_FLAGS = LAYOUT.offsetOf("sas_ss_flags");

    /** {@code struct callback_head * task_works;} at offset 1904 (8 bytes). */
    public static final long TASK_WORKS = LAYOUT.offsetOf("task_works");

    /** {@code struct audit_context * audit_context;} at offset 1912 (8 bytes). */
    public static final long AUDIT_CONTEXT = LAYOUT.offsetOf("audit_context");

    /** {@code kuid_t loginuid;} at offset 1920 (4 bytes). */
    public static final long LOGINUID = LAYOUT.offsetOf("loginuid");

    /** {@code unsigned int sessionid;} at offset 1924 (4 bytes). */
    public static final long SESSIONID = LAYOUT.offsetOf("sessionid");

    /** {@code struct seccomp seccomp;} at offset 1928 (16 bytes). */
    public static final long SECCOMP = LAYOUT.offsetOf("seccomp");

    /** {@code struct syscall_user_dispatch syscall_dispatch;} at offset 1944 (32 bytes). */
    public static final long SYSCALL_DISPATCH = LAYOUT.offsetOf("syscall_dispatch");

    /** {@code u64 parent_exec_id;} at offset 1976 (8 bytes). */
    public static final long PARENT_EXEC_ID = LAYOUT.offsetOf("parent_exec_id");

    /** {@code u64 self_exec_id;} at offset 1984 (8 bytes). */
    public static final long SELF_EXEC_ID = LAYOUT.offsetOf("self_exec_id");

    /** {@code spinlock_t alloc_lock;} at offset 1992 (4 bytes). */
    public static final long ALLOC_LOCK = LAYOUT.offsetOf("alloc_lock");

    /** {@code raw_spinlock_t pi_lock;} at offset 1996 (4 bytes). */
    public static final long PI_LOCK = LAYOUT.offsetOf("pi_lock");

    /** {@code struct wake_q_node wake_q;} at offset 2000 (8 bytes). */
    public static final long WAKE_Q = LAYOUT.offsetOf("wake_q");

    /** {@code struct rb_root_cached pi_waiters;} at offset 2008 (16 bytes). */
    public static final long PI_WAITERS = LAYOUT.offsetOf("pi_waiters");

    /** {@code struct task_struct * pi_top_task;} at offset 2024 (8 bytes). */
    public static final long PI_TOP_TASK = LAYOUT.offsetOf("pi_top_task");

    /** {@code struct rt_mutex_waiter * pi_blocked_on;} at offset 2032 (8 bytes). */
    public static final long PI_BLOCKED_ON = LAYOUT.offsetOf("pi_blocked_on");

    /** {@code void * journal_info;} at offset 2040 (8 bytes). */
    public static final long JOURNAL_INFO = LAYOUT.offsetOf("journal_info");

    /** {@code struct bio_list * bio_list;} at offset 2048 (8 bytes). */
    public static final long BIO_LIST = LAYOUT.offsetOf("bio_list");

    /** {@code struct blk_plug * plug;} at offset 2056 (8 bytes). */
    public static final long PLUG = LAYOUT.offsetOf("plug");

    /** {@code struct reclaim_state * reclaim_state;} at offset 2064 (8 bytes). */
    public static final long RECLAIM_STATE = LAYOUT.offsetOf("reclaim_state");

    /** {@code struct backing_dev_info * backing_dev_info;} at offset 2072 (8 bytes). */
    public static final long BACKING_DEV_INFO = LAYOUT.offsetOf("backing_dev_info");

    /** {@code struct io_context * io_context;} at offset 2080 (8 bytes). */
    public static final long IO_CONTEXT = LAYOUT.offsetOf("io_context");

    /** {@code struct capture_control * capture_control;} at offset 2088 (8 bytes). */
    public static final long CAPTURE_CONTROL = LAYOUT.offsetOf("capture_control");

    /** {@code long unsigned int ptrace_message;} at offset 2096 (8 bytes). */
    public static final long PTRACE_MESSAGE = LAYOUT.offsetOf("ptrace_message");

    /** {@code kernel_siginfo_t * last_siginfo;} at offset 2104 (8 bytes). */
    public static final long LAST_SIGINFO = LAYOUT.offsetOf("last_siginfo");

    /** {@code struct task_io_accounting ioac;} at offset 2112 (56 bytes). */
    public static final long IOAC = LAYOUT.offsetOf("ioac");

    /** {@code u64 acct_rss_mem1;} at offset 2168 (8 bytes). */
    public static final long ACCT_RSS_MEM1 = LAYOUT.offsetOf("acct_rss_mem1");

    /** {@code u64 acct_vm_mem1;} at offset 2176 (8 bytes). */
    public static final long ACCT_VM_MEM1 = LAYOUT.offsetOf("acct_vm_mem1");

    /** {@code u64 acct_timexpd;} at offset 2184 (8 bytes). */
    public static final long ACCT_TIMEXPD = LAYOUT.offsetOf("acct_timexpd");

    /** {@code nodemask_t mems_allowed;} at offset 2192 (8 bytes). */
    public static final long MEMS_ALLOWED = LAYOUT.offsetOf("mems_allowed");

    /** {@code seqcount_spinlock_t mems_allowed_seq;} at offset 2200 (4 bytes). */
    public static final long MEMS_ALLOWED_SEQ = LAYOUT.offsetOf("mems_allowed_seq");

    /** {@code int cpuset_mem_spread_rotor;} at offset 2204 (4 bytes). */
    public static final long CPUSET_MEM_SPREAD_ROTOR = LAYOUT.offsetOf("cpuset_mem_spread_rotor");

    /** {@code int cpuset_slab_spread_rotor;} at offset 2208 (4 bytes). */
    public static final long CPUSET_SLAB_SPREAD_ROTOR = LAYOUT.offsetOf("cpuset_slab_spread_rotor");

    /** {@code struct css_set * cgroups;} at offset 2216 (8 bytes). */
    public static final long CGROUPS = LAYOUT.offsetOf("cgroups");

    /** {@code struct list_head cg_list;} at offset 2224 (16 bytes). */
    public static final long CG_LIST = LAYOUT.offsetOf("cg_list");

    /** {@code struct robust_list_head * robust_list;} at offset 2240 (8 bytes). */
    public static final long ROBUST_LIST = LAYOUT.offsetOf("robust_list");

    /** {@code struct compat_robust_list_head * compat_robust_list;} at offset 2248 (8 bytes). */
    public static final long COMPAT_ROBUST_LIST = LAYOUT.offsetOf("compat_robust_list");

    /** {@code struct list_head pi_state_list;} at offset 2256 (16 bytes). */
    public static final long PI_STATE_LIST = LAYOUT.offsetOf("pi_state_list");

    /** {@code struct futex_pi_state * pi_state_cache;} at offset 2272 (8 bytes). */
    public static final long PI_STATE_CACHE = LAYOUT.offsetOf("pi_state_cache");

    /** {@code struct mutex futex_exit_mutex;} at offset 2280 (32 bytes). */
    public static final long FUTEX_EXIT_MUTEX = LAYOUT.offsetOf("futex_exit_mutex");

    /** {@code unsigned int futex_state;} at offset 2312 (4 bytes). */
    public static final long FUTEX_STATE = LAYOUT.offsetOf("futex_state");

    /** {@code struct perf_event_context * perf_event_ctxp[2];} at offset 2320 (16 bytes). */
    public static final long PERF_EVENT_CTXP = LAYOUT.offsetOf("perf_event_ctxp");

    /** {@code struct mutex perf_event_mutex;} at offset 2336 (32 bytes). */
    public static final long PERF_EVENT_MUTEX = LAYOUT.offsetOf("perf_event_mutex");

    /** {@code struct list_head perf_event_list;} at offset 2368 (16 bytes). */
    public static final long PERF_EVENT_LIST = LAYOUT.offsetOf("perf_event_list");

    /** {@code struct mempolicy * mempolicy;} at offset 2384 (8 bytes). */
    public static final long MEMPOLICY = LAYOUT.offsetOf("mempolicy");

    /** {@code short int il_prev;} at offset 2392 (2 bytes). */
    public static final long IL_PREV = LAYOUT.offsetOf("il_prev");

    /** {@code short int pref_node_fork;} at offset 2394 (2 bytes). */
    public static final long PREF_NODE_FORK = LAYOUT.offsetOf("pref_node_fork");

    /** {@code struct rseq * rseq;} at offset 2400 (8 bytes). */
    public static final long RSEQ = LAYOUT.offsetOf("rseq");

    /** {@code u32 rseq_sig;} at offset 2408 (4 bytes). */
    public static final long RSEQ_SIG = LAYOUT.offsetOf("rseq_sig");

    /** {@code long unsigned int rseq_event_mask;} at offset 2416 (8 bytes). */
    public static final long RSEQ_EVENT_MASK = LAYOUT.offsetOf("rseq_event_mask");

    /** {@code struct tlbflush_unmap_batch tlb_ubc;} at offset 2424 (16 bytes). */
    public static final long TLB_UBC = LAYOUT.offsetOf("tlb_ubc");

    /** {@code refcount_t rcu_users;} at offset 2440 (4 bytes). */
    public static final long RCU_USERS = LAYOUT.offsetOf("rcu_users");

    /** {@code struct callback_head rcu;} at offset 2440 (16 bytes). */
    public static final long RCU = LAYOUT.offsetOf("rcu");

    /** {@code struct pipe_inode_info * splice_pipe;} at offset 2456 (8 bytes). */
    public static final long SPLICE_PIPE = LAYOUT.offsetOf("splice_pipe");

    /** {@code struct page_frag task_frag;} at offset 2464 (16 bytes). */
    public static final long TASK_FRAG = LAYOUT.offsetOf("task_frag");

    /** {@code struct task_delay_info * delays;} at offset 2480 (8 bytes). */
    public static final long DELAYS = LAYOUT.offsetOf("delays");

    /** {@code int nr_dirtied;} at offset 2488 (4 bytes). */
    public static final long NR_DIRTIED = LAYOUT.offsetOf("nr_dirtied");

    /** {@code int nr_dirtied_pause;} at offset 2492 (4 bytes). */
    public static final long NR_DIRTIED_PAUSE = LAYOUT.offsetOf("nr_dirtied_pause");

    /** {@code long unsigned int dirty_paused_when;} at offset 2496 (8 bytes). */
    public static final long DIRTY_PAUSED_WHEN = LAYOUT.offsetOf("dirty_paused_when");

    /** {@code u64 timer_slack_ns;} at offset 2504 (8 bytes). */
    public static final long TIMER_SLACK_NS = LAYOUT.offsetOf("timer_slack_ns");

    /** {@code u64 default_timer_slack_ns;} at offset 2512 (8 bytes). */
    public static final long DEFAULT_TIMER_SLACK_NS = LAYOUT.offsetOf("default_timer_slack_ns");

    /** {@code long unsigned int trace;} at offset 2520 (8 bytes). */
    public static final long TRACE = LAYOUT.offsetOf("trace");

    /** {@code long unsigned int trace_recursion;} at offset 2528 (8 bytes). */
    public static final long TRACE_RECURSION = LAYOUT.offsetOf("trace_recursion");

    /** {@code struct mem_cgroup * memcg_in_oom;} at offset 2536 (8 bytes). */
    public static final long MEMCG_IN_OOM = LAYOUT.offsetOf("memcg_in_oom");

    /** {@code gfp_t memcg_oom_gfp_mask;} at offset 2544 (4 bytes). */
    public static final long MEMCG_OOM_GFP_MASK = LAYOUT.offsetOf("memcg_oom_gfp_mask");

    /** {@code int memcg_oom_order;} at offset 2548 (4 bytes). */
    public static final long MEMCG_OOM_ORDER = LAYOUT.offsetOf("memcg_oom_order");

    /** {@code unsigned int memcg_nr_pages_over_high;} at offset 2552 (4 bytes). */
    public static final long MEMCG_NR_PAGES_OVER_HIGH = LAYOUT.offsetOf("memcg_nr_pages_over_high");

    /** {@code struct mem_cgroup * active_memcg;} at offset 2560 (8 bytes). */
    public static final long ACTIVE_MEMCG = LAYOUT.offsetOf("active_memcg");

    /** {@code struct uprobe_task * utask;} at offset 2568 (8 bytes). */
    public static final long UTASK = LAYOUT.offsetOf("utask");

    /** {@code struct kmap_ctrl kmap_ctrl;} at offset 2576 (0 bytes). */
    public static final long KMAP_CTRL = LAYOUT.offsetOf("kmap_ctrl");

    /** {@code int pagefault_disabled;} at offset 2576 (4 bytes). */
    public static final long PAGEFAULT_DISABLED = LAYOUT.offsetOf("pagefault_disabled");

    /** {@code struct task_struct * oom_reaper_list;} at offset 2584 (8 bytes). */
    public static final long OOM_REAPER_LIST = LAYOUT.offsetOf("oom_reaper_list");

    /** {@code struct vm_struct * stack_vm_area;} at offset 2592 (8 bytes). */
    public static final long STACK_VM_AREA = LAYOUT.offsetOf("stack_vm_area");

    /** {@code refcount_t stack_refcount;} at offset 2600 (4 bytes). */
    public static final long STACK_REFCOUNT = LAYOUT.offsetOf("stack_refcount");

    /** {@code void * security;} at offset 2608 (8 bytes). */
    public static final long SECURITY = LAYOUT.offsetOf("security");

    /** {@code void * mce_vaddr;} at offset 2616 (8 bytes). */
    public static final long MCE_VADDR = LAYOUT.offsetOf("mce_vaddr");

    /** {@code __u64 mce_kflags;} at offset 2624 (8 bytes). */
    public static final long MCE_KFLAGS = LAYOUT.offsetOf("mce_kflags");

    /** {@code u64 mce_addr;} at offset 2632 (8 bytes). */
    public static final long MCE_ADDR = LAYOUT.offsetOf("mce_addr");

    /** {@code __u64 mce_ripv : 1;} bit offset from the start of the struct (21120: byte 2640 bit 0). */
    public static final long MCE_RIPV_BIT = LAYOUT.bitOffsetOf("mce_ripv");
    /** {@code __u64 mce_ripv : 1;} width in bits. */
    public static final int MCE_RIPV_WIDTH = LAYOUT.bitWidthOf("mce_ripv");

    /** {@code __u64 mce_whole_page : 1;} bit offset from the start of the struct (21121: byte 2640 bit 1). */
    public static final long MCE_WHOLE_PAGE_BIT = LAYOUT.bitOffsetOf("mce_whole_page");
    /** {@code __u64 mce_whole_page : 1;} width in bits. */
    public static final int MCE_WHOLE_PAGE_WIDTH = LAYOUT.bitWidthOf("mce_whole_page");

    /** {@code __u64 __mce_reserved : 62;} bit offset from the start of the struct (21122: byte 2640 bit 2). */
    public static final long __MCE_RESERVED_BIT = LAYOUT.bitOffsetOf("__mce_reserved");
    /** {@code __u64 __mce_reserved : 62;} width in bits. */
    public static final int __MCE_RESERVED_WIDTH = LAYOUT.bitWidthOf("__mce_reserved");

    /** {@code struct callback_head mce_kill_me;} at offset 2648 (16 bytes). */
    public static final long MCE_KILL_ME = LAYOUT.offsetOf("mce_kill_me");

    /** {@code struct llist_head kretprobe_instances;} at offset 2664 (8 bytes). */
    public static final long KRETPROBE_INSTANCES = LAYOUT.offsetOf("kretprobe_instances");

    /** {@code struct thread_struct thread;} at offset 2688 (4352 bytes). */
    public static final long THREAD = LAYOUT.offsetOf("thread");

    private TaskStruct() {
    }
}
