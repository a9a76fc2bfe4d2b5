package org.kfork.heap.ds;

/**
 * The heap twin of {@code org.kfork.ds.IntrusiveList}: include/linux/list.h, the kernel's
 * intrusive list, circular and doubly linked, whose head is a node too; an instance is one
 * {@code struct list_head}. Embed by inheritance (container_of is a cast) or composition.
 * The {@code _rcu} variants of the off-heap twin order their publishing write; on the heap they are
 * plain, as the heap twins are single-threaded.
 */
public class HeapIntrusiveList {
    /** {@code next}. */
    HeapIntrusiveList next;
    /** {@code prev}. */
    HeapIntrusiveList prev;

    /** {@code INIT_LIST_HEAD}: an empty list (or a node on no list). */
    public HeapIntrusiveList() {
        this.next = this;
        this.prev = this;
    }

    /** {@code ->next}. */
    public final HeapIntrusiveList next() {
        return next;
    }

    /** {@code ->prev}. */
    public final HeapIntrusiveList prev() {
        return prev;
    }

    /** {@code INIT_LIST_HEAD}. */
    public static void init(HeapIntrusiveList list) {
        list.next = list;
        list.prev = list;
    }

    private static void add(HeapIntrusiveList entry, HeapIntrusiveList prev, HeapIntrusiveList next) {
        next.prev = entry;
        entry.next = next;
        entry.prev = prev;
        prev.next = entry;
    }

    /** {@code list_add}: insert {@code entry} right after {@code head} (a stack). */
    public static void listAdd(HeapIntrusiveList entry, HeapIntrusiveList head) {
        add(entry, head, head.next);
    }

    /** {@code list_add_tail}: insert {@code entry} right before {@code head} (a queue). */
    public static void listAddTail(HeapIntrusiveList entry, HeapIntrusiveList head) {
        add(entry, head.prev, head);
    }

    private static void delEntry(HeapIntrusiveList entry) {
        HeapIntrusiveList prev = entry.prev;
        HeapIntrusiveList next = entry.next;
        next.prev = prev;
        prev.next = next;
    }

    /** {@code list_del}: unlink; the entry's links become null (the twin of the poison values). */
    public static void listDel(HeapIntrusiveList entry) {
        delEntry(entry);
        entry.next = null;
        entry.prev = null;
    }

    /** {@code list_del_init}: unlink and make the entry an empty list. */
    public static void listDelInit(HeapIntrusiveList entry) {
        delEntry(entry);
        init(entry);
    }

    /** {@code list_move_tail}: unlink from its list and add before {@code head}. */
    public static void listMoveTail(HeapIntrusiveList entry, HeapIntrusiveList head) {
        delEntry(entry);
        listAddTail(entry, head);
    }

    /** {@code list_empty}. */
    public static boolean listEmpty(HeapIntrusiveList head) {
        return head.next == head;
    }

    /** {@code list_splice}: join {@code list}'s entries in after {@code head}; {@code list} is left stale. */
    public static void listSplice(HeapIntrusiveList list, HeapIntrusiveList head) {
        if (!listEmpty(list)) {
            HeapIntrusiveList first = list.next;
            HeapIntrusiveList last = list.prev;
            HeapIntrusiveList at = head.next;
            first.prev = head;
            head.next = first;
            last.next = at;
            at.prev = last;
        }
    }

    /** {@code list_splice_init}: {@link #listSplice}, then reinitialise {@code list}. */
    public static void listSpliceInit(HeapIntrusiveList list, HeapIntrusiveList head) {
        if (!listEmpty(list)) {
            listSplice(list, head);
            init(list);
        }
    }

    /**
     * Check the links in both directions; throws {@link IllegalStateException} on a break or after
     * {@code limit} entries (a cycle that misses the head). Returns the number of entries.
     */
    public static int validate(HeapIntrusiveList head, int limit) {
        int n = 0;
        HeapIntrusiveList prev = head;
        for (HeapIntrusiveList p = head.next; p != head; p = p.next) {
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
