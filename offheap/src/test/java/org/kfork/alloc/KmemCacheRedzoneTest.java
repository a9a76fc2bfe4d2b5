package org.kfork.alloc;

/**
 * {@link KmemCacheTest} again, on a machine with KASAN redzones: every cache has KASAN's larger
 * stride, and everything the suite asserts of SLUB (reuse order, slab sizes, partial slabs, the
 * per-CPU lists, checked mode's reports) must hold with that geometry too.
 */
class KmemCacheRedzoneTest extends KmemCacheTest {
    @Override
    boolean withRedzones() {
        return true;
    }
}
