package org.kfork.heap.ds;

/**
 * The heap twin of {@code struct list_head} and include/linux/list.h: a circular doubly linked
 * list whose head is a node too. Embed by inheritance (container_of is a cast) or composition.
 * The {@code _rcu} variants of the off-heap twin order their publishing write; on the heap they are
 * plain, as the heap twins are single-threaded.
 */
public class HeapListHead {
    /** {@code next}. */
    HeapListHead next;
    /** {@code prev}. */
    HeapListHead prev;

    /** {@code INIT_LIST_HEAD}: an empty list (or a node on no list). */
    public HeapListHead() {
        this.next = this;
        this.prev = this;
    }

    /** {@code ->next}. */
    public final HeapListHead next() {
        return next;
    }

    /** {@code ->prev}. */
    public final HeapListHead prev() {
        return prev;
    }

    /** {@code INIT_LIST_HEAD}. */
    public static void init(HeapListHead list) {
        list.next = list;
        list.prev = list;
    }

    private static void add(HeapListHead entry, HeapListHead prev, HeapListHead next) {
        next.prev = entry;
        entry.next = next;
        entry.prev = prev;
        prev.next = entry;
    }

    /** {@code list_add}: insert {@code entry} right after {@code head} (a stack). */
    public static void listAdd(HeapListHead entry, HeapListHead head) {
        add(entry, head, head.next);
    }

    /** {@code list_add_tail}: insert {@code entry} right before {@code head} (a queue). */
    public static void listAddTail(HeapListHead entry, HeapListHead head) {
        add(entry, head.prev, head);
    }

    private static void delEntry(HeapListHead entry) {
        HeapListHead prev = entry.prev;
        HeapListHead next = entry.next;
        next.prev = prev;
        prev.next = next;
    }

    /** {@code list_del}: unlink; the entry's links become null (the twin of the poison values). */
    public static void listDel(HeapListHead entry) {
        delEntry(entry);
        entry.next = null;
        entry.prev = null;
    }

    /** {@code list_del_init}: unlink and make the entry an empty list. */
    public static void listDelInit(HeapListHead entry) {
        delEntry(entry);
        init(entry);
    }

    /** {@code list_move_tail}: unlink from its list and add before {@code head}. */
    public static void listMoveTail(HeapListHead entry, HeapListHead head) {
        delEntry(entry);
        listAddTail(entry, head);
    }

    /** {@code list_empty}. */
    public static boolean listEmpty(HeapListHead head) {
        return head.next == head;
    }

    /** {@code list_splice}: join {@code list}'s entries in after {@code head}; {@code list} is left stale. */
    public static void listSplice(HeapListHead list, HeapListHead head) {
        if (!listEmpty(list)) {
            HeapListHead first = list.next;
            HeapListHead last = list.prev;
            HeapListHead at = head.next;
            first.prev = head;
            head.next = first;
            last.next = at;
            at.prev = last;
        }
    }

    /** {@code list_splice_init}: {@link #listSplice}, then reinitialise {@code list}. */
    public static void listSpliceInit(HeapListHead list, HeapListHead head) {
        if (!listEmpty(list)) {
            listSplice(list, head);
            init(list);
        }
    }

    /**
     * Check the links in both directions; throws {@link IllegalStateException} on a break or after
     * {@code limit} entries (a cycle that misses the head). Returns the number of entries.
     */
    public static int validate(HeapListHead head, int limit) {
        int n = 0;
        HeapListHead prev = head;
        for (HeapListHead p = head.next; p != head; p = p.next) {
            if (p == null) {
                throw new IllegalStateException("list: null next after " + prev);
            }
            if (p.prev != prev) {
                throw new IllegalStateException("list: " + p + ".prev is " + p.prev + ", expected " + prev);
            }
            if (++n > limit) {
                throw new IllegalStateException("list: more than " + limit + " entries (a cycle?)");
            }
            prev = p;
        }
        if (head.prev != prev) {
            throw new IllegalStateException("list: head.prev is " + head.prev + ", expected " + prev);
        }
        return n;
    }
}
