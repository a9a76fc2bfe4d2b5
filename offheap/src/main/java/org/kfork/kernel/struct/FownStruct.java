package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct fown_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * Who gets a file's SIGIO: the owner pid and its type, the uids that set it, and the signal.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/fs.h:886.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | lock                           rwlock_t                                |
 * |     8 |    8 | pid                            struct pid *                            |
 * |    16 |    4 | pid_type                       enum pid_type                           |
 * |    20 |    4 | uid                            kuid_t                                  |
 * |    24 |    4 | euid                           kuid_t                                  |
 * |    28 |    4 | signum                         int                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 32, alignof 8
 * </pre>
 */
public final class FownStruct {
    /** The engine's layout of {@code struct fown_struct}. */
    public static final StructLayout LAYOUT = Struct.named("fown_struct")
        .field("lock", CTypes.RWLOCK_T)
        .field("pid", CTypes.ptr("struct pid *"))
        .field("pid_type", CTypes.enumeration("pid_type"))
        .field("uid", CTypes.KUID_T)
        .field("euid", CTypes.KUID_T)
        .field("signum", CTypes.INT)
        .build();

    /** sizeof(struct fown_struct): 32. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct fown_struct): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code rwlock_t lock;} at offset 0 (8 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    /** {@code struct pid * pid;} at offset 8 (8 bytes). */
    public static final long PID = LAYOUT.offsetOf("pid");

    /** {@code enum pid_type pid_type;} at offset 16 (4 bytes). */
    public static final long PID_TYPE = LAYOUT.offsetOf("pid_type");

    /** {@code kuid_t uid;} at offset 20 (4 bytes). */
    public static final long UID = LAYOUT.offsetOf("uid");

    /** {@code kuid_t euid;} at offset 24 (4 bytes). */
    public static final long EUID = LAYOUT.offsetOf("euid");

    /** {@code int signum;} at offset 28 (4 bytes). */
    public static final long SIGNUM = LAYOUT.offsetOf("signum");

    private FownStruct() {
    }
}
