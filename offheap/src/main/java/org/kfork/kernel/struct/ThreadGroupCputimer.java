package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct thread_group_cputimer}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The thread group's CPU-time sums for the process-wide CPU timers.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   24 | cputime_atomic                 struct task_cputime_atomic              |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 24, alignof 8
 * </pre>
 */
public final class ThreadGroupCputimer {
    /** The engine's layout of {@code struct thread_group_cputimer}. */
    public static final StructLayout LAYOUT = Struct.named("thread_group_cputimer")
        .field("cputime_atomic", OpaqueTypes.TASK_CPUTIME_ATOMIC)
        .build();

    /** sizeof(struct thread_group_cputimer): 24. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct thread_group_cputimer): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct task_cputime_atomic cputime_atomic;} at offset 0 (24 bytes). */
    public static final long CPUTIME_ATOMIC = LAYOUT.offsetOf("cputime_atomic");

    private ThreadGroupCputimer() {
    }
}
