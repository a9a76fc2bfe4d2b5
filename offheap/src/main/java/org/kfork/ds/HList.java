package org.kfork.ds;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.getLongAcquire;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.machine.Mem.putLongRelease;

/**
 * {@code hlist_head}/{@code hlist_node}: hash-bucket lists with a one-pointer head. A node's
 * {@code pprev} holds the address of the pointer that points at the node (the previous node's
 * {@code next} or the head's {@code first}), so a node unlinks itself without knowing its head.
 *
 * <pre>
 *   struct hlist_head (8)     struct hlist_node (16)
 *   +0 first                  +0 next
 *                             +8 pprev
 * </pre>
 * Iterate with {@code for (long n = HList.first(h); n != 0; n = HList.next(n))}; to delete while
 * iterating, read {@code next} first.
 */
public final class HList {
    /** {@code sizeof(struct hlist_head)}. */
    public static final int SIZEOF_HEAD = 8;
    /** {@code offsetof(struct hlist_head, first)}. */
    public static final int FIRST = 0;
    /** {@code sizeof(struct hlist_node)}. */
    public static final int SIZEOF_NODE = 16;
    /** {@code offsetof(struct hlist_node, next)}. */
    public static final int NEXT = 0;
    /** {@code offsetof(struct hlist_node, pprev)}. */
    public static final int PPREV = 8;

    private HList() {
    }

    /** {@code INIT_HLIST_HEAD}. */
    public static void initHead(long h) {
        putLong(h + FIRST, 0);
    }

    /** {@code INIT_HLIST_NODE}: an unhashed node. */
    public static void initNode(long n) {
        putLong(n + NEXT, 0);
        putLong(n + PPREV, 0);
    }

    /** {@code h->first}. */
    public static long first(long h) {
        return getLong(h + FIRST);
    }

    /** {@code rcu_dereference(hlist_first_rcu(h))}: an acquire load. */
    public static long firstRcu(long h) {
        return getLongAcquire(h + FIRST);
    }

    /** {@code n->next}. */
    public static long next(long n) {
        return getLong(n + NEXT);
    }

    /** {@code rcu_dereference(n->next)}: an acquire load. */
    public static long nextRcu(long n) {
        return getLongAcquire(n + NEXT);
    }

    /** {@code hlist_empty}. */
    public static boolean empty(long h) {
        return getLong(h + FIRST) == 0;
    }

    /** {@code hlist_unhashed}. */
    public static boolean unhashed(long n) {
        return getLong(n + PPREV) == 0;
    }

    /** {@code hlist_add_head}. */
    public static void addHead(long n, long h) {
        long first = getLong(h + FIRST);
        putLong(n + NEXT, first);
        if (first != 0) {
            putLong(first + PPREV, n + NEXT);
        }
        putLong(h + FIRST, n);
        putLong(n + PPREV, h + FIRST);
    }

    /** {@code hlist_add_head_rcu}: the node's links are written before the release store that publishes it. */
    public static void addHeadRcu(long n, long h) {
        long first = getLong(h + FIRST);
        putLong(n + NEXT, first);
        putLong(n + PPREV, h + FIRST);
        putLongRelease(h + FIRST, n);
        if (first != 0) {
            putLong(first + PPREV, n + NEXT);
        }
    }

    private static void del(long n) {
        long next = getLong(n + NEXT);
        long pprev = getLong(n + PPREV);
        putLong(pprev, next);
        if (next != 0) {
            putLong(next + PPREV, pprev);
        }
    }

    /** {@code hlist_del}: unlink and poison (LIST_POISON1 in next, LIST_POISON2 in pprev). */
    public static void delete(long n) {
        del(n);
        putLong(n + NEXT, IntrusiveList.LIST_POISON1);
        putLong(n + PPREV, IntrusiveList.LIST_POISON2);
    }

    /**
     * {@code hlist_del_rcu}: unlink, keeping {@code next} so that a reader standing on the node
     * can go on; only {@code pprev} is poisoned (LIST_POISON2).
     */
    public static void delRcu(long n) {
        del(n);
        putLong(n + PPREV, IntrusiveList.LIST_POISON2);
    }

    /**
     * {@code hlist_replace_rcu}: {@code nw} takes the place of {@code old} in its list; the store
     * that makes it reachable is a release, after its own links are written. {@code old} keeps its
     * {@code next} for readers and gets a poisoned {@code pprev}.
     */
    public static void replaceRcu(long old, long nw) {
        final long next = getLong(old + NEXT);
        final long pprev = getLong(old + PPREV);
        putLong(nw + NEXT, next);
        putLong(nw + PPREV, pprev);
        putLongRelease(pprev, nw);
        if (next != 0) {
            putLong(next + PPREV, nw + NEXT);
        }
        putLong(old + PPREV, IntrusiveList.LIST_POISON2);
    }

    /**
     * {@code hlists_swap_heads_rcu}: exchanges the lists of two heads, each holding one node at
     * least (5.12's only caller, exchange_tids, swaps single-entry lists).
     */
    public static void swapHeadsRcu(long left, long right) {
        final long node1 = getLong(left + FIRST);
        final long node2 = getLong(right + FIRST);
        putLongRelease(left + FIRST, node2);
        putLongRelease(right + FIRST, node1);
        putLong(node2 + PPREV, left + FIRST);
        putLong(node1 + PPREV, right + FIRST);
    }

    /** {@code hlist_del_init}: unlink if hashed, and leave the node unhashed. */
    public static void delInit(long n) {
        if (!unhashed(n)) {
            del(n);
            initNode(n);
        }
    }

    /**
     * Check that each node's pprev holds the address of the pointer that points at it; throws
     * {@link IllegalStateException}, also past {@code limit} nodes. Returns the count.
     */
    public static int validate(long h, int limit) {
        int count = 0;
        long slot = h + FIRST;
        for (long n = getLong(h + FIRST); n != 0; n = getLong(n + NEXT)) {
            if (n == IntrusiveList.LIST_POISON1) {
                throw new IllegalStateException("hlist " + RbTree.hex(h) + ": reached a deleted node via "
                        + RbTree.hex(slot));
            }
            if (getLong(n + PPREV) != slot) {
                throw new IllegalStateException("hlist " + RbTree.hex(h) + ": pprev of " + RbTree.hex(n) + " is "
                        + RbTree.hex(getLong(n + PPREV)) + ", expected " + RbTree.hex(slot));
            }
            if (++count > limit) {
                throw new IllegalStateException("hlist " + RbTree.hex(h) + ": more than " + limit + " nodes");
            }
            slot = n + NEXT;
        }
        return count;
    }
}
