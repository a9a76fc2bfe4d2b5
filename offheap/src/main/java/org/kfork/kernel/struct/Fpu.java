package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct fpu}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The FPU state; the register union is 4096 bytes here, and cache-line aligned.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | last_cpu                       unsigned int                            |
 * |     8 |    8 | avx512_timestamp               long unsigned int                       |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 | 4096 | state                          union fpregs_state                      |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 4160, alignof 64
 * </pre>
 */
public final class Fpu {
    /** The engine's layout of {@code struct fpu}. */
    public static final StructLayout LAYOUT = Struct.named("fpu")
        .field("last_cpu", CTypes.UINT)
        .field("avx512_timestamp", CTypes.ULONG)
        .field("state", OpaqueTypes.UNION_FPREGS_STATE)
        .build();

    /** sizeof(struct fpu): 4160. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct fpu): 64. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code unsigned int last_cpu;} at offset 0 (4 bytes). */
    public static final long LAST_CPU = LAYOUT.offsetOf("last_cpu");

    /** {@code long unsigned int avx512_timestamp;} at offset 8 (8 bytes). */
    public static final long AVX512_TIMESTAMP = LAYOUT.offsetOf("avx512_timestamp");

    /** {@code union fpregs_state state;} at offset 64 (4096 bytes). */
    public static final long STATE = LAYOUT.offsetOf("state");

    private Fpu() {
    }
}
