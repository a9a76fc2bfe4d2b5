package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct fs_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A task's root, working directory and umask; shared with CLONE_FS, else copied by copy_fs.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | users                          int                                     |
 * |     4 |    4 | lock                           spinlock_t                              |
 * |     8 |    4 | seq                            seqcount_spinlock_t                     |
 * |    12 |    4 | umask                          int                                     |
 * |    16 |    4 | in_exec                        int                                     |
 * |    24 |   16 | root                           struct path                             |
 * |    40 |   16 | pwd                            struct path                             |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 56, alignof 8
 * </pre>
 */
public final class FsStruct {
    /** The engine's layout of {@code struct fs_struct}. */
    public static final StructLayout LAYOUT = Struct.named("fs_struct")
        .field("users", CTypes.INT)
        .field("lock", CTypes.SPINLOCK_T)
        .field("seq", CTypes.SEQCOUNT_SPINLOCK_T)
        .field("umask", CTypes.INT)
        .field("in_exec", CTypes.INT)
        .field("root", Path.LAYOUT)
        .field("pwd", Path.LAYOUT)
        .build();

    /** sizeof(struct fs_struct): 56. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct fs_struct): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code int users;} at offset 0 (4 bytes). */
    public static final long USERS = LAYOUT.offsetOf("users");

    /** {@code spinlock_t lock;} at offset 4 (4 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    /** {@code seqcount_spinlock_t seq;} at offset 8 (4 bytes). */
    public static final long SEQ = LAYOUT.offsetOf("seq");

    /** {@code int umask;} at offset 12 (4 bytes). */
    public static final long UMASK = LAYOUT.offsetOf("umask");

    /** {@code int in_exec;} at offset 16 (4 bytes). */
    public static final long IN_EXEC = LAYOUT.offsetOf("in_exec");

    /** {@code struct path root;} at offset 24 (16 bytes). */
    public static final long ROOT = LAYOUT.offsetOf("root");

    /** {@code struct path pwd;} at offset 40 (16 bytes). */
    public static final long PWD = LAYOUT.offsetOf("pwd");

    private FsStruct() {
    }
}
