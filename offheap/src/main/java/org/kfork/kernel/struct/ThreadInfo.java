package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct thread_info}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The x86 thread_info, the first member of task_struct (CONFIG_THREAD_INFO_IN_TASK).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * tail padding 4 bytes.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | flags                          long unsigned int                       |
 * |     8 |    8 | syscall_work                   long unsigned int                       |
 * |    16 |    4 | status                         u32                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 24, alignof 8
 * </pre>
 */
public final class ThreadInfo {
    /** The engine's layout of {@code struct thread_info}. */
    public static final StructLayout LAYOUT = Struct.named("thread_info")
        .field("flags", CTypes.ULONG)
        .field("syscall_work", CTypes.ULONG)
        .field("status", CTypes.U32)
        .build();

    /** sizeof(struct thread_info): 24. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct thread_info): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code long unsigned int flags;} at offset 0 (8 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    /** {@code long unsigned int syscall_work;} at offset 8 (8 bytes). */
    public static final long SYSCALL_WORK = LAYOUT.offsetOf("syscall_work");

    /** {@code u32 status;} at offset 16 (4 bytes). */
    public static final long STATUS = LAYOUT.offsetOf("status");

    private ThreadInfo() {
    }
}
