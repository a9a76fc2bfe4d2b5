package org.kfork.lib;

import static org.kfork.uapi.Errno.EINVAL;
import static org.kfork.uapi.Errno.ENOSPC;

/**
 * What the two IDR ports ({@code org.kfork.ds.Idr} off-heap, {@code org.kfork.heap.ds.HeapIdr} on
 * the heap) share and what does not depend on the representation: the 5.12 radix tree's geometry
 * (include/linux/xarray.h, include/linux/radix-tree.h with CONFIG_BASE_SMALL=0 and CONFIG_LOCKDEP
 * off), the root flags of an IDR (include/linux/idr.h), and the argument arithmetic of
 * idr_alloc, idr_alloc_u32 and idr_alloc_cyclic (lib/idr.c).
 *
 * <p>Ids are C {@code int}s and cursors C {@code unsigned int}s; both are Java {@code int}s here,
 * compared unsigned where 5.12 compares them unsigned. Tree indices (id minus idr_base) are C
 * {@code unsigned long}s, Java {@code long}s that never exceed 2^36 in an IDR.
 */
public final class IdrRules {
    /** RADIX_TREE_MAP_SHIFT (XA_CHUNK_SHIFT): 6 index bits per level. */
    public static final int RADIX_TREE_MAP_SHIFT = 6;
    /** RADIX_TREE_MAP_SIZE (XA_CHUNK_SIZE): 64 slots per node. */
    public static final int RADIX_TREE_MAP_SIZE = 1 << RADIX_TREE_MAP_SHIFT;
    /** RADIX_TREE_MAP_MASK. */
    public static final int RADIX_TREE_MAP_MASK = RADIX_TREE_MAP_SIZE - 1;
    /** XA_MAX_MARKS (RADIX_TREE_MAX_TAGS): three tag bitmaps per node. */
    public static final int XA_MAX_MARKS = 3;
    /** XA_MARK_LONGS: one 64-bit word per tag bitmap. */
    public static final int XA_MARK_LONGS = 1;
    /** IDR_FREE: the tag an IDR keeps on every slot with a free id below it. */
    public static final int IDR_FREE = 0;
    /** __GFP_BITS_SHIFT with CONFIG_LOCKDEP off: the root tags sit above the gfp bits of xa_flags. */
    public static final int ROOT_TAG_SHIFT = 23;
    /** ROOT_IS_IDR: the xa_flags bit that makes a radix tree an IDR. */
    public static final int ROOT_IS_IDR = 4;
    /** IDR_RT_MARKER: ROOT_IS_IDR plus the root's IDR_FREE tag, the xa_flags of an empty IDR (0x800004). */
    public static final int IDR_RT_MARKER = ROOT_IS_IDR | 1 << (ROOT_TAG_SHIFT + IDR_FREE);
    /** RADIX_TREE_ENTRY_MASK: the low two bits of a slot say what it holds. */
    public static final long RADIX_TREE_ENTRY_MASK = 3;
    /** RADIX_TREE_INTERNAL_NODE: low bits 10 mark an internal entry (a node pointer, in an IDR). */
    public static final long RADIX_TREE_INTERNAL_NODE = 2;
    /** IDR_INDEX_BITS: ids are non-negative ints. */
    public static final int IDR_INDEX_BITS = 31;
    /** IDR_MAX_PATH: the most levels an IDR needs, DIV_ROUND_UP(31, 6). */
    public static final int IDR_MAX_PATH = (IDR_INDEX_BITS + RADIX_TREE_MAP_SHIFT - 1) / RADIX_TREE_MAP_SHIFT;
    /**
     * IDR_PRELOAD_SIZE: 5.12's bound on the nodes one idr_alloc may need, and what idr_preload
     * sets aside (a caller that keeps a reserve of nodes sizes it with this).
     */
    public static final int IDR_PRELOAD_SIZE = IDR_MAX_PATH * 2 - 1;
    /** INT_MAX, the largest id. */
    public static final int INT_MAX = Integer.MAX_VALUE;

    private IdrRules() {
    }

    /** shift_maxindex: the largest index a node of this shift covers. */
    public static long shiftMaxindex(int shift) {
        return ((long) RADIX_TREE_MAP_SIZE << shift) - 1;
    }

    /** radix_tree_is_internal_node / xa_is_internal: low bits 10. */
    public static boolean isInternal(long entry) {
        return (entry & RADIX_TREE_ENTRY_MASK) == RADIX_TREE_INTERNAL_NODE;
    }

    /** xa_is_value: low bit 1, an entry the node counts in nr_values. */
    public static boolean isValue(long entry) {
        return (entry & 1) != 0;
    }

    /** idr_alloc's refusal of a negative start (its WARN_ON_ONCE): -EINVAL, or 0 to go on. */
    public static int idrAllocCheck(int start) {
        return start < 0 ? -EINVAL : 0;
    }

    /** idr_alloc and idr_alloc_cyclic: the inclusive maximum id for an exclusive {@code end}; end <= 0 means INT_MAX. */
    public static int idrAllocMax(int end) {
        return end > 0 ? end - 1 : INT_MAX;
    }

    /** idr_alloc_u32: the first tree index to try for id {@code id} (unsigned), 0 below {@code base}. */
    public static long idrFirstIndex(int id, int base) {
        return Integer.compareUnsigned(id, base) < 0 ? 0 : Integer.toUnsignedLong(id - base);
    }

    /**
     * idr_alloc_u32: the largest tree index for the inclusive maximum id {@code max}. 5.12 computes
     * {@code max - base} in unsigned long and so wraps when {@code max < base}, letting the
     * allocation go past {@code end}; here that case gives -1, which every start exceeds, so the
     * allocation fails with -ENOSPC.
     */
    public static long idrMaxIndex(long max, int base) {
        final long m = max - Integer.toUnsignedLong(base);
        return m < 0 ? -1 : m;
    }

    /** The unsigned-long view of a C id argument (idr_find, idr_remove, idr_replace), minus idr_base. */
    public static long idrIndex(long id, int base) {
        return id - Integer.toUnsignedLong(base);
    }

    /** idr_get_next_ul: the first index to look at for {@code id} (sign-extended as C does), 0 below base. */
    public static long idrNextIndex(int id, int base) {
        final long ul = id;
        return Long.compareUnsigned(ul, Integer.toUnsignedLong(base)) < 0 ? 0 : ul - Integer.toUnsignedLong(base);
    }

    /** idr_alloc_cyclic: where the search starts, the cursor unless it is (as an int) below {@code start}. */
    public static int idrCyclicFirst(int cursor, int start) {
        return cursor < start ? start : cursor;
    }

    /**
     * idr_alloc_cyclic: whether to search again from {@code start} after the first search from
     * {@code first} returned {@code err}: only for -ENOSPC, and only if it did not already start
     * there (the comparison is unsigned, as 5.12 compares its u32 id with the int start).
     */
    public static boolean idrCyclicWraps(int err, int first, int start) {
        return err == -ENOSPC && Integer.compareUnsigned(first, start) > 0;
    }
}
