package org.kfork.kernel.mm;

import org.kfork.kernel.struct.RbRootCached;
import org.kfork.kernel.struct.RwSemaphore;
import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct anon_vma} (include/linux/rmap.h, 5.12 x86_64). Not in the reference CSV (fork.c
 * never touches it directly); laid out by the engine from the 5.12 declaration.
 *
 * <pre>
 * +-----+------+--------------------------------------------+
 * | off | size | member                                     |
 * +-----+------+--------------------------------------------+
 * |   0 |    8 | root       struct anon_vma *               |
 * |   8 |   40 | rwsem      struct rw_semaphore             |
 * |  48 |    4 | refcount   atomic_t                        |
 * |  52 |    4 | degree     unsigned int                    |
 * |  56 |    8 | parent     struct anon_vma *               |
 * +=====+======+ cacheline 1 (64) ===========================+
 * |  64 |   16 | rb_root    struct rb_root_cached           |
 * +-----+------+--------------------------------------------+
 *   sizeof 80, alignof 8
 * </pre>
 */
public final class AnonVmaStruct {
    /** The engine's layout. */
    public static final StructLayout LAYOUT = Struct.named("anon_vma")
        .field("root", CTypes.ptr("struct anon_vma *"))
        .field("rwsem", RwSemaphore.LAYOUT)
        .field("refcount", CTypes.ATOMIC_T)
        .field("degree", CTypes.UINT)
        .field("parent", CTypes.ptr("struct anon_vma *"))
        .field("rb_root", RbRootCached.LAYOUT)
        .build();
    /** sizeof(struct anon_vma): 80. */
    public static final int SIZEOF = (int) LAYOUT.size();
    /** {@code struct anon_vma *root;} */
    public static final long ROOT = LAYOUT.offsetOf("root");
    /** {@code struct rw_semaphore rwsem;} */
    public static final long RWSEM = LAYOUT.offsetOf("rwsem");
    /** {@code atomic_t refcount;} */
    public static final long REFCOUNT = LAYOUT.offsetOf("refcount");
    /** {@code unsigned degree;} */
    public static final long DEGREE = LAYOUT.offsetOf("degree");
    /** {@code struct anon_vma *parent;} */
    public static final long PARENT = LAYOUT.offsetOf("parent");
    /** {@code struct rb_root_cached rb_root;} */
    public static final long RB_ROOT = LAYOUT.offsetOf("rb_root");

    private AnonVmaStruct() {
    }
}
