package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct rusage}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * Resource usage as getrusage(2) and wait4(2) report it to user memory: user and system time,
 * then fourteen longs of counters.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/uapi/linux/resource.h:24) with the reference config, and ComputedLayoutTest
 * pins it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   16 | ru_utime                       struct __kernel_old_timeval             |
 * |    16 |   16 | ru_stime                       struct __kernel_old_timeval             |
 * |    32 |    8 | ru_maxrss                      __kernel_long_t                         |
 * |    40 |    8 | ru_ixrss                       __kernel_long_t                         |
 * |    48 |    8 | ru_idrss                       __kernel_long_t                         |
 * |    56 |    8 | ru_isrss                       __kernel_long_t                         |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | ru_minflt                      __kernel_long_t                         |
 * |    72 |    8 | ru_majflt                      __kernel_long_t                         |
 * |    80 |    8 | ru_nswap                       __kernel_long_t                         |
 * |    88 |    8 | ru_inblock                     __kernel_long_t                         |
 * |    96 |    8 | ru_oublock                     __kernel_long_t                         |
 * |   104 |    8 | ru_msgsnd                      __kernel_long_t                         |
 * |   112 |    8 | ru_msgrcv                      __kernel_long_t                         |
 * |   120 |    8 | ru_nsignals                    __kernel_long_t                         |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   128 |    8 | ru_nvcsw                       __kernel_long_t                         |
 * |   136 |    8 | ru_nivcsw                      __kernel_long_t                         |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 144, alignof 8
 * </pre>
 */
public final class Rusage {
    /** The engine's layout of {@code struct rusage}. */
    public static final StructLayout LAYOUT = Struct.named("rusage")
        .field("ru_utime", KernelOldTimeval.LAYOUT)
        .field("ru_stime", KernelOldTimeval.LAYOUT)
        .field("ru_maxrss", CTypes.KERNEL_LONG_T)
        .field("ru_ixrss", CTypes.KERNEL_LONG_T)
        .field("ru_idrss", CTypes.KERNEL_LONG_T)
        .field("ru_isrss", CTypes.KERNEL_LONG_T)
        .field("ru_minflt", CTypes.KERNEL_LONG_T)
        .field("ru_majflt", CTypes.KERNEL_LONG_T)
        .field("ru_nswap", CTypes.KERNEL_LONG_T)
        .field("ru_inblock", CTypes.KERNEL_LONG_T)
        .field("ru_oublock", CTypes.KERNEL_LONG_T)
        .field("ru_msgsnd", CTypes.KERNEL_LONG_T)
        .field("ru_msgrcv", CTypes.KERNEL_LONG_T)
        .field("ru_nsignals", CTypes.KERNEL_LONG_T)
        .field("ru_nvcsw", CTypes.KERNEL_LONG_T)
        .field("ru_nivcsw", CTypes.KERNEL_LONG_T)
        .build();

    /** sizeof(struct rusage): 144. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct rusage): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct __kernel_old_timeval ru_utime;} at offset 0 (16 bytes). */
    public static final long RU_UTIME = LAYOUT.offsetOf("ru_utime");

    /** {@code struct __kernel_old_timeval ru_stime;} at offset 16 (16 bytes). */
    public static final long RU_STIME = LAYOUT.offsetOf("ru_stime");

    /** {@code __kernel_long_t ru_maxrss;} at offset 32 (8 bytes). */
    public static final long RU_MAXRSS = LAYOUT.offsetOf("ru_maxrss");

    /** {@code __kernel_long_t ru_ixrss;} at offset 40 (8 bytes). */
    public static final long RU_IXRSS = LAYOUT.offsetOf("ru_ixrss");

    /** {@code __kernel_long_t ru_idrss;} at offset 48 (8 bytes). */
    public static final long RU_IDRSS = LAYOUT.offsetOf("ru_idrss");

    /** {@code __kernel_long_t ru_isrss;} at offset 56 (8 bytes). */
    public static final long RU_ISRSS = LAYOUT.offsetOf("ru_isrss");

    /** {@code __kernel_long_t ru_minflt;} at offset 64 (8 bytes). */
    public static final long RU_MINFLT = LAYOUT.offsetOf("ru_minflt");

    /** {@code __kernel_long_t ru_majflt;} at offset 72 (8 bytes). */
    public static final long RU_MAJFLT = LAYOUT.offsetOf("ru_majflt");

    /** {@code __kernel_long_t ru_nswap;} at offset 80 (8 bytes). */
    public static final long RU_NSWAP = LAYOUT.offsetOf("ru_nswap");

    /** {@code __kernel_long_t ru_inblock;} at offset 88 (8 bytes). */
    public static final long RU_INBLOCK = LAYOUT.offsetOf("ru_inblock");

    /** {@code __kernel_long_t ru_oublock;} at offset 96 (8 bytes). */
    public static final long RU_OUBLOCK = LAYOUT.offsetOf("ru_oublock");

    /** {@code __kernel_long_t ru_msgsnd;} at offset 104 (8 bytes). */
    public static final long RU_MSGSND = LAYOUT.offsetOf("ru_msgsnd");

    /** {@code __kernel_long_t ru_msgrcv;} at offset 112 (8 bytes). */
    public static final long RU_MSGRCV = LAYOUT.offsetOf("ru_msgrcv");

    /** {@code __kernel_long_t ru_nsignals;} at offset 120 (8 bytes). */
    public static final long RU_NSIGNALS = LAYOUT.offsetOf("ru_nsignals");

    /** {@code __kernel_long_t ru_nvcsw;} at offset 128 (8 bytes). */
    public static final long RU_NVCSW = LAYOUT.offsetOf("ru_nvcsw");

    /** {@code __kernel_long_t ru_nivcsw;} at offset 136 (8 bytes). */
    public static final long RU_NIVCSW = LAYOUT.offsetOf("ru_nivcsw");

    private Rusage() {
    }
}
