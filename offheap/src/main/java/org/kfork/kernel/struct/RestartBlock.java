package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Opaque;

/**
 * {@code struct restart_block}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * How an interrupted system call resumes: the function restart_syscall calls and its arguments
 * (futex, nanosleep, poll). init_task's points at do_no_restart_syscall; the arguments are one
 * opaque union the port never touches.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/restart_block.h:25) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | arch_data                      long unsigned int                       |
 * |     8 |    8 | fn                             fnptr                                   |
 * |    16 |   40 | args                           union restart_block_args                |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 56, alignof 8
 * </pre>
 */
public final class RestartBlock {
    /** The engine's layout of {@code struct restart_block}. */
    public static final StructLayout LAYOUT = Struct.named("restart_block")
        .field("arch_data", CTypes.ULONG)
        .field("fn", CTypes.FNPTR)
        .field("args", Opaque.union("restart_block_args", 40, 8))
        .build();

    /** sizeof(struct restart_block): 56. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct restart_block): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code long unsigned int arch_data;} at offset 0 (8 bytes). */
    public static final long ARCH_DATA = LAYOUT.offsetOf("arch_data");

    /** {@code fnptr fn;} at offset 8 (8 bytes). */
    public static final long FN = LAYOUT.offsetOf("fn");

    /** {@code union restart_block_args args;} at offset 16 (40 bytes). */
    public static final long ARGS = LAYOUT.offsetOf("args");

    private RestartBlock() {
    }
}
