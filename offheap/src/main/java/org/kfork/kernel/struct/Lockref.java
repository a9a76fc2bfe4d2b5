package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code struct lockref}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A spinlock and a reference count in one 64-bit word, so that a get or a put is one cmpxchg when
 * the lock is free (CONFIG_ARCH_USE_CMPXCHG_LOCKREF): how a dentry counts its users (dget, dput).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/lockref.h:25) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | {anon union @0}                union {anon}                            |
 * |     0 |    8 |   lock_count                   aligned_u64                             |
 * |     0 |    8 |   {anon struct @0}             struct {anon}                           |
 * |     0 |    4 |     lock                       spinlock_t                              |
 * |     4 |    4 |     count                      int                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 8, alignof 8
 * </pre>
 */
public final class Lockref {
    /** The engine's layout of {@code struct lockref}. */
    public static final StructLayout LAYOUT = Struct.named("lockref")
        .anonymous(Union.anonymous()
                .field("lock_count", CTypes.ALIGNED_U64)
                .anonymous(Struct.anonymous()
                        .field("lock", CTypes.SPINLOCK_T)
                        .field("count", CTypes.INT)))
        .build();

    /** sizeof(struct lockref): 8. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct lockref): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code aligned_u64 lock_count;} at offset 0 (8 bytes). */
    public static final long LOCK_COUNT = LAYOUT.offsetOf("lock_count");

    /** {@code spinlock_t lock;} at offset 0 (4 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    /** {@code int count;} at offset 4 (4 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    private Lockref() {
    }
}
