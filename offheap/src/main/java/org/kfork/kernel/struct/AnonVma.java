package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct anon_vma}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The reverse map of anonymous pages: every VMA that may map them, in an interval tree of
 * anon_vma_chains. A fork gives each child VMA a new anon_vma whose root is the parent's root;
 * degree and refcount decide when it can be reused or freed (mm/rmap.c).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/rmap.h:29.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | root                           struct anon_vma *                       |
 * |     8 |   40 | rwsem                          struct rw_semaphore                     |
 * |    48 |    4 | refcount                       atomic_t                                |
 * |    52 |    4 | degree                         unsigned int                            |
 * |    56 |    8 | parent                         struct anon_vma *                       |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |   16 | rb_root                        struct rb_root_cached                   |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 80, alignof 8
 * </pre>
 */
public final class AnonVma {
    /** The engine's layout of {@code struct anon_vma}. */
    public static final StructLayout LAYOUT = Struct.named("anon_vma")
        .field("root", CTypes.ptr("struct anon_vma *"))
        .field("rwsem", RwSemaphore.LAYOUT)
        .field("refcount", CTypes.ATOMIC_T)
        .field("degree", CTypes.UINT)
        .field("parent", CTypes.ptr("struct anon_vma *"))
        .field("rb_root", RbRootCached.LAYOUT)
        .build();

    /** sizeof(struct anon_vma): 80. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct anon_vma): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct anon_vma * root;} at offset 0 (8 bytes). */
    public static final long ROOT = LAYOUT.offsetOf("root");

    /** {@code struct rw_semaphore rwsem;} at offset 8 (40 bytes). */
    public static final long RWSEM = LAYOUT.offsetOf("rwsem");

    /** {@code atomic_t refcount;} at offset 48 (4 bytes). */
    public static final long REFCOUNT = LAYOUT.offsetOf("refcount");

    /** {@code unsigned int degree;} at offset 52 (4 bytes). */
    public static final long DEGREE = LAYOUT.offsetOf("degree");

    /** {@code struct anon_vma * parent;} at offset 56 (8 bytes). */
    public static final long PARENT = LAYOUT.offsetOf("parent");

    /** {@code struct rb_root_cached rb_root;} at offset 64 (16 bytes). */
    public static final long RB_ROOT = LAYOUT.offsetOf("rb_root");

    private AnonVma() {
    }
}
