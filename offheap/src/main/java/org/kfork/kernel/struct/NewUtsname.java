package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct new_utsname}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The six strings of uname(2), each 65 bytes with its terminating NUL.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/uapi/linux/utsname.h:25; uapi struct; each member is char[__NEW_UTS_LEN +
 * 1], __NEW_UTS_LEN = 64.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   65 | sysname                        char[65]                                |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    65 |   65 | nodename                       char[65]                                |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   130 |   65 | release                        char[65]                                |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   195 |   65 | version                        char[65]                                |
 * +=======+======+ cacheline 4 (256 bytes) ===============================================+
 * |   260 |   65 | machine                        char[65]                                |
 * +=======+======+ cacheline 5 (320 bytes) ===============================================+
 * |   325 |   65 | domainname                     char[65]                                |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 390, alignof 1
 * </pre>
 */
public final class NewUtsname {
    /** The engine's layout of {@code struct new_utsname}. */
    public static final StructLayout LAYOUT = Struct.named("new_utsname")
        .array("sysname", CTypes.CHAR, 65)
        .array("nodename", CTypes.CHAR, 65)
        .array("release", CTypes.CHAR, 65)
        .array("version", CTypes.CHAR, 65)
        .array("machine", CTypes.CHAR, 65)
        .array("domainname", CTypes.CHAR, 65)
        .build();

    /** sizeof(struct new_utsname): 390. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct new_utsname): 1. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code char sysname[65];} at offset 0 (65 bytes). */
    public static final long SYSNAME = LAYOUT.offsetOf("sysname");

    /** {@code char nodename[65];} at offset 65 (65 bytes). */
    public static final long NODENAME = LAYOUT.offsetOf("nodename");

    /** {@code char release[65];} at offset 130 (65 bytes). */
    public static final long RELEASE = LAYOUT.offsetOf("release");

    /** {@code char version[65];} at offset 195 (65 bytes). */
    public static final long VERSION = LAYOUT.offsetOf("version");

    /** {@code char machine[65];} at offset 260 (65 bytes). */
    public static final long MACHINE = LAYOUT.offsetOf("machine");

    /** {@code char domainname[65];} at offset 325 (65 bytes). */
    public static final long DOMAINNAME = LAYOUT.offsetOf("domainname");

    private NewUtsname() {
    }
}
