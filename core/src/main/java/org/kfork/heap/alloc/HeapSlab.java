package org.kfork.heap.alloc;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The heap "slab": {@code new} plus the GC behind {@link ObjectCache}. alloc runs the constructor
 * (the twin of the slab ctor plus the caller's init); free drops the reference and lets the GC
 * reclaim it, which is the whole point of comparing it with the off-heap kmem_cache.
 *
 * @param <T> the object type
 */
public final class HeapSlab<T> implements ObjectCache<T> {
    private final String name;
    private final Supplier<? extends T> factory;

    /**
     * Creates a heap slab.
     *
     * @param name    the cache name (e.g. "vm_area_struct")
     * @param factory makes a new, constructed object
     */
    public HeapSlab(String name, Supplier<? extends T> factory) {
        this.name = Objects.requireNonNull(name);
        this.factory = Objects.requireNonNull(factory);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public T alloc() {
        return factory.get();
    }

    /** Nothing to do: the object becomes garbage once the caller drops it. */
    @Override
    public void free(T object) {
        // The GC is the free list.
    }
}
