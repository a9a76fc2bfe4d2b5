package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct pacct_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * What BSD process accounting collects for a thread group.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | ac_flag                        int                                     |
 * |     8 |    8 | ac_exitcode                    long int                                |
 * |    16 |    8 | ac_mem                         long unsigned int                       |
 * |    24 |    8 | ac_utime                       u64                                     |
 * |    32 |    8 | ac_stime                       u64                                     |
 * |    40 |    8 | ac_minflt                      long unsigned int                       |
 * |    48 |    8 | ac_majflt                      long unsigned int                       |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 56, alignof 8
 * </pre>
 */
public final class PacctStruct {
    /** The engine's layout of {@code struct pacct_struct}. */
    public static final StructLayout LAYOUT = Struct.named("pacct_struct")
        .field("ac_flag", CTypes.INT)
        .field("ac_exitcode", CTypes.LONG)
        .field("ac_mem", CTypes.ULONG)
        .field("ac_utime", CTypes.U64)
        .field("ac_stime", CTypes.U64)
        .field("ac_minflt", CTypes.ULONG)
        .field("ac_majflt", CTypes.ULONG)
        .build();

    /** sizeof(struct pacct_struct): 56. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct pacct_struct): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code int ac_flag;} at offset 0 (4 bytes). */
    public static final long AC_FLAG = LAYOUT.offsetOf("ac_flag");

    /** {@code long int ac_exitcode;} at offset 8 (8 bytes). */
    public static final long AC_EXITCODE = LAYOUT.offsetOf("ac_exitcode");

    /** {@code long unsigned int ac_mem;} at offset 16 (8 bytes). */
    public static final long AC_MEM = LAYOUT.offsetOf("ac_mem");

    /** {@code u64 ac_utime;} at offset 24 (8 bytes). */
    public static final long AC_UTIME = LAYOUT.offsetOf("ac_utime");

    /** {@code u64 ac_stime;} at offset 32 (8 bytes). */
    public static final long AC_STIME = LAYOUT.offsetOf("ac_stime");

    /** {@code long unsigned int ac_minflt;} at offset 40 (8 bytes). */
    public static final long AC_MINFLT = LAYOUT.offsetOf("ac_minflt");

    /** {@code long unsigned int ac_majflt;} at offset 48 (8 bytes). */
    public static final long AC_MAJFLT = LAYOUT.offsetOf("ac_majflt");

    private PacctStruct() {
    }
}
