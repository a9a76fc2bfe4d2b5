package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct files_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The open files of a task, with an embedded fdtable for the first 64 descriptors; shared with
 * CLONE_FILES, else duplicated by dup_fd.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * tail padding 32 bytes; struct alignment 64 because of file_lock.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | count                          atomic_t                                |
 * |     4 |    1 | resize_in_progress             bool                                    |
 * |     8 |   24 | resize_wait                    wait_queue_head_t                       |
 * |    32 |    8 | fdt                            struct fdtable *                        |
 * |    40 |   56 | fdtab                          struct fdtable                          |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   128 |    4 | file_lock                      spinlock_t                              |
 * |   132 |    4 | next_fd                        unsigned int                            |
 * |   136 |    8 | close_on_exec_init             long unsigned int[1]                    |
 * |   144 |    8 | open_fds_init                  long unsigned int[1]                    |
 * |   152 |    8 | full_fds_bits_init             long unsigned int[1]                    |
 * |   160 |  512 | fd_array                       struct file *[64]                       |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 704, alignof 64
 * </pre>
 */
public final class FilesStruct {
    /** The engine's layout of {@code struct files_struct}. */
    public static final StructLayout LAYOUT = Struct.named("files_struct")
        .field("count", CTypes.ATOMIC_T)
        .field("resize_in_progress", CTypes.BOOL)
        .field("resize_wait", CTypes.alias("wait_queue_head_t", WaitQueueHead.LAYOUT))
        .field("fdt", CTypes.ptr("struct fdtable *"))
        .field("fdtab", Fdtable.LAYOUT)
        .field("file_lock", CTypes.SPINLOCK_T, 64)
        .field("next_fd", CTypes.UINT)
        .array("close_on_exec_init", CTypes.ULONG, 1)
        .array("open_fds_init", CTypes.ULONG, 1)
        .array("full_fds_bits_init", CTypes.ULONG, 1)
        .array("fd_array", CTypes.ptr("struct file *"), 64)
        .build();

    /** sizeof(struct files_struct): 704. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct files_struct): 64. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_t count;} at offset 0 (4 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    /** {@code bool resize_in_progress;} at offset 4 (1 bytes). */
    public static final long RESIZE_IN_PROGRESS = LAYOUT.offsetOf("resize_in_progress");

    /** {@code wait_queue_head_t resize_wait;} at offset 8 (24 bytes). */
    public static final long RESIZE_WAIT = LAYOUT.offsetOf("resize_wait");

    /** {@code struct fdtable * fdt;} at offset 32 (8 bytes). */
    public static final long FDT = LAYOUT.offsetOf("fdt");

    /** {@code struct fdtable fdtab;} at offset 40 (56 bytes). */
    public static final long FDTAB = LAYOUT.offsetOf("fdtab");

    /** {@code spinlock_t file_lock;} at offset 128 (4 bytes). */
    public static final long FILE_LOCK = LAYOUT.offsetOf("file_lock");

    /** {@code unsigned int next_fd;} at offset 132 (4 bytes). */
    public static final long NEXT_FD = LAYOUT.offsetOf("next_fd");

    /** {@code long unsigned int close_on_exec_init[1];} at offset 136 (8 bytes). */
    public static final long CLOSE_ON_EXEC_INIT = LAYOUT.offsetOf("close_on_exec_init");

    /** {@code long unsigned int open_fds_init[1];} at offset 144 (8 bytes). */
    public static final long OPEN_FDS_INIT = LAYOUT.offsetOf("open_fds_init");

    /** {@code long unsigned int full_fds_bits_init[1];} at offset 152 (8 bytes). */
    public static final long FULL_FDS_BITS_INIT = LAYOUT.offsetOf("full_fds_bits_init");

    /** {@code struct file * fd_array[64];} at offset 160 (512 bytes). */
    public static final long FD_ARRAY = LAYOUT.offsetOf("fd_array");

    private FilesStruct() {
    }
}
