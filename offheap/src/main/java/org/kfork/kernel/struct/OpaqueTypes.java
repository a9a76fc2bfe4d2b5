package org.kfork.kernel.struct;

import org.kfork.machine.layout.Opaque;

/**
 * Kernel types that the structs contain but the ported kernel files never look into: blocks of the
 * true size and alignment (from reference/layouts-5.12.csv and layouts-5.12-pahole.txt).
 */
public final class OpaqueTypes {
    /** {@code struct ctl_table_set}: 96 bytes, aligned 8. */
    public static final Opaque CTL_TABLE_SET = Opaque.struct("ctl_table_set", 96, 8);

    /** {@code struct desc_struct}: 8 bytes, aligned 1. */
    public static final Opaque DESC_STRUCT = Opaque.struct("desc_struct", 8, 1);

    /** {@code struct file_ra_state}: 32 bytes, aligned 8. */
    public static final Opaque FILE_RA_STATE = Opaque.struct("file_ra_state", 32, 8);

    /** {@code struct hlist_bl_node}: 16 bytes, aligned 8. */
    public static final Opaque HLIST_BL_NODE = Opaque.struct("hlist_bl_node", 16, 8);

    /** {@code struct hrtimer}: 64 bytes, aligned 8. */
    public static final Opaque HRTIMER = Opaque.struct("hrtimer", 64, 8);

    /** {@code struct ipc_ids}: 216 bytes, aligned 8. */
    public static final Opaque IPC_IDS = Opaque.struct("ipc_ids", 216, 8);

    /** {@code struct kmap_ctrl}: 0 bytes, aligned 1. */
    public static final Opaque KMAP_CTRL = Opaque.struct("kmap_ctrl", 0, 1);

    /** {@code struct llist_head}: 8 bytes, aligned 8. */
    public static final Opaque LLIST_HEAD = Opaque.struct("llist_head", 8, 8);

    /** {@code struct llist_node}: 8 bytes, aligned 8. */
    public static final Opaque LLIST_NODE = Opaque.struct("llist_node", 8, 8);

    /** {@code struct notifier_block}: 24 bytes, aligned 8. */
    public static final Opaque NOTIFIER_BLOCK = Opaque.struct("notifier_block", 24, 8);

    /** {@code struct posix_cputimers_work}: 24 bytes, aligned 8. */
    public static final Opaque POSIX_CPUTIMERS_WORK = Opaque.struct("posix_cputimers_work", 24, 8);

    /** {@code struct qstr}: 16 bytes, aligned 8. */
    public static final Opaque QSTR = Opaque.struct("qstr", 16, 8);

    /** {@code struct sched_avg}: 64 bytes, aligned 64. */
    public static final Opaque SCHED_AVG = Opaque.struct("sched_avg", 64, 64);

    /** {@code struct sched_statistics}: 216 bytes, aligned 8. */
    public static final Opaque SCHED_STATISTICS = Opaque.struct("sched_statistics", 216, 8);

    /** {@code struct syscall_user_dispatch}: 32 bytes, aligned 8. */
    public static final Opaque SYSCALL_USER_DISPATCH = Opaque.struct("syscall_user_dispatch", 32, 8);

    /** {@code struct sysv_sem}: 8 bytes, aligned 8. */
    public static final Opaque SYSV_SEM = Opaque.struct("sysv_sem", 8, 8);

    /** {@code struct sysv_shm}: 16 bytes, aligned 8. */
    public static final Opaque SYSV_SHM = Opaque.struct("sysv_shm", 16, 8);

    /** {@code struct task_cputime_atomic}: 24 bytes, aligned 8. */
    public static final Opaque TASK_CPUTIME_ATOMIC = Opaque.struct("task_cputime_atomic", 24, 8);

    /** {@code struct timens_offsets}: 32 bytes, aligned 8. */
    public static final Opaque TIMENS_OFFSETS = Opaque.struct("timens_offsets", 32, 8);

    /** {@code struct timespec64}: 16 bytes, aligned 8. */
    public static final Opaque TIMESPEC64 = Opaque.struct("timespec64", 16, 8);

    /** {@code struct tlbflush_unmap_batch}: 16 bytes, aligned 8. */
    public static final Opaque TLBFLUSH_UNMAP_BATCH = Opaque.struct("tlbflush_unmap_batch", 16, 8);

    /** {@code union fpregs_state}: 4096 bytes, aligned 64. */
    public static final Opaque UNION_FPREGS_STATE = Opaque.union("fpregs_state", 4096, 64);

    /** {@code union sigval}: 8 bytes, aligned 8. */
    public static final Opaque UNION_SIGVAL = Opaque.union("sigval", 8, 8);

    /**
     * {@code struct timerqueue_head}: an rb_root_cached of timers, 16 bytes, aligned 8 (its only
     * member; include/linux/timerqueue.h). No timer is ever queued in the model.
     */
    public static final Opaque TIMERQUEUE_HEAD = Opaque.struct("timerqueue_head", 16, 8);

    private OpaqueTypes() {
    }
}
