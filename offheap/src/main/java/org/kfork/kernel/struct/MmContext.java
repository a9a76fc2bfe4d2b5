package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code mm_context_t}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The x86 part of an mm: LDT, vDSO, TLB generation and protection keys.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | ctx_id                         u64                                     |
 * |     8 |    8 | tlb_gen                        atomic64_t                              |
 * |    16 |   40 | ldt_usr_sem                    struct rw_semaphore                     |
 * |    56 |    8 | ldt                            struct ldt_struct *                     |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    2 | flags                          short unsigned int                      |
 * |    72 |   32 | lock                           struct mutex                            |
 * |   104 |    8 | vdso                           void *                                  |
 * |   112 |    8 | vdso_image                     const struct vdso_image *               |
 * |   120 |    4 | perf_rdpmc_allowed             atomic_t                                |
 * |   124 |    2 | pkey_allocation_map            u16                                     |
 * |   126 |    2 | execute_only_pkey              s16                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 128, alignof 8
 * </pre>
 */
public final class MmContext {
    /** The engine's layout of {@code mm_context_t}. */
    public static final StructLayout LAYOUT = Struct.typedef("mm_context_t")
        .field("ctx_id", CTypes.U64)
        .field("tlb_gen", CTypes.ATOMIC64_T)
        .field("ldt_usr_sem", RwSemaphore.LAYOUT)
        .field("ldt", CTypes.ptr("struct ldt_struct *"))
        .field("flags", CTypes.USHORT)
        .field("lock", Mutex.LAYOUT)
        .field("vdso", CTypes.VOID_PTR)
        .field("vdso_image", CTypes.ptr("const struct vdso_image *"))
        .field("perf_rdpmc_allowed", CTypes.ATOMIC_T)
        .field("pkey_allocation_map", CTypes.U16)
        .field("execute_only_pkey", CTypes.S16)
        .build();

    /** sizeof(mm_context_t): 128. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(mm_context_t): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code u64 ctx_id;} at offset 0 (8 bytes). */
    public static final long CTX_ID = LAYOUT.offsetOf("ctx_id");

    /** {@code atomic64_t tlb_gen;} at offset 8 (8 bytes). */
    public static final long TLB_GEN = LAYOUT.offsetOf("tlb_gen");

    /** {@code struct rw_semaphore ldt_usr_sem;} at offset 16 (40 bytes). */
    public static final long LDT_USR_SEM = LAYOUT.offsetOf("ldt_usr_sem");

    /** {@code struct ldt_struct * ldt;} at offset 56 (8 bytes). */
    public static final long LDT = LAYOUT.offsetOf("ldt");

    /** {@code short unsigned int flags;} at offset 64 (2 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    /** {@code struct mutex lock;} at offset 72 (32 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    /** {@code void * vdso;} at offset 104 (8 bytes). */
    public static final long VDSO = LAYOUT.offsetOf("vdso");

    /** {@code const struct vdso_image * vdso_image;} at offset 112 (8 bytes). */
    public static final long VDSO_IMAGE = LAYOUT.offsetOf("vdso_image");

    /** {@code atomic_t perf_rdpmc_allowed;} at offset 120 (4 bytes). */
    public static final long PERF_RDPMC_ALLOWED = LAYOUT.offsetOf("perf_rdpmc_allowed");

    /** {@code u16 pkey_allocation_map;} at offset 124 (2 bytes). */
    public static final long PKEY_ALLOCATION_MAP = LAYOUT.offsetOf("pkey_allocation_map");

    /** {@code s16 execute_only_pkey;} at offset 126 (2 bytes). */
    public static final long EXECUTE_ONLY_PKEY = LAYOUT.offsetOf("execute_only_pkey");

    private MmContext() {
    }
}
