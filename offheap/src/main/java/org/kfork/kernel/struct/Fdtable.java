package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct fdtable}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A file-descriptor table: the file array and its three bitmaps.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | max_fds                        unsigned int                            |
 * |     8 |    8 | fd                             struct file * *                         |
 * |    16 |    8 | close_on_exec                  long unsigned int *                     |
 * |    24 |    8 | open_fds                       long unsigned int *                     |
 * |    32 |    8 | full_fds_bits                  long unsigned int *                     |
 * |    40 |   16 | rcu                            struct callback_head                    |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 56, alignof 8
 * </pre>
 */
public final class Fdtable {
    /** The engine's layout of {@code struct fdtable}. */
    public static final StructLayout LAYOUT = Struct.named("fdtable")
        .field("max_fds", CTypes.UINT)
        .field("fd", CTypes.ptr("struct file * *"))
        .field("close_on_exec", CTypes.ptr("long unsigned int *"))
        .field("open_fds", CTypes.ptr("long unsigned int *"))
        .field("full_fds_bits", CTypes.ptr("long unsigned int *"))
        .field("rcu", CallbackHead.LAYOUT)
        .build();

    /** sizeof(struct fdtable): 56. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct fdtable): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code unsigned int max_fds;} at offset 0 (4 bytes). */
    public static final long MAX_FDS = LAYOUT.offsetOf("max_fds");

    /** {@code struct file * * fd;} at offset 8 (8 bytes). */
    public static final long FD = LAYOUT.offsetOf("fd");

    /** {@code long unsigned int * close_on_exec;} at offset 16 (8 bytes). */
    public static final long CLOSE_ON_EXEC = LAYOUT.offsetOf("close_on_exec");

    /** {@code long unsigned int * open_fds;} at offset 24 (8 bytes). */
    public static final long OPEN_FDS = LAYOUT.offsetOf("open_fds");

    /** {@code long unsigned int * full_fds_bits;} at offset 32 (8 bytes). */
    public static final long FULL_FDS_BITS = LAYOUT.offsetOf("full_fds_bits");

    /** {@code struct callback_head rcu;} at offset 40 (16 bytes). */
    public static final long RCU = LAYOUT.offsetOf("rcu");

    private Fdtable() {
    }
}
