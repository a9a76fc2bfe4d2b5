package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct kernel_clone_args}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * kernel_clone's arguments, built by fork, vfork, clone and clone3.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * kernel-internal (include/linux/sched/task.h); 5.12 has io_thread (added 5.12 for
 * create_io_thread).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | flags                          u64                                     |
 * |     8 |    8 | pidfd                          int *                                   |
 * |    16 |    8 | child_tid                      int *                                   |
 * |    24 |    8 | parent_tid                     int *                                   |
 * |    32 |    4 | exit_signal                    int                                     |
 * |    40 |    8 | stack                          long unsigned int                       |
 * |    48 |    8 | stack_size                     long unsigned int                       |
 * |    56 |    8 | tls                            long unsigned int                       |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | set_tid                        pid_t *                                 |
 * |    72 |    8 | set_tid_size                   size_t                                  |
 * |    80 |    4 | cgroup                         int                                     |
 * |    84 |    4 | io_thread                      int                                     |
 * |    88 |    8 | cgrp                           struct cgroup *                         |
 * |    96 |    8 | cset                           struct css_set *                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 104, alignof 8
 * </pre>
 */
public final class KernelCloneArgs {
    /** The engine's layout of {@code struct kernel_clone_args}. */
    public static final StructLayout LAYOUT = Struct.named("kernel_clone_args")
        .field("flags", CTypes.U64)
        .field("pidfd", CTypes.ptr("int *"))
        .field("child_tid", CTypes.ptr("int *"))
        .field("parent_tid", CTypes.ptr("int *"))
        .field("exit_signal", CTypes.INT)
        .field("stack", CTypes.ULONG)
        .field("stack_size", CTypes.ULONG)
        .field("tls", CTypes.ULONG)
        .field("set_tid", CTypes.ptr("pid_t *"))
        .field("set_tid_size", CTypes.SIZE_T)
        .field("cgroup", CTypes.INT)
        .field("io_thread", CTypes.INT)
        .field("cgrp", CTypes.ptr("struct cgroup *"))
        .field("cset", CTypes.ptr("struct css_set *"))
        .build();

    /** sizeof(struct kernel_clone_args): 104. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct kernel_clone_args): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code u64 flags;} at offset 0 (8 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    /** {@code int * pidfd;} at offset 8 (8 bytes). */
    public static final long PIDFD = LAYOUT.offsetOf("pidfd");

    /** {@code int * child_tid;} at offset 16 (8 bytes). */
    public static final long CHILD_TID = LAYOUT.offsetOf("child_tid");

    /** {@code int * parent_tid;} at offset 24 (8 bytes). */
    public static final long PARENT_TID = LAYOUT.offsetOf("parent_tid");

    /** {@code int exit_signal;} at offset 32 (4 bytes). */
    public static final long EXIT_SIGNAL = LAYOUT.offsetOf("exit_signal");

    /** {@code long unsigned int stack;} at offset 40 (8 bytes). */
    public static final long STACK = LAYOUT.offsetOf("stack");

    /** {@code long unsigned int stack_size;} at offset 48 (8 bytes). */
    public static final long STACK_SIZE = LAYOUT.offsetOf("stack_size");

    /** {@code long unsigned int tls;} at offset 56 (8 bytes). */
    public static final long TLS = LAYOUT.offsetOf("tls");

    /** {@code pid_t * set_tid;} at offset 64 (8 bytes). */
    public static final long SET_TID = LAYOUT.offsetOf("set_tid");

    /** {@code size_t set_tid_size;} at offset 72 (8 bytes). */
    public static final long SET_TID_SIZE = LAYOUT.offsetOf("set_tid_size");

    /** {@code int cgroup;} at offset 80 (4 bytes). */
    public static final long CGROUP = LAYOUT.offsetOf("cgroup");

    /** {@code int io_thread;} at offset 84 (4 bytes). */
    public static final long IO_THREAD = LAYOUT.offsetOf("io_thread");

    /** {@code struct cgroup * cgrp;} at offset 88 (8 bytes). */
    public static final long CGRP = LAYOUT.offsetOf("cgrp");

    /** {@code struct css_set * cset;} at offset 96 (8 bytes). */
    public static final long CSET = LAYOUT.offsetOf("cset");

    private KernelCloneArgs() {
    }
}
