package org.kfork.heap.alloc;

/**
 * The small interface a heap twin allocates its objects through, so that code and benchmarks can
 * switch between allocation strategies. It mirrors kmem_cache_alloc / kmem_cache_free.
 *
 * @param <T> the object type
 */
public interface ObjectCache<T> {
    /** The cache's name, as in /proc/slabinfo. */
    String name();

    /** kmem_cache_alloc: a constructed object, never null on the heap (the GC throws OOM instead). */
    T alloc();

    /** kmem_cache_free: give the object back. */
    void free(T object);
}
