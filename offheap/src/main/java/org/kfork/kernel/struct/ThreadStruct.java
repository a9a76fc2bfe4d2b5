package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct thread_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The x86 CPU state of a task: segment bases, debug registers, and the FPU last, because its size
 * depends on the CPU's xstate.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   24 | tls_array                      struct desc_struct[3]                   |
 * |    24 |    8 | sp                             long unsigned int                       |
 * |    32 |    2 | es                             short unsigned int                      |
 * |    34 |    2 | ds                             short unsigned int                      |
 * |    36 |    2 | fsindex                        short unsigned int                      |
 * |    38 |    2 | gsindex                        short unsigned int                      |
 * |    40 |    8 | fsbase                         long unsigned int                       |
 * |    48 |    8 | gsbase                         long unsigned int                       |
 * |    56 |   32 | ptrace_bps                     struct perf_event *[4]                  |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    88 |    8 | virtual_dr6                    long unsigned int                       |
 * |    96 |    8 | ptrace_dr7                     long unsigned int                       |
 * |   104 |    8 | cr2                            long unsigned int                       |
 * |   112 |    8 | trap_nr                        long unsigned int                       |
 * |   120 |    8 | error_code                     long unsigned int                       |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   128 |    8 | io_bitmap                      struct io_bitmap *                      |
 * |   136 |    8 | iopl_emul                      long unsigned int                       |
 * | 144.0 |   :1 | sig_on_uaccess_err             unsigned int                            |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   192 | 4160 | fpu                            struct fpu                              |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 4352, alignof 64
 * </pre>
 */
public final class ThreadStruct {
    /** The engine's layout of {@code struct thread_struct}. */
    public static final StructLayout LAYOUT = Struct.named("thread_struct")
        .array("tls_array", OpaqueTypes.DESC_STRUCT, 3)
        .field("sp", CTypes.ULONG)
        .field("es", CTypes.USHORT)
        .field("ds", CTypes.USHORT)
        .field("fsindex", CTypes.USHORT)
        .field("gsindex", CTypes.USHORT)
        .field("fsbase", CTypes.ULONG)
        .field("gsbase", CTypes.ULONG)
        .array("ptrace_bps", CTypes.ptr("struct perf_event *"), 4)
        .field("virtual_dr6", CTypes.ULONG)
        .field("ptrace_dr7", CTypes.ULONG)
        .field("cr2", CTypes.ULONG)
        .field("trap_nr", CTypes.ULONG)
        .field("error_code", CTypes.ULONG)
        .field("io_bitmap", CTypes.ptr("struct io_bitmap *"))
        .field("iopl_emul", CTypes.ULONG)
        .bitfield("sig_on_uaccess_err", CTypes.UINT, 1)
        .field("fpu", Fpu.LAYOUT)
        .build();

    /** sizeof(struct thread_struct): 4352. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct thread_struct): 64. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct desc_struct tls_array[3];} at offset 0 (24 bytes). */
    public static final long TLS_ARRAY = LAYOUT.offsetOf("tls_array");

    /** {@code long unsigned int sp;} at offset 24 (8 bytes). */
    public static final long SP = LAYOUT.offsetOf("sp");

    /** {@code short unsigned int es;} at offset 32 (2 bytes). */
    public static final long ES = LAYOUT.offsetOf("es");

    /** {@code short unsigned int ds;} at offset 34 (2 bytes). */
    public static final long DS = LAYOUT.offsetOf("ds");

    /** {@code short unsigned int fsindex;} at offset 36 (2 bytes). */
    public static final long FSINDEX = LAYOUT.offsetOf("fsindex");

    /** {@code short unsigned int gsindex;} at offset 38 (2 bytes). */
    public static final long GSINDEX = LAYOUT.offsetOf("gsindex");

    /** {@code long unsigned int fsbase;} at offset 40 (8 bytes). */
    public static final long FSBASE = LAYOUT.offsetOf("fsbase");

    /** {@code long unsigned int gsbase;} at offset 48 (8 bytes). */
    public static final long GSBASE = LAYOUT.offsetOf("gsbase");

    /** {@code struct perf_event * ptrace_bps[4];} at offset 56 (32 bytes). */
    public static final long PTRACE_BPS = LAYOUT.offsetOf("ptrace_bps");

    /** {@code long unsigned int virtual_dr6;} at offset 88 (8 bytes). */
    public static final long VIRTUAL_DR6 = LAYOUT.offsetOf("virtual_dr6");

    /** {@code long unsigned int ptrace_dr7;} at offset 96 (8 bytes). */
    public static final long PTRACE_DR7 = LAYOUT.offsetOf("ptrace_dr7");

    /** {@code long unsigned int cr2;} at offset 104 (8 bytes). */
    public static final long CR2 = LAYOUT.offsetOf("cr2");

    /** {@code long unsigned int trap_nr;} at offset 112 (8 bytes). */
    public static final long TRAP_NR = LAYOUT.offsetOf("trap_nr");

    /** {@code long unsigned int error_code;} at offset 120 (8 bytes). */
    public static final long ERROR_CODE = LAYOUT.offsetOf("error_code");

    /** {@code struct io_bitmap * io_bitmap;} at offset 128 (8 bytes). */
    public static final long IO_BITMAP = LAYOUT.offsetOf("io_bitmap");

    /** {@code long unsigned int iopl_emul;} at offset 136 (8 bytes). */
    public static final long IOPL_EMUL = LAYOUT.offsetOf("iopl_emul");

    /** {@code unsigned int sig_on_uaccess_err : 1;} bit offset from the start of the struct (1152: byte 144 bit 0). */
    public static final long SIG_ON_UACCESS_ERR_BIT = LAYOUT.bitOffsetOf("sig_on_uaccess_err");
    /** {@code unsigned int sig_on_uaccess_err : 1;} width in bits. */
    public static final int SIG_ON_UACCESS_ERR_WIDTH = LAYOUT.bitWidthOf("sig_on_uaccess_err");

    /** {@code struct fpu fpu;} at offset 192 (4160 bytes). */
    public static final long FPU = LAYOUT.offsetOf("fpu");

    private ThreadStruct() {
    }
}
