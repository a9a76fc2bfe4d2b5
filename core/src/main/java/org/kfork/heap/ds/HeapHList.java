package org.kfork.heap.ds;

/**
 * The heap twin of {@code hlist_head}/{@code hlist_node}: a singly headed, doubly linked list (hash
 * buckets). C's {@code pprev} points at the previous node's {@code next} field or the head's
 * {@code first}; here both are a {@link Slot}, so {@code pprev} is the slot holding the pointer to us.
 */
public final class HeapHList {
    private HeapHList() {
    }

    /** Something holding a forward pointer: a head ({@code first}) or a node ({@code next}). */
    public abstract static class Slot {
        /** {@code head->first} or {@code node->next}. */
        Node next;

        Slot() {
        }
    }

    /** {@code struct hlist_head}. */
    public static class Head extends Slot {
        /** An empty bucket. */
        public Head() {
        }

        /** {@code ->first}. */
        public final Node first() {
            return next;
        }
    }

    /** {@code struct hlist_node}; embed by inheritance or composition. */
    public static class Node extends Slot {
        /** {@code pprev}: the slot that points at this node; null when unhashed. */
        Slot pprev;

        /** An unhashed node ({@code INIT_HLIST_NODE}). */
        public Node() {
        }

        /** {@code ->next}. */
        public final Node next() {
            return next;
        }
    }

    /** {@code hlist_empty}. */
    public static boolean empty(Head h) {
        return h.next == null;
    }

    /** {@code hlist_unhashed}. */
    public static boolean unhashed(Node n) {
        return n.pprev == null;
    }

    /** {@code hlist_add_head}. */
    public static void addHead(Node n, Head h) {
        Node first = h.next;
        n.next = first;
        if (first != null) {
            first.pprev = n;
        }
        h.next = n;
        n.pprev = h;
    }

    private static void del(Node n) {
        Node next = n.next;
        Slot pprev = n.pprev;
        pprev.next = next;
        if (next != null) {
            next.pprev = pprev;
        }
    }

    /** {@code hlist_del}: unlink; links become null (the twin of the poison values). */
    public static void delete(Node n) {
        del(n);
        n.next = null;
        n.pprev = null;
    }

    /** {@code hlist_del_init}: unlink if hashed and leave the node unhashed. */
    public static void delInit(Node n) {
        if (!unhashed(n)) {
            del(n);
            n.next = null;
            n.pprev = null;
        }
    }

    /** Check every node's {@code pprev}; returns the count. Throws {@link IllegalStateException}. */
    public static int validate(Head h, int limit) {
        int count = 0;
        Slot prev = h;
        for (Node n = h.next; n != null; n = n.next) {
            if (n.pprev != prev) {
                throw new IllegalStateException("hlist: " + n + ".pprev is " + n.pprev + ", expected " + prev);
            }
            if (++count > limit) {
                throw new IllegalStateException("hlist: more than " + limit + " nodes (a cycle?)");
            }
            prev = n;
        }
        return count;
    }
}
