package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct kernel_siginfo}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A signal's information inside the kernel: number, errno, code and the union of what each kind
 * of signal carries. Unlike the user's siginfo_t it has no padding to 128 bytes.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/signal_types.h:12; typedef struct kernel_siginfo { __SIGINFO; }
 * kernel_siginfo_t.
 *
 * <p>{@code SI_PID}, {@code SI_UID}, {@code SI_STATUS}, {@code SI_UTIME} and {@code SI_STIME} are the
 * kernel's si_* macros: si_pid and si_uid sit at the same place in _kill, _rt and _sigchld.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   48 | {anon struct @0}               struct {anon}                           |
 * |     0 |    4 |   si_signo                     int                                     |
 * |     4 |    4 |   si_errno                     int                                     |
 * |     8 |    4 |   si_code                      int                                     |
 * |    16 |   32 |   _sifields                    union __sifields                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 48, alignof 8
 * </pre>
 */
public final class KernelSiginfo {
    /** The engine's layout of {@code struct kernel_siginfo}. */
    public static final StructLayout LAYOUT = Struct.named("kernel_siginfo")
        .anonymous(Struct.anonymous()
                .field("si_signo", CTypes.INT)
                .field("si_errno", CTypes.INT)
                .field("si_code", CTypes.INT)
                .field("_sifields", Sifields.LAYOUT))
        .build();

    /** sizeof(struct kernel_siginfo): 48. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct kernel_siginfo): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code int si_signo;} at offset 0 (4 bytes). */
    public static final long SI_SIGNO = LAYOUT.offsetOf("si_signo");

    /** {@code int si_errno;} at offset 4 (4 bytes). */
    public static final long SI_ERRNO = LAYOUT.offsetOf("si_errno");

    /** {@code int si_code;} at offset 8 (4 bytes). */
    public static final long SI_CODE = LAYOUT.offsetOf("si_code");

    /** {@code union __sifields _sifields;} at offset 16 (32 bytes). */
    public static final long _SIFIELDS = LAYOUT.offsetOf("_sifields");

    // The si_* accessor macros of include/uapi/asm-generic/siginfo.h, as offsets in kernel_siginfo.

    /** {@code __kernel_pid_t _pid;} at offset 16 (4 bytes). */
    public static final long SI_PID = LAYOUT.offsetOf("_sifields._kill._pid");

    /** {@code __kernel_uid32_t _uid;} at offset 20 (4 bytes). */
    public static final long SI_UID = LAYOUT.offsetOf("_sifields._kill._uid");

    /** {@code int _status;} at offset 24 (4 bytes). */
    public static final long SI_STATUS = LAYOUT.offsetOf("_sifields._sigchld._status");

    /** {@code __kernel_clock_t _utime;} at offset 32 (8 bytes). */
    public static final long SI_UTIME = LAYOUT.offsetOf("_sifields._sigchld._utime");

    /** {@code __kernel_clock_t _stime;} at offset 40 (8 bytes). */
    public static final long SI_STIME = LAYOUT.offsetOf("_sifields._sigchld._stime");

    private KernelSiginfo() {
    }
}
