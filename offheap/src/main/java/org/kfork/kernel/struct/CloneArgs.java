package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct clone_args}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The user-space argument of clone3(2). Its size says its version: 64, 80 or 88 bytes.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * uapi; every member __aligned_u64. CLONE_ARGS_SIZE_VER0=64 (end of tls), VER1=80 (end of
 * set_tid_size), VER2=88 (end of cgroup).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | flags                          __u64                                   |
 * |     8 |    8 | pidfd                          __u64                                   |
 * |    16 |    8 | child_tid                      __u64                                   |
 * |    24 |    8 | parent_tid                     __u64                                   |
 * |    32 |    8 | exit_signal                    __u64                                   |
 * |    40 |    8 | stack                          __u64                                   |
 * |    48 |    8 | stack_size                     __u64                                   |
 * |    56 |    8 | tls                            __u64                                   |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | set_tid                        __u64                                   |
 * |    72 |    8 | set_tid_size                   __u64                                   |
 * |    80 |    8 | cgroup                         __u64                                   |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 88, alignof 8
 * </pre>
 */
public final class CloneArgs {
    /** The engine's layout of {@code struct clone_args}. */
    public static final StructLayout LAYOUT = Struct.named("clone_args")
        .field("flags", CTypes.UAPI_U64)
        .field("pidfd", CTypes.UAPI_U64)
        .field("child_tid", CTypes.UAPI_U64)
        .field("parent_tid", CTypes.UAPI_U64)
        .field("exit_signal", CTypes.UAPI_U64)
        .field("stack", CTypes.UAPI_U64)
        .field("stack_size", CTypes.UAPI_U64)
        .field("tls", CTypes.UAPI_U64)
        .field("set_tid", CTypes.UAPI_U64)
        .field("set_tid_size", CTypes.UAPI_U64)
        .field("cgroup", CTypes.UAPI_U64)
        .build();

    /** sizeof(struct clone_args): 88. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct clone_args): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code __u64 flags;} at offset 0 (8 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    /** {@code __u64 pidfd;} at offset 8 (8 bytes). */
    public static final long PIDFD = LAYOUT.offsetOf("pidfd");

    /** {@code __u64 child_tid;} at offset 16 (8 bytes). */
    public static final long CHILD_TID = LAYOUT.offsetOf("child_tid");

    /** {@code __u64 parent_tid;} at offset 24 (8 bytes). */
    public static final long PARENT_TID = LAYOUT.offsetOf("parent_tid");

    /** {@code __u64 exit_signal;} at offset 32 (8 bytes). */
    public static final long EXIT_SIGNAL = LAYOUT.offsetOf("exit_signal");

    /** {@code __u64 stack;} at offset 40 (8 bytes). */
    public static final long STACK = LAYOUT.offsetOf("stack");

    /** {@code __u64 stack_size;} at offset 48 (8 bytes). */
    public static final long STACK_SIZE = LAYOUT.offsetOf("stack_size");

    /** {@code __u64 tls;} at offset 56 (8 bytes). */
    public static final long TLS = LAYOUT.offsetOf("tls");

    /** {@code __u64 set_tid;} at offset 64 (8 bytes). */
    public static final long SET_TID = LAYOUT.offsetOf("set_tid");

    /** {@code __u64 set_tid_size;} at offset 72 (8 bytes). */
    public static final long SET_TID_SIZE = LAYOUT.offsetOf("set_tid_size");

    /** {@code __u64 cgroup;} at offset 80 (8 bytes). */
    public static final long CGROUP = LAYOUT.offsetOf("cgroup");

    private CloneArgs() {
    }
}
