package org.kfork.ds;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.getLongAcquire;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.machine.Mem.putLongRelease;

/**
 * include/linux/list.h over modeled addresses: the kernel's intrusive list, circular and doubly
 * linked, whose head is an entry too. Each entry is a {@code struct list_head} embedded in the
 * caller's struct (its layout, as the kernel structs use it, is
 * {@code org.kfork.kernel.struct.ListHead}; this class holds the operations on it).
 *
 * <pre>
 *   struct list_head (16 bytes)
 *   +0 next
 *   +8 prev
 * </pre>
 *
 * Iteration is a caller loop, as with the kernel's macros; the removal-safe form reads the next
 * entry before the body runs:
 * <pre>{@code
 * for (long pos = IntrusiveList.next(head), n = IntrusiveList.next(pos); pos != head;
 *         pos = n, n = IntrusiveList.next(pos)) {
 *     long task = pos - OFFSET_OF_LIST_IN_TASK;   // list_entry = container_of
 *     ...  // may IntrusiveList.del(pos)
 * }
 * }</pre>
 *
 * The {@code _rcu} variants publish a new entry with a release store of the pointer that makes it
 * reachable (rcu_assign_pointer), after the entry's own links are written; readers traverse with
 * {@link #nextRcu} (an acquire load, the rcu_dereference). Removal never frees: the caller waits
 * for readers (synchronize_rcu or call_rcu) before reusing the entry.
 */
public final class IntrusiveList {
    /** {@code sizeof(struct list_head)}. */
    public static final int SIZEOF = 16;
    /** {@code offsetof(struct list_head, next)}. */
    public static final int NEXT = 0;
    /** {@code offsetof(struct list_head, prev)}. */
    public static final int PREV = 8;
    /** {@code LIST_POISON1}: written to next by list_del, so a use after removal faults. */
    public static final long LIST_POISON1 = 0xdead000000000100L;
    /** {@code LIST_POISON2}: written to prev by list_del. */
    public static final long LIST_POISON2 = 0xdead000000000122L;

    private IntrusiveList() {
    }

    /** {@code ->next}. */
    public static long next(long entry) {
        return getLong(entry + NEXT);
    }

    /** {@code ->prev}. */
    public static long prev(long entry) {
        return getLong(entry + PREV);
    }

    /** {@code rcu_dereference(entry->next)}: an acquire load, for RCU readers. */
    public static long nextRcu(long entry) {
        return getLongAcquire(entry + NEXT);
    }

    /** {@code INIT_LIST_HEAD}: an empty list (or an entry on no list). */
    public static void init(long list) {
        putLong(list + NEXT, list);
        putLong(list + PREV, list);
    }

    private static void add(long entry, long prev, long next) {
        putLong(next + PREV, entry);
        putLong(entry + NEXT, next);
        putLong(entry + PREV, prev);
        putLong(prev + NEXT, entry);
    }

    /** {@code list_add}: insert {@code entry} right after {@code head} (stack order). */
    public static void add(long entry, long head) {
        add(entry, head, getLong(head + NEXT));
    }

    /** {@code list_add_tail}: insert {@code entry} right before {@code head} (queue order). */
    public static void addTail(long entry, long head) {
        add(entry, getLong(head + PREV), head);
    }

    private static void delEntry(long entry) {
        long prev = getLong(entry + PREV);
        long next = getLong(entry + NEXT);
        putLong(next + PREV, prev);
        putLong(prev + NEXT, next);
    }

    /** {@code list_del}: unlink and poison the entry's links (LIST_POISON1/2). */
    public static void del(long entry) {
        delEntry(entry);
        putLong(entry + NEXT, LIST_POISON1);
        putLong(entry + PREV, LIST_POISON2);
    }

    /** {@code list_del_init}: unlink and leave the entry an empty list. */
    public static void delInit(long entry) {
        delEntry(entry);
        init(entry);
    }

    /** {@code list_move_tail}: unlink {@code entry} and add it before {@code head}. */
    public static void moveTail(long entry, long head) {
        delEntry(entry);
        addTail(entry, head);
    }

    /** {@code list_empty}. */
    public static boolean empty(long head) {
        return getLong(head + NEXT) == head;
    }

    /** {@code list_splice}: join {@code list}'s entries in right after {@code head}; {@code list} is left stale. */
    public static void splice(long list, long head) {
        if (!empty(list)) {
            long first = getLong(list + NEXT);
            long last = getLong(list + PREV);
            long at = getLong(head + NEXT);
            putLong(first + PREV, head);
            putLong(head + NEXT, first);
            putLong(last + NEXT, at);
            putLong(at + PREV, last);
        }
    }

    /** {@code list_splice_init}: {@link #splice}, then make {@code list} empty. */
    public static void spliceInit(long list, long head) {
        if (!empty(list)) {
            splice(list, head);
            init(list);
        }
    }

    private static void addRcu(long entry, long prev, long next) {
        putLong(entry + NEXT, next);
        putLong(entry + PREV, prev);
        // rcu_assign_pointer: the entry's links are visible before the entry is reachable
        putLongRelease(prev + NEXT, entry);
        putLong(next + PREV, entry);
    }

    /** {@code list_add_rcu}. */
    public static void addRcu(long entry, long head) {
        addRcu(entry, head, getLong(head + NEXT));
    }

    /** {@code list_add_tail_rcu}. */
    public static void addTailRcu(long entry, long head) {
        addRcu(entry, getLong(head + PREV), head);
    }

    /**
     * {@code list_del_rcu}: unlink, but keep {@code next} intact so a reader standing on the entry
     * can still move on; only prev is poisoned.
     */
    public static void delRcu(long entry) {
        long prev = getLong(entry + PREV);
        long next = getLong(entry + NEXT);
        putLong(next + PREV, prev);
        // WRITE_ONCE: one 8-byte store, so readers see the old or the new successor, never a torn one
        putLongRelease(prev + NEXT, next);
        putLong(entry + PREV, LIST_POISON2);
    }

    /**
     * Check the links in both directions ({@code next->prev == entry}, the walk returns to the head)
     * and that no poison is reachable; throws {@link IllegalStateException}, also after {@code limit}
     * entries (a cycle that misses the head). Returns the number of entries.
     */
    public static int validate(long head, int limit) {
        int n = 0;
        long prev = head;
        long p = getLong(head + NEXT);
        while (p != head) {
            if (p == LIST_POISON1 || p == 0) {
                throw new IllegalStateException("list " + RbTree.hex(head) + ": next of " + RbTree.hex(prev)
                        + " is " + RbTree.hex(p) + " (a deleted entry?)");
            }
            if (getLong(p + PREV) != prev) {
                throw new IllegalStateException("list " + RbTree.hex(head) + ": prev of " + RbTree.hex(p)
                        + " is " + RbTree.hex(getLong(p + PREV)) + ", expected " + RbTree.hex(prev));
            }
            if (++n > limit) {
                throw new IllegalStateException("list " + RbTree.hex(head) + ": more than " + limit + " entries");
            }
            prev = p;
            p = getLong(p + NEXT);
        }
        if (getLong(head + PREV) != prev) {
            throw new IllegalStateException("list " + RbTree.hex(head) + ": head prev is "
                    + RbTree.hex(getLong(head + PREV)) + ", expected " + RbTree.hex(prev));
        }
        return n;
    }
}
