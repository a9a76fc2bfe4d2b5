package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code union __sifields}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * What a signal carries besides its number and code, by kind: the sender of a kill or a queued
 * signal, a POSIX timer, a child's exit (SIGCHLD: pid, uid, status and times), a fault address, a
 * poll band, a seccomp'd system call. x86_64 defines neither __ARCH_SI_TRAPNO nor its own clock
 * type, so _sigchld's times are longs.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this union: the layout is computed from its 5.12.9
 * definition (include/uapi/asm-generic/siginfo.h:32) with the reference config, and
 * ComputedLayoutTest pins it to the offsets worked out from there (confirmed once with gcc on the
 * 5.12.9 tree).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | _kill                          struct {anon}                           |
 * |     0 |    4 |   _pid                         __kernel_pid_t                          |
 * |     4 |    4 |   _uid                         __kernel_uid32_t                        |
 * |     0 |   24 | _timer                         struct {anon}                           |
 * |     0 |    4 |   _tid                         __kernel_timer_t                        |
 * |     4 |    4 |   _overrun                     int                                     |
 * |     8 |    8 |   _sigval                      sigval_t                                |
 * |    16 |    4 |   _sys_private                 int                                     |
 * |     0 |   16 | _rt                            struct {anon}                           |
 * |     0 |    4 |   _pid                         __kernel_pid_t                          |
 * |     4 |    4 |   _uid                         __kernel_uid32_t                        |
 * |     8 |    8 |   _sigval                      sigval_t                                |
 * |     0 |   32 | _sigchld                       struct {anon}                           |
 * |     0 |    4 |   _pid                         __kernel_pid_t                          |
 * |     4 |    4 |   _uid                         __kernel_uid32_t                        |
 * |     8 |    4 |   _status                      int                                     |
 * |    16 |    8 |   _utime                       __kernel_clock_t                        |
 * |    24 |    8 |   _stime                       __kernel_clock_t                        |
 * |     0 |   32 | _sigfault                      struct {anon}                           |
 * |     0 |    8 |   _addr                        void *                                  |
 * |     8 |   24 |   {anon union @8}              union {anon}                            |
 * |     8 |    2 |     _addr_lsb                  short int                               |
 * |     8 |   24 |     _addr_bnd                  struct {anon}                           |
 * |     8 |    8 |       _dummy_bnd               char[8]                                 |
 * |    16 |    8 |       _lower                   void *                                  |
 * |    24 |    8 |       _upper                   void *                                  |
 * |     8 |   12 |     _addr_pkey                 struct {anon}                           |
 * |     8 |    8 |       _dummy_pkey              char[8]                                 |
 * |    16 |    4 |       _pkey                    __u32                                   |
 * |     0 |   16 | _sigpoll                       struct {anon}                           |
 * |     0 |    8 |   _band                        long int                                |
 * |     8 |    4 |   _fd                          int                                     |
 * |     0 |   16 | _sigsys                        struct {anon}                           |
 * |     0 |    8 |   _call_addr                   void *                                  |
 * |     8 |    4 |   _syscall                     int                                     |
 * |    12 |    4 |   _arch                        unsigned int                            |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 32, alignof 8
 * </pre>
 */
public final class Sifields {
    /** The engine's layout of {@code union __sifields}. */
    public static final StructLayout LAYOUT = Union.named("__sifields")
        .field("_kill", Struct.anonymous()
                .field("_pid", CTypes.KERNEL_PID_T)
                .field("_uid", CTypes.KERNEL_UID32_T)
                .build())
        .field("_timer", Struct.anonymous()
                .field("_tid", CTypes.KERNEL_TIMER_T)
                .field("_overrun", CTypes.INT)
                .field("_sigval", CTypes.alias("sigval_t", OpaqueTypes.UNION_SIGVAL))
                .field("_sys_private", CTypes.INT)
                .build())
        .field("_rt", Struct.anonymous()
                .field("_pid", CTypes.KERNEL_PID_T)
                .field("_uid", CTypes.KERNEL_UID32_T)
                .field("_sigval", CTypes.alias("sigval_t", OpaqueTypes.UNION_SIGVAL))
                .build())
        .field("_sigchld", Struct.anonymous()
                .field("_pid", CTypes.KERNEL_PID_T)
                .field("_uid", CTypes.KERNEL_UID32_T)
                .field("_status", CTypes.INT)
                .field("_utime", CTypes.KERNEL_CLOCK_T)
                .field("_stime", CTypes.KERNEL_CLOCK_T)
                .build())
        .field("_sigfault", Struct.anonymous()
                .field("_addr", CTypes.VOID_PTR)
                .anonymous(Union.anonymous()
                        .field("_addr_lsb", CTypes.SHORT)
                        .field("_addr_bnd", Struct.anonymous()
                                .array("_dummy_bnd", CTypes.CHAR, 8)
                                .field("_lower", CTypes.VOID_PTR)
                                .field("_upper", CTypes.VOID_PTR)
                                .build())
                        .field("_addr_pkey", Struct.anonymous()
                                .array("_dummy_pkey", CTypes.CHAR, 8)
                                .field("_pkey", CTypes.UAPI_U32)
                                .build()))
                .build())
        .field("_sigpoll", Struct.anonymous()
                .field("_band", CTypes.LONG)
                .field("_fd", CTypes.INT)
                .build())
        .field("_sigsys", Struct.anonymous()
                .field("_call_addr", CTypes.VOID_PTR)
                .field("_syscall", CTypes.INT)
                .field("_arch", CTypes.UINT)
                .build())
        .build();

    /** sizeof(union __sifields): 32. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(union __sifields): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct {anon} _kill;} at offset 0 (8 bytes). */
    public static final long _KILL = LAYOUT.offsetOf("_kill");

    /** {@code __kernel_pid_t _pid;} at offset 0 (4 bytes). */
    public static final long _KILL__PID = LAYOUT.offsetOf("_kill._pid");

    /** {@code __kernel_uid32_t _uid;} at offset 4 (4 bytes). */
    public static final long _KILL__UID = LAYOUT.offsetOf("_kill._uid");

    /** {@code struct {anon} _timer;} at offset 0 (24 bytes). */
    public static final long _TIMER = LAYOUT.offsetOf("_timer");

    /** {@code __kernel_timer_t _tid;} at offset 0 (4 bytes). */
    public static final long _TIMER__TID = LAYOUT.offsetOf("_timer._tid");

    /** {@code int _overrun;} at offset 4 (4 bytes). */
    public static final long _TIMER__OVERRUN = LAYOUT.offsetOf("_timer._overrun");

    /** {@code sigval_t _sigval;} at offset 8 (8 bytes). */
    public static final long _TIMER__SIGVAL = LAYOUT.offsetOf("_timer._sigval");

    /** {@code int _sys_private;} at offset 16 (4 bytes). */
    public static final long _TIMER__SYS_PRIVATE = LAYOUT.offsetOf("_timer._sys_private");

    /** {@code struct {anon} _rt;} at offset 0 (16 bytes). */
    public static final long _RT = LAYOUT.offsetOf("_rt");

    /** {@code __kernel_pid_t _pid;} at offset 0 (4 bytes). */
    public static final long _RT__PID = LAYOUT.offsetOf("_rt._pid");

    /** {@code __kernel_uid32_t _uid;} at offset 4 (4 bytes). */
    public static final long _RT__UID = LAYOUT.offsetOf("_rt._uid");

    /** {@code sigval_t _sigval;} at offset 8 (8 bytes). */
    public static final long _RT__SIGVAL = LAYOUT.offsetOf("_rt._sigval");

    /** {@code struct {anon} _sigchld;} at offset 0 (32 bytes). */
    public static final long _SIGCHLD = LAYOUT.offsetOf("_sigchld");

    /** {@code __kernel_pid_t _pid;} at offset 0 (4 bytes). */
    public static final long _SIGCHLD__PID = LAYOUT.offsetOf("_sigchld._pid");

    /** {@code __kernel_uid32_t _uid;} at offset 4 (4 bytes). */
    public static final long _SIGCHLD__UID = LAYOUT.offsetOf("_sigchld._uid");

    /** {@code int _status;} at offset 8 (4 bytes). */
    public static final long _SIGCHLD__STATUS = LAYOUT.offsetOf("_sigchld._status");

    /** {@code __kernel_clock_t _utime;} at offset 16 (8 bytes). */
    public static final long _SIGCHLD__UTIME = LAYOUT.offsetOf("_sigchld._utime");

    /** {@code __kernel_clock_t _stime;} at offset 24 (8 bytes). */
    public static final long _SIGCHLD__STIME = LAYOUT.offsetOf("_sigchld._stime");

    /** {@code struct {anon} _sigfault;} at offset 0 (32 bytes). */
    public static final long _SIGFAULT = LAYOUT.offsetOf("_sigfault");

    /** {@code void * _addr;} at offset 0 (8 bytes). */
    public static final long _SIGFAULT__ADDR = LAYOUT.offsetOf("_sigfault._addr");

    /** {@code short int _addr_lsb;} at offset 8 (2 bytes). */
    public static final long _SIGFAULT__ADDR_LSB = LAYOUT.offsetOf("_sigfault._addr_lsb");

    /** {@code struct {anon} _addr_bnd;} at offset 8 (24 bytes). */
    public static final long _SIGFAULT__ADDR_BND = LAYOUT.offsetOf("_sigfault._addr_bnd");

    /** {@code char _dummy_bnd[8];} at offset 8 (8 bytes). */
    public static final long _SIGFAULT__ADDR_BND__DUMMY_BND = LAYOUT.offsetOf("_sigfault._addr_bnd._dummy_bnd");

    /** {@code void * _lower;} at offset 16 (8 bytes). */
    public static final long _SIGFAULT__ADDR_BND__LOWER = LAYOUT.offsetOf("_sigfault._addr_bnd._lower");

    /** {@code void * _upper;} at offset 24 (8 bytes). */
    public static final long _SIGFAULT__ADDR_BND__UPPER = LAYOUT.offsetOf("_sigfault._addr_bnd._upper");

    /** {@code struct {anon} _addr_pkey;} at offset 8 (12 bytes). */
    public static final long _SIGFAULT__ADDR_PKEY = LAYOUT.offsetOf("_sigfault._addr_pkey");

    /** {@code char _dummy_pkey[8];} at offset 8 (8 bytes). */
    public static final long _SIGFAULT__ADDR_PKEY__DUMMY_PKEY = LAYOUT.offsetOf("_sigfault._addr_pkey._dummy_pkey");

    /** {@code __u32 _pkey;} at offset 16 (4 bytes). */
    public static final long _SIGFAULT__ADDR_PKEY__PKEY = LAYOUT.offsetOf("_sigfault._addr_pkey._pkey");

    /** {@code struct {anon} _sigpoll;} at offset 0 (16 bytes). */
    public static final long _SIGPOLL = LAYOUT.offsetOf("_sigpoll");

    /** {@code long int _band;} at offset 0 (8 bytes). */
    public static final long _SIGPOLL__BAND = LAYOUT.offsetOf("_sigpoll._band");

    /** {@code int _fd;} at offset 8 (4 bytes). */
    public static final long _SIGPOLL__FD = LAYOUT.offsetOf("_sigpoll._fd");

    /** {@code struct {anon} _sigsys;} at offset 0 (16 bytes). */
    public static final long _SIGSYS = LAYOUT.offsetOf("_sigsys");

    /** {@code void * _call_addr;} at offset 0 (8 bytes). */
    public static final long _SIGSYS__CALL_ADDR = LAYOUT.offsetOf("_sigsys._call_addr");

    /** {@code int _syscall;} at offset 8 (4 bytes). */
    public static final long _SIGSYS__SYSCALL = LAYOUT.offsetOf("_sigsys._syscall");

    /** {@code unsigned int _arch;} at offset 12 (4 bytes). */
    public static final long _SIGSYS__ARCH = LAYOUT.offsetOf("_sigsys._arch");

    private Sifields() {
    }
}
