package org.kfork.heap.ds;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The heap twin of {@code hlist_head}/{@code hlist_node}: a singly headed, doubly linked list (hash
 * buckets). C's {@code pprev} points at the previous node's {@code next} field or the head's
 * {@code first}; here both are a {@link Slot}, so {@code pprev} is the slot holding the pointer to us.
 */
public final class HeapHList {
    /** {@code next}/{@code first} for the RCU variants' release stores and acquire loads. */
    private static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Slot.class, "next", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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

    /** {@code rcu_dereference(hlist_first_rcu(h))}: an acquire load. */
    public static Node firstRcu(Head h) {
        return (Node) NEXT.getAcquire(h);
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

    /** {@code hlist_add_head_rcu}: the node's links are written before the release store that publishes it. */
    public static void addHeadRcu(Node n, Head h) {
        Node first = h.next;
        n.next = first;
        n.pprev = h;
        NEXT.setRelease(h, n);
        if (first != null) {
            first.pprev = n;
        }
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

    /**
     * {@code hlist_del_rcu}: unlink, keeping {@code next} for a reader standing on the node;
     * {@code pprev} becomes null (the twin of LIST_POISON2).
     */
    public static void delRcu(Node n) {
        del(n);
        n.pprev = null;
    }

    /** {@code hlist_replace_rcu}: {@code nw} takes the place of {@code old}; {@code old} keeps its next. */
    public static void replaceRcu(Node old, Node nw) {
        final Node next = old.next;
        final Slot pprev = old.pprev;
        nw.next = next;
        nw.pprev = pprev;
        NEXT.setRelease(pprev, nw);
        if (next != null) {
            next.pprev = nw;
        }
        old.pprev = null;
    }

    /** {@code hlists_swap_heads_rcu}: exchanges the lists of two heads holding one node at least. */
    public static void swapHeadsRcu(Head left, Head right) {
        final Node node1 = left.next;
        final Node node2 = right.next;
        NEXT.setRelease(left, node2);
        NEXT.setRelease(right, node1);
        node2.pprev = left;
        node1.pprev = right;
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
