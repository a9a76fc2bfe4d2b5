package org.kfork.ds;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import java.util.function.LongUnaryOperator;

import org.kfork.machine.Kasan;

/**
 * The kernel's intrusive red-black tree (lib/rbtree.c, include/linux/rbtree.h) over modeled
 * addresses. Every method is static and allocates nothing; a node is an {@code rb_node} embedded
 * anywhere in a caller's struct, and {@code container_of} is {@code node - offsetOfNodeInStruct}.
 *
 * <pre>
 *   struct rb_node (24 bytes, align 8)           struct rb_root (8)    struct rb_root_cached (16)
 *   +0  __rb_parent_color  parent | colour bit   +0 rb_node            +0 rb_root.rb_node
 *   +8  rb_right                                                       +8 rb_leftmost
 *   +16 rb_left
 * </pre>
 * Nodes are 8-byte aligned, so the parent pointer's low bits are free; bit 0 is the colour
 * ({@link #RB_RED} 0, {@link #RB_BLACK} 1). A node whose parent word is its own address is "empty"
 * (in no tree: {@link #emptyNode}).
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>Every node is red or black.</li>
 *   <li>The root is black.</li>
 *   <li>A red node has no red child.</li>
 *   <li>Every path from a node down to a NULL link passes the same number of black nodes.</li>
 *   <li>{@code parent(child) == node} for every child; the root's parent is NULL.</li>
 * </ol>
 * 3 and 4 keep the longest root-to-leaf path at most twice the shortest, so the height is at most
 * 2·log2(n+1). Between calls the invariants hold; inside insert/erase they are restored by the
 * cases drawn below (capital letter = black, lower case = red).
 *
 * <h2>Contract</h2>
 * The tree never compares keys. To insert, the caller walks down from the root with its own
 * comparison, remembers the parent and the address of the link slot it stopped at, then calls
 * {@link #linkNode} and {@link #insertColor}. Lookups are the caller's loops too. The augmented
 * variants live in {@link RbAugmented}, on a separate code path, so this one makes no callback calls.
 *
 * <p>In checked mode ({@link Kasan#ENABLED}) linkNode refuses a misaligned node or a link slot that
 * is not NULL, and erase refuses a node that is in no tree; {@link #validate} checks everything.
 */
public final class RbTree {
    /** {@code sizeof(struct rb_node)}. */
    public static final int SIZEOF_RB_NODE = 24;
    /** {@code offsetof(struct rb_node, __rb_parent_color)}. */
    public static final int PARENT_COLOR = 0;
    /** {@code offsetof(struct rb_node, rb_right)}. */
    public static final int RB_RIGHT = 8;
    /** {@code offsetof(struct rb_node, rb_left)}. */
    public static final int RB_LEFT = 16;
    /** {@code sizeof(struct rb_root)}. */
    public static final int SIZEOF_RB_ROOT = 8;
    /** {@code offsetof(struct rb_root, rb_node)}. */
    public static final int RB_ROOT_NODE = 0;
    /** {@code sizeof(struct rb_root_cached)}. */
    public static final int SIZEOF_RB_ROOT_CACHED = 16;
    /** {@code offsetof(struct rb_root_cached, rb_leftmost)}; rb_root sits at 0. */
    public static final int RB_LEFTMOST = 8;
    /** Colour bit of a red node. */
    public static final long RB_RED = 0;
    /** Colour bit of a black node. */
    public static final long RB_BLACK = 1;

    private RbTree() {
    }

    // ---------------------------------------------------------------------------------------
    // Field access (rbtree.h / rbtree_augmented.h helpers)
    // ---------------------------------------------------------------------------------------

    /** {@code rb_parent(node)}: the parent node, or 0 at the root. */
    public static long parent(long node) {
        return getLong(node + PARENT_COLOR) & ~3L;
    }

    /** {@code node->rb_left}. */
    public static long left(long node) {
        return getLong(node + RB_LEFT);
    }

    /** {@code node->rb_right}. */
    public static long right(long node) {
        return getLong(node + RB_RIGHT);
    }

    /** {@code rb_is_black(node)}. */
    public static boolean isBlack(long node) {
        return (getLong(node + PARENT_COLOR) & 1) != 0;
    }

    /** {@code rb_is_red(node)}. */
    public static boolean isRed(long node) {
        return (getLong(node + PARENT_COLOR) & 1) == 0;
    }

    /** {@code root->rb_node}. */
    public static long rootNode(long root) {
        return getLong(root + RB_ROOT_NODE);
    }

    /** {@code root->rb_leftmost} of an {@code rb_root_cached}. */
    public static long leftmost(long rootCached) {
        return getLong(rootCached + RB_LEFTMOST);
    }

    /** {@code RB_ROOT}: make the 8 bytes at {@code root} an empty tree. */
    public static void initRoot(long root) {
        putLong(root + RB_ROOT_NODE, 0);
    }

    /** {@code RB_ROOT_CACHED}: make the 16 bytes at {@code root} an empty cached tree. */
    public static void initRootCached(long root) {
        putLong(root + RB_ROOT_NODE, 0);
        putLong(root + RB_LEFTMOST, 0);
    }

    static void setParentColor(long node, long parent, long color) {
        putLong(node + PARENT_COLOR, parent | color);
    }

    static void setParent(long node, long parent) {
        putLong(node + PARENT_COLOR, (getLong(node + PARENT_COLOR) & 1) | parent);
    }

    /** {@code __rb_change_child}: {@code parent}'s link (or the root) now points at {@code newNode}. */
    static void changeChild(long old, long newNode, long parent, long root) {
        if (parent != 0) {
            if (getLong(parent + RB_LEFT) == old) {
                putLong(parent + RB_LEFT, newNode);
            } else {
                putLong(parent + RB_RIGHT, newNode);
            }
        } else {
            putLong(root + RB_ROOT_NODE, newNode);
        }
    }

    /**
     * {@code __rb_rotate_set_parents}: after a rotation, {@code newNode} takes {@code old}'s parent and
     * colour, and {@code old} hangs below it with {@code color}.
     */
    static void rotateSetParents(long old, long newNode, long root, long color) {
        long pc = getLong(old + PARENT_COLOR);
        putLong(newNode + PARENT_COLOR, pc);
        setParentColor(old, newNode, color);
        changeChild(old, newNode, pc & ~3L, root);
    }

    // ---------------------------------------------------------------------------------------
    // Insertion
    // ---------------------------------------------------------------------------------------

    /**
     * {@code rb_link_node}: hang {@code node} as a red leaf under {@code parent} (0 for an empty
     * tree) by storing it in the link slot at address {@code link} (the parent's rb_left or rb_right
     * field, or the root's rb_node). Follow with {@link #insertColor}.
     */
    public static void linkNode(long node, long parent, long link) {
        if (Kasan.ENABLED) {
            checkLink(node, link);
        }
        putLong(node + PARENT_COLOR, parent);
        putLong(node + RB_LEFT, 0);
        putLong(node + RB_RIGHT, 0);
        putLong(link, node);
    }

    /**
     * {@code rb_insert_color}: restore the invariants after {@link #linkNode} added the red
     * {@code node}. Only invariant 3 can be broken, where node's parent is red too.
     */
    public static void insertColor(long node, long root) {
        long parent = getLong(node + PARENT_COLOR); // node is red: the word is the bare parent
        long gparent;
        long tmp;
        while (true) {
            if (parent == 0) {
                // node is the root: paint it black (this is the only place the black height grows)
                setParentColor(node, 0, RB_BLACK);
                break;
            }
            if (isBlack(parent)) {
                break;
            }
            // parent is red, so it is not the root: gparent exists and is black
            gparent = getLong(parent + PARENT_COLOR);
            tmp = getLong(gparent + RB_RIGHT);
            if (parent != tmp) { // parent is gparent's left child
                if (tmp != 0 && isRed(tmp)) {
                    /*
                     * Case 1: the uncle is red. Flip colours; the red moves up to gparent, which
                     * may now have a red parent, so continue from there.
                     *
                     *       G            g
                     *      / \          / \
                     *     p   u  -->   P   U
                     *    /            /
                     *   n            n
                     */
                    setParentColor(tmp, gparent, RB_BLACK);
                    setParentColor(parent, gparent, RB_BLACK);
                    node = gparent;
                    parent = parent(node);
                    setParentColor(node, parent, RB_RED);
                    continue;
                }
                tmp = getLong(parent + RB_RIGHT);
                if (node == tmp) {
                    /*
                     * Case 2: black uncle, node is the right child. Rotate left at parent, which
                     * turns it into case 3 with the roles of n and p swapped.
                     *
                     *      G             G
                     *     / \           / \
                     *    p   U  -->    n   U
                     *     \           /
                     *      n         p
                     */
                    tmp = getLong(node + RB_LEFT);
                    putLong(parent + RB_RIGHT, tmp);
                    putLong(node + RB_LEFT, parent);
                    if (tmp != 0) {
                        setParentColor(tmp, parent, RB_BLACK);
                    }
                    setParentColor(parent, node, RB_RED);
                    parent = node;
                    tmp = getLong(node + RB_RIGHT);
                }
                /*
                 * Case 3: black uncle, node is the left child. Rotate right at gparent and swap
                 * the colours of p and G; the subtree's black height is unchanged and no red-red
                 * pair remains.
                 *
                 *        G           P
                 *       / \         / \
                 *      p   U  -->  n   g
                 *     /                 \
                 *    n                   U
                 */
                putLong(gparent + RB_LEFT, tmp); // tmp == parent->rb_right
                putLong(parent + RB_RIGHT, gparent);
                if (tmp != 0) {
                    setParentColor(tmp, gparent, RB_BLACK);
                }
                rotateSetParents(gparent, parent, root, RB_RED);
                break;
            } else { // the mirror image: parent is gparent's right child
                tmp = getLong(gparent + RB_LEFT);
                if (tmp != 0 && isRed(tmp)) {
                    // Case 1, mirrored.
                    setParentColor(tmp, gparent, RB_BLACK);
                    setParentColor(parent, gparent, RB_BLACK);
                    node = gparent;
                    parent = parent(node);
                    setParentColor(node, parent, RB_RED);
                    continue;
                }
                tmp = getLong(parent + RB_LEFT);
                if (node == tmp) {
                    // Case 2, mirrored: rotate right at parent.
                    tmp = getLong(node + RB_RIGHT);
                    putLong(parent + RB_LEFT, tmp);
                    putLong(node + RB_RIGHT, parent);
                    if (tmp != 0) {
                        setParentColor(tmp, parent, RB_BLACK);
                    }
                    setParentColor(parent, node, RB_RED);
                    parent = node;
                    tmp = getLong(node + RB_LEFT);
                }
                // Case 3, mirrored: rotate left at gparent.
                putLong(gparent + RB_RIGHT, tmp);
                putLong(parent + RB_LEFT, gparent);
                if (tmp != 0) {
                    setParentColor(tmp, gparent, RB_BLACK);
                }
                rotateSetParents(gparent, parent, root, RB_RED);
                break;
            }
        }
    }

    /**
     * {@code rb_insert_color_cached}: as {@link #insertColor} on the rb_root inside the cached root;
     * {@code leftmost} says whether the caller's search only ever went left (the new node is the
     * new first node).
     */
    public static void insertColorCached(long node, long rootCached, boolean leftmost) {
        if (leftmost) {
            putLong(rootCached + RB_LEFTMOST, node);
        }
        insertColor(node, rootCached);
    }

    // ---------------------------------------------------------------------------------------
    // Erasure
    // ---------------------------------------------------------------------------------------

    /** {@code rb_erase}: unlink {@code node} and rebalance. The node's own links are left stale. */
    public static void erase(long node, long root) {
        if (Kasan.ENABLED) {
            checkErase(node);
        }
        long rebalance = eraseUnlink(node, root);
        if (rebalance != 0) {
            eraseColor(rebalance, root);
        }
    }

    /** {@code rb_erase_cached}: returns the new leftmost node if {@code node} was leftmost, else 0. */
    public static long eraseCached(long node, long rootCached) {
        long leftmost = 0;
        if (getLong(rootCached + RB_LEFTMOST) == node) {
            leftmost = next(node);
            putLong(rootCached + RB_LEFTMOST, leftmost);
        }
        erase(node, rootCached);
        return leftmost;
    }

    /**
     * The unlinking half of erase (the plain {@code __rb_erase_augmented}). Returns the node below
     * which a black node went missing (to rebalance from), or 0 when the colours still balance.
     */
    static long eraseUnlink(long node, long root) {
        long child = getLong(node + RB_RIGHT);
        long tmp = getLong(node + RB_LEFT);
        long parent;
        long rebalance;
        long pc;
        if (tmp == 0) {
            /*
             * Case 1: no left child. The right child, if any, is red (invariant 4) with black
             * children: it takes node's place and colour and nothing else changes. Without
             * children, removing a black node leaves its parent a black short.
             */
            pc = getLong(node + PARENT_COLOR);
            parent = pc & ~3L;
            changeChild(node, child, parent, root);
            if (child != 0) {
                putLong(child + PARENT_COLOR, pc);
                rebalance = 0;
            } else {
                rebalance = (pc & 1) != 0 ? parent : 0;
            }
        } else if (child == 0) {
            // Case 1 mirrored: only a left child, which is red; it takes node's place and colour.
            pc = getLong(node + PARENT_COLOR);
            putLong(tmp + PARENT_COLOR, pc);
            parent = pc & ~3L;
            changeChild(node, tmp, parent, root);
            rebalance = 0;
        } else {
            long successor = child;
            long child2;
            tmp = getLong(child + RB_LEFT);
            if (tmp == 0) {
                /*
                 * Case 2: node's successor is its right child s, which has no left child.
                 * s takes node's place; s's old right child c moves up one level.
                 *
                 *     (n)          (s)
                 *     / \          / \
                 *   (x) (s)  ->  (x) (c)
                 *         \
                 *         (c)
                 */
                parent = successor;
                child2 = getLong(successor + RB_RIGHT);
            } else {
                /*
                 * Case 3: the successor s is the leftmost node below node's right child y.
                 * s leaves its spot (its right child c replaces it under p) and takes node's place.
                 *
                 *     (n)          (s)
                 *     / \          / \
                 *   (x) (y)  ->  (x) (y)
                 *       /            /
                 *     (p)          (p)
                 *     /            /
                 *   (s)          (c)
                 *     \
                 *     (c)
                 */
                do {
                    parent = successor;
                    successor = tmp;
                    tmp = getLong(tmp + RB_LEFT);
                } while (tmp != 0);
                child2 = getLong(successor + RB_RIGHT);
                putLong(parent + RB_LEFT, child2);
                putLong(successor + RB_RIGHT, child);
                setParent(child, successor);
            }
            tmp = getLong(node + RB_LEFT);
            putLong(successor + RB_LEFT, tmp);
            setParent(tmp, successor);
            pc = getLong(node + PARENT_COLOR);
            changeChild(node, successor, pc & ~3L, root);
            if (child2 != 0) {
                // c is red (the successor had a single child): painting it black makes up for s
                setParentColor(child2, parent, RB_BLACK);
                rebalance = 0;
            } else {
                // s left its old spot empty; if s was black, that spot is a black short
                rebalance = isBlack(successor) ? parent : 0;
            }
            putLong(successor + PARENT_COLOR, pc);
        }
        return rebalance;
    }

    /**
     * {@code ____rb_erase_color}: one path below {@code parent} (the side whose child is
     * {@code node}, 0 on the first round) has one black node fewer than the others.
     */
    static void eraseColor(long parent, long root) {
        long node = 0;
        long sibling;
        long tmp1;
        long tmp2;
        while (true) {
            /*
             * Loop invariants:
             * - node is black (or 0 on the first iteration);
             * - node is not the root (parent is not 0);
             * - all leaf paths going through parent and node have a black node count that is 1
             *   lower than other leaf paths.
             */
            sibling = getLong(parent + RB_RIGHT);
            if (node != sibling) { // node is parent's left child
                if (isRed(sibling)) {
                    /*
                     * Case 1: red sibling. Rotate left at parent; the short side now has a black
                     * sibling (the old sibling's left child), which the next cases handle.
                     *
                     *     P               S
                     *    / \             / \
                     *   N   s    -->    p   Sr
                     *      / \         / \
                     *     Sl  Sr      N   Sl
                     */
                    tmp1 = getLong(sibling + RB_LEFT);
                    putLong(parent + RB_RIGHT, tmp1);
                    putLong(sibling + RB_LEFT, parent);
                    setParentColor(tmp1, parent, RB_BLACK);
                    rotateSetParents(parent, sibling, root, RB_RED);
                    sibling = tmp1;
                }
                tmp1 = getLong(sibling + RB_RIGHT);
                if (tmp1 == 0 || isBlack(tmp1)) {
                    tmp2 = getLong(sibling + RB_LEFT);
                    if (tmp2 == 0 || isBlack(tmp2)) {
                        /*
                         * Case 2: black sibling with black children. Paint the sibling red: both
                         * sides of parent are now short. A red parent turned black fixes that;
                         * otherwise the shortage moves up to parent's parent.
                         *
                         *    (p)           (p)
                         *    / \           / \
                         *   N   S    -->  N   s
                         *      / \           / \
                         *     Sl  Sr        Sl  Sr
                         */
                        setParentColor(sibling, parent, RB_RED);
                        if (isRed(parent)) {
                            putLong(parent + PARENT_COLOR, getLong(parent + PARENT_COLOR) | RB_BLACK);
                        } else {
                            node = parent;
                            parent = parent(node);
                            if (parent != 0) {
                                continue;
                            }
                        }
                        break;
                    }
                    /*
                     * Case 3: black sibling, its left child red and right child black. Rotate
                     * right at sibling, giving case 4 (a black sibling with a red right child).
                     *
                     *   (p)           (p)
                     *   / \           / \
                     *  N   S    -->  N   sl
                     *     / \             \
                     *    sl  Sr            S
                     *                       \
                     *                        Sr
                     */
                    tmp1 = getLong(tmp2 + RB_RIGHT);
                    putLong(sibling + RB_LEFT, tmp1);
                    putLong(tmp2 + RB_RIGHT, sibling);
                    putLong(parent + RB_RIGHT, tmp2);
                    if (tmp1 != 0) {
                        setParentColor(tmp1, sibling, RB_BLACK);
                    }
                    tmp1 = sibling;
                    sibling = tmp2;
                }
                /*
                 * Case 4: black sibling with a red right child. Rotate left at parent and recolour:
                 * the short side gains a black node (old parent, now black) and the other keeps its
                 * count (sr turns black to replace S). Done. (x) keeps its colour.
                 *
                 *      (p)             (s)
                 *      / \             / \
                 *     N   S     -->   P   Sr
                 *        / \         / \
                 *      (sl) sr      N  (sl)
                 */
                tmp2 = getLong(sibling + RB_LEFT);
                putLong(parent + RB_RIGHT, tmp2);
                putLong(sibling + RB_LEFT, parent);
                setParentColor(tmp1, sibling, RB_BLACK);
                if (tmp2 != 0) {
                    setParent(tmp2, parent);
                }
                rotateSetParents(parent, sibling, root, RB_BLACK);
                break;
            } else { // the mirror image: node is parent's right child
                sibling = getLong(parent + RB_LEFT);
                if (isRed(sibling)) {
                    // Case 1, mirrored: rotate right at parent.
                    tmp1 = getLong(sibling + RB_RIGHT);
                    putLong(parent + RB_LEFT, tmp1);
                    putLong(sibling + RB_RIGHT, parent);
                    setParentColor(tmp1, parent, RB_BLACK);
                    rotateSetParents(parent, sibling, root, RB_RED);
                    sibling = tmp1;
                }
                tmp1 = getLong(sibling + RB_LEFT);
                if (tmp1 == 0 || isBlack(tmp1)) {
                    tmp2 = getLong(sibling + RB_RIGHT);
                    if (tmp2 == 0 || isBlack(tmp2)) {
                        // Case 2, mirrored: sibling colour flip.
                        setParentColor(sibling, parent, RB_RED);
                        if (isRed(parent)) {
                            putLong(parent + PARENT_COLOR, getLong(parent + PARENT_COLOR) | RB_BLACK);
                        } else {
                            node = parent;
                            parent = parent(node);
                            if (parent != 0) {
                                continue;
                            }
                        }
                        break;
                    }
                    // Case 3, mirrored: rotate left at sibling.
                    tmp1 = getLong(tmp2 + RB_LEFT);
                    putLong(sibling + RB_RIGHT, tmp1);
                    putLong(tmp2 + RB_LEFT, sibling);
                    putLong(parent + RB_LEFT, tmp2);
                    if (tmp1 != 0) {
                        setParentColor(tmp1, sibling, RB_BLACK);
                    }
                    tmp1 = sibling;
                    sibling = tmp2;
                }
                // Case 4, mirrored: rotate right at parent and recolour.
                tmp2 = getLong(sibling + RB_RIGHT);
                putLong(parent + RB_LEFT, tmp2);
                putLong(sibling + RB_RIGHT, parent);
                setParentColor(tmp1, sibling, RB_BLACK);
                if (tmp2 != 0) {
                    setParent(tmp2, parent);
                }
                rotateSetParents(parent, sibling, root, RB_BLACK);
                break;
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Navigation
    // ---------------------------------------------------------------------------------------

    /** {@code RB_EMPTY_ROOT}: the tree has no nodes. */
    public static boolean emptyRoot(long root) {
        return getLong(root + RB_ROOT_NODE) == 0;
    }

    /** {@code RB_EMPTY_NODE}: the node is in no tree (its parent word is its own address). */
    public static boolean emptyNode(long node) {
        return getLong(node + PARENT_COLOR) == node;
    }

    /** {@code RB_CLEAR_NODE}: mark {@code node} as in no tree. */
    public static void clearNode(long node) {
        putLong(node + PARENT_COLOR, node);
    }

    /** {@code rb_first}: the leftmost node, or 0 for an empty tree. O(log n). */
    public static long first(long root) {
        long n = getLong(root + RB_ROOT_NODE);
        if (n == 0) {
            return 0;
        }
        long l;
        while ((l = getLong(n + RB_LEFT)) != 0) {
            n = l;
        }
        return n;
    }

    /** {@code rb_first_cached}: the leftmost node, O(1). */
    public static long firstCached(long rootCached) {
        return getLong(rootCached + RB_LEFTMOST);
    }

    /** {@code rb_last}: the rightmost node, or 0. */
    public static long last(long root) {
        long n = getLong(root + RB_ROOT_NODE);
        if (n == 0) {
            return 0;
        }
        long r;
        while ((r = getLong(n + RB_RIGHT)) != 0) {
            n = r;
        }
        return n;
    }

    /** {@code rb_next}: the in-order successor of {@code node}, or 0. */
    public static long next(long node) {
        // One read of the parent word serves both the RB_EMPTY_NODE test and the first step up.
        long pc = getLong(node + PARENT_COLOR);
        if (pc == node) {
            return 0;
        }
        long n = getLong(node + RB_RIGHT);
        if (n != 0) {
            // the leftmost node of the right subtree
            long l;
            while ((l = getLong(n + RB_LEFT)) != 0) {
                n = l;
            }
            return n;
        }
        // otherwise the first ancestor we reach from its left side
        long parent = pc & ~3L;
        while (parent != 0 && node == getLong(parent + RB_RIGHT)) {
            node = parent;
            parent = parent(node);
        }
        return parent;
    }

    /** {@code rb_prev}: the in-order predecessor of {@code node}, or 0. */
    public static long prev(long node) {
        if (emptyNode(node)) {
            return 0;
        }
        long n = getLong(node + RB_LEFT);
        if (n != 0) {
            long r;
            while ((r = getLong(n + RB_RIGHT)) != 0) {
                n = r;
            }
            return n;
        }
        long parent;
        while ((parent = parent(node)) != 0 && node == getLong(parent + RB_LEFT)) {
            node = parent;
        }
        return parent;
    }

    /**
     * {@code rb_replace_node}: {@code newNode} takes {@code victim}'s place, links and colour,
     * without rebalancing. The caller guarantees that newNode sorts where victim did.
     */
    public static void replaceNode(long victim, long newNode, long root) {
        long pc = getLong(victim + PARENT_COLOR);
        long l = getLong(victim + RB_LEFT);
        long r = getLong(victim + RB_RIGHT);
        putLong(newNode + PARENT_COLOR, pc);
        putLong(newNode + RB_LEFT, l);
        putLong(newNode + RB_RIGHT, r);
        if (l != 0) {
            setParent(l, newNode);
        }
        if (r != 0) {
            setParent(r, newNode);
        }
        changeChild(victim, newNode, pc & ~3L, root);
    }

    /** {@code rb_replace_node_cached}. */
    public static void replaceNodeCached(long victim, long newNode, long rootCached) {
        if (getLong(rootCached + RB_LEFTMOST) == victim) {
            putLong(rootCached + RB_LEFTMOST, newNode);
        }
        replaceNode(victim, newNode, rootCached);
    }

    private static long leftDeepest(long node) {
        while (true) {
            long l = getLong(node + RB_LEFT);
            if (l != 0) {
                node = l;
                continue;
            }
            long r = getLong(node + RB_RIGHT);
            if (r != 0) {
                node = r;
                continue;
            }
            return node;
        }
    }

    /** {@code rb_first_postorder}: the first node of a children-before-parent walk, or 0. */
    public static long firstPostorder(long root) {
        long n = getLong(root + RB_ROOT_NODE);
        return n == 0 ? 0 : leftDeepest(n);
    }

    /**
     * {@code rb_next_postorder}: the next node of a postorder walk, or 0. The walk reads only nodes
     * it has not yet returned, so the caller may free each node as soon as it gets it (tearing the
     * whole tree down without erasing).
     */
    public static long nextPostorder(long node) {
        if (node == 0) {
            return 0;
        }
        long parent = parent(node);
        if (parent != 0 && node == getLong(parent + RB_LEFT)) {
            long r = getLong(parent + RB_RIGHT);
            if (r != 0) {
                return leftDeepest(r);
            }
        }
        return parent;
    }

    // ---------------------------------------------------------------------------------------
    // Structural clone
    // ---------------------------------------------------------------------------------------

    /**
     * Build at {@code dstRoot} a tree with the same shape and colours as the one at
     * {@code srcRoot}, in O(n): no comparisons and no rebalancing (the rb-tree analogue of the maple
     * tree's {@code __mt_dup}, which dup_mmap uses since Linux 6.8). {@code map} gives the copy of
     * each source rb_node (an rb_node address too); it is called exactly once per node, in preorder,
     * so it may allocate and fill the copy as it goes. The walk needs no stack: it climbs the source
     * through parent pointers and the copy through the parent pointers it has just written. If
     * {@code dstCached} is true, dstRoot is an rb_root_cached and its leftmost is set.
     */
    public static void cloneStructure(long srcRoot, long dstRoot, boolean dstCached, LongUnaryOperator map) {
        cloneStructure(srcRoot, dstRoot, dstCached, map, null);
    }

    /** {@link #cloneStructure(long, long, boolean, LongUnaryOperator)} that also copies augmented values (null: none). */
    static void cloneStructure(long srcRoot, long dstRoot, boolean dstCached, LongUnaryOperator map,
                               RbAugmentCallbacks augment) {
        long o = getLong(srcRoot + RB_ROOT_NODE);
        if (o == 0) {
            putLong(dstRoot + RB_ROOT_NODE, 0);
            if (dstCached) {
                putLong(dstRoot + RB_LEFTMOST, 0);
            }
            return;
        }
        long n = map.applyAsLong(o);
        cloneInit(o, n, 0, augment);
        putLong(dstRoot + RB_ROOT_NODE, n);
        long leftmost = 0;
        outer:
        while (true) {
            long oc = getLong(o + RB_LEFT);
            if (oc != 0) {
                long nc = map.applyAsLong(oc);
                cloneInit(oc, nc, n, augment);
                putLong(n + RB_LEFT, nc);
                o = oc;
                n = nc;
                continue;
            }
            if (leftmost == 0) {
                leftmost = n; // the first node without a left child on the way down the left spine
            }
            oc = getLong(o + RB_RIGHT);
            if (oc != 0) {
                long nc = map.applyAsLong(oc);
                cloneInit(oc, nc, n, augment);
                putLong(n + RB_RIGHT, nc);
                o = oc;
                n = nc;
                continue;
            }
            // a leaf: climb both trees to the first ancestor whose right subtree is still to copy
            while (true) {
                long op = parent(o);
                if (op == 0) {
                    break outer;
                }
                long np = getLong(n + PARENT_COLOR) & ~3L;
                long opr = getLong(op + RB_RIGHT);
                if (o != opr && opr != 0) {
                    long nc = map.applyAsLong(opr);
                    cloneInit(opr, nc, np, augment);
                    putLong(np + RB_RIGHT, nc);
                    o = opr;
                    n = nc;
                    continue outer;
                }
                o = op;
                n = np;
            }
        }
        if (dstCached) {
            putLong(dstRoot + RB_LEFTMOST, leftmost);
        }
    }

    private static void cloneInit(long o, long n, long newParent, RbAugmentCallbacks augment) {
        putLong(n + PARENT_COLOR, newParent | (getLong(o + PARENT_COLOR) & 1));
        putLong(n + RB_LEFT, 0);
        putLong(n + RB_RIGHT, 0);
        if (augment != null) {
            augment.copy(o, n);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Validation
    // ---------------------------------------------------------------------------------------

    /**
     * Check invariants 1-5 of the tree at {@code root} (and, if {@code cached}, that rb_leftmost is
     * the first node); throws {@link IllegalStateException} naming the node and the property.
     * Returns the number of nodes. O(n log n) time, no allocation on success.
     */
    public static int validate(long root, boolean cached) {
        long top = getLong(root + RB_ROOT_NODE);
        if (top == 0) {
            if (cached && getLong(root + RB_LEFTMOST) != 0) {
                throw new IllegalStateException("rbtree: empty tree at " + hex(root) + " caches leftmost "
                        + hex(getLong(root + RB_LEFTMOST)));
            }
            return 0;
        }
        if (parent(top) != 0) {
            throw new IllegalStateException("rbtree: root " + hex(top) + " has parent " + hex(parent(top)));
        }
        if (!isBlack(top)) {
            throw new IllegalStateException("rbtree: root " + hex(top) + " is red");
        }
        long n = first(root);
        if (cached && getLong(root + RB_LEFTMOST) != n) {
            throw new IllegalStateException("rbtree: cached leftmost " + hex(getLong(root + RB_LEFTMOST))
                    + " is not the first node " + hex(n));
        }
        int count = 0;
        int blackHeight = -1;
        for (; n != 0; n = next(n)) {
            count++;
            if ((n & 7) != 0) {
                throw new IllegalStateException("rbtree: node " + hex(n) + " is not 8-byte aligned");
            }
            long l = getLong(n + RB_LEFT);
            long r = getLong(n + RB_RIGHT);
            checkChild(n, l);
            checkChild(n, r);
            if (l == 0 || r == 0) {
                int blacks = 0;
                for (long a = n; a != 0; a = parent(a)) {
                    if (isBlack(a)) {
                        blacks++;
                    }
                }
                if (blackHeight < 0) {
                    blackHeight = blacks;
                } else if (blacks != blackHeight) {
                    throw new IllegalStateException("rbtree: " + blacks + " black nodes above a NULL link of "
                            + hex(n) + ", " + blackHeight + " elsewhere");
                }
            }
        }
        return count;
    }

    private static void checkChild(long n, long c) {
        if (c == 0) {
            return;
        }
        if (parent(c) != n) {
            throw new IllegalStateException("rbtree: child " + hex(c) + " of " + hex(n) + " has parent "
                    + hex(parent(c)));
        }
        if (isRed(n) && isRed(c)) {
            throw new IllegalStateException("rbtree: red node " + hex(n) + " has red child " + hex(c));
        }
    }

    /** Checked mode: cheap sanity checks on a caller's rb_link_node. */
    static void checkLink(long node, long link) {
        if ((node & 7) != 0) {
            throw new IllegalStateException("rb_link_node: node " + hex(node) + " is not 8-byte aligned");
        }
        long old = getLong(link);
        if (old != 0) {
            throw new IllegalStateException("rb_link_node: link slot " + hex(link) + " already holds node "
                    + hex(old) + " (the search loop did not end at a NULL link)");
        }
    }

    /** Checked mode: rb_erase of a node that is in no tree. */
    static void checkErase(long node) {
        if (emptyNode(node)) {
            throw new IllegalStateException("rb_erase: node " + hex(node) + " is in no tree (RB_EMPTY_NODE)");
        }
    }

    static String hex(long addr) {
        return "0x" + Long.toHexString(addr);
    }
}
