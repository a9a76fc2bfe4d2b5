package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct task_io_accounting}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * Per-task (and per-group) I/O counters.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | rchar                          u64                                     |
 * |     8 |    8 | wchar                          u64                                     |
 * |    16 |    8 | syscr                          u64                                     |
 * |    24 |    8 | syscw                          u64                                     |
 * |    32 |    8 | read_bytes                     u64                                     |
 * |    40 |    8 | write_bytes                    u64                                     |
 * |    48 |    8 | cancelled_write_bytes          u64                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 56, alignof 8
 * </pre>
 */
public final class TaskIoAccounting {
    /** The engine's layout of {@code struct task_io_accounting}. */
    public static final StructLayout LAYOUT = Struct.named("task_io_accounting")
        .field("rchar", CTypes.U64)
        .field("wchar", CTypes.U64)
        .field("syscr", CTypes.U64)
        .field("syscw", CTypes.U64)
        .field("read_bytes", CTypes.U64)
        .field("write_bytes", CTypes.U64)
        .field("cancelled_write_bytes", CTypes.U64)
        .build();

    /** sizeof(struct task_io_accounting): 56. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct task_io_accounting): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code u64 rchar;} at offset 0 (8 bytes). */
    public static final long RCHAR = LAYOUT.offsetOf("rchar");

    /** {@code u64 wchar;} at offset 8 (8 bytes). */
    public static final long WCHAR = LAYOUT.offsetOf("wchar");

    /** {@code u64 syscr;} at offset 16 (8 bytes). */
    public static final long SYSCR = LAYOUT.offsetOf("syscr");

    /** {@code u64 syscw;} at offset 24 (8 bytes). */
    public static final long SYSCW = LAYOUT.offsetOf("syscw");

    /** {@code u64 read_bytes;} at offset 32 (8 bytes). */
    public static final long READ_BYTES = LAYOUT.offsetOf("read_bytes");

    /** {@code u64 write_bytes;} at offset 40 (8 bytes). */
    public static final long WRITE_BYTES = LAYOUT.offsetOf("write_bytes");

    /** {@code u64 cancelled_write_bytes;} at offset 48 (8 bytes). */
    public static final long CANCELLED_WRITE_BYTES = LAYOUT.offsetOf("cancelled_write_bytes");

    private TaskIoAccounting() {
    }
}
