package org.kfork.heap.ds;

/**
 * The heap twin of {@code struct idr} (and of the {@code struct xarray} at its start): the root
 * flags, the head of the radix tree, the first id and the cyclic cursor. {@link HeapIdr} works on
 * it; the stored objects are {@code T}s.
 *
 * @param <T> the type of the objects stored under the ids
 */
public final class HeapIdrRoot<T> {
    /** {@code idr_rt.xa_flags}: ROOT_IS_IDR and the root tags. */
    int xaFlags;
    /** {@code idr_rt.xa_head}: the head node, or null (read and written through HeapRadixTree's VarHandle). */
    Object xaHead;
    /** {@code idr_base}. */
    int idrBase;
    /** {@code idr_next}: idr_alloc_cyclic's cursor (read and written once through HeapIdr's VarHandle). */
    int idrNext;

    /** An IDR root; {@link HeapIdr#idrInit} makes it an empty IDR. */
    public HeapIdrRoot() {
    }

    /** {@code idr->idr_rt.xa_flags}. */
    public int xaFlags() {
        return xaFlags;
    }

    /** {@code idr->idr_rt.xa_head}: the head node or null. */
    public Object xaHead() {
        return xaHead;
    }

    /** {@code idr->idr_base}. */
    public int idrBase() {
        return idrBase;
    }
}
