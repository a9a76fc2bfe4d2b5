package org.kfork.heap.ds;

import java.util.function.UnaryOperator;

/**
 * The heap twin of the kernel's intrusive red-black tree (lib/rbtree.c, include/linux/rbtree.h),
 * over {@link HeapRbNode} objects. Every method has the same structure as its off-heap twin
 * {@code org.kfork.ds.RbTree}, so that benchmarks compare the representation and nothing else.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>Every node is red or black.</li>
 *   <li>The root is black.</li>
 *   <li>A red node has no red child.</li>
 *   <li>Every path from a node down to a null link passes the same number of black nodes.</li>
 *   <li>{@code child.parent == node} for every child, and the root's parent is null.</li>
 * </ol>
 * Together 3 and 4 bound the height by 2·log2(n+1).
 *
 * <h2>Contract</h2>
 * The tree never compares keys. A caller searches for the insertion point with its own loop, then
 * calls {@link #linkNode} and {@link #insertColor}; lookups are the caller's loops too. The
 * rebalancing case pictures are in {@code org.kfork.ds.RbTree}, which this class mirrors.
 */
public final class HeapRbTree {
    private HeapRbTree() {
    }

    // ---------------------------------------------------------------------------------------
    // Small helpers (rbtree_augmented.h internals)
    // ---------------------------------------------------------------------------------------

    static void setParentColor(HeapRbNode node, HeapRbNode parent, boolean black) {
        node.parent = parent;
        node.black = black;
    }

    /** Make {@code parent} (or the root when parent is null) point at {@code newNode} instead of {@code old}. */
    static void changeChild(HeapRbNode old, HeapRbNode newNode, HeapRbNode parent, HeapRbRoot root) {
        if (parent != null) {
            if (parent.left == old) {
                parent.left = newNode;
            } else {
                parent.right = newNode;
            }
        } else {
            root.node = newNode;
        }
    }

    /** After a rotation: {@code newNode} takes {@code old}'s place and colour; old goes below it. */
    static void rotateSetParents(HeapRbNode old, HeapRbNode newNode, HeapRbRoot root, boolean black) {
        HeapRbNode parent = old.parent;
        newNode.parent = old.parent;
        newNode.black = old.black;
        setParentColor(old, newNode, black);
        changeChild(old, newNode, parent, root);
    }

    // ---------------------------------------------------------------------------------------
    // Insertion
    // ---------------------------------------------------------------------------------------

    /**
     * {@code rb_link_node}: hang a fresh red leaf {@code node} under {@code parent} (null for an
     * empty tree), on the left or right as the caller's search decided. Follow with
     * {@link #insertColor}.
     */
    public static void linkNode(HeapRbNode node, HeapRbNode parent, boolean asLeft, HeapRbRoot root) {
        node.parent = parent;
        node.black = false;
        node.left = null;
        node.right = null;
        if (parent == null) {
            root.node = node;
        } else if (asLeft) {
            parent.left = node;
        } else {
            parent.right = node;
        }
    }

    /** {@code rb_insert_color}: rebalance after {@link #linkNode}. */
    public static void insertColor(HeapRbNode node, HeapRbRoot root) {
        HeapRbNode parent = node.parent;
        HeapRbNode gparent;
        HeapRbNode tmp;
        while (true) {
            if (parent == null) {
                setParentColor(node, null, true);
                break;
            }
            if (parent.black) {
                break;
            }
            gparent = parent.parent;
            tmp = gparent.right;
            if (parent != tmp) {
                if (tmp != null && !tmp.black) {
                    // case 1: uncle red, flip colours and continue from gparent
                    setParentColor(tmp, gparent, true);
                    setParentColor(parent, gparent, true);
                    node = gparent;
                    parent = node.parent;
                    setParentColor(node, parent, false);
                    continue;
                }
                tmp = parent.right;
                if (node == tmp) {
                    // case 2: left rotate at parent
                    tmp = node.left;
                    parent.right = tmp;
                    node.left = parent;
                    if (tmp != null) {
                        setParentColor(tmp, parent, true);
                    }
                    setParentColor(parent, node, false);
                    parent = node;
                    tmp = node.right;
                }
                // case 3: right rotate at gparent
                gparent.left = tmp;
                parent.right = gparent;
                if (tmp != null) {
                    setParentColor(tmp, gparent, true);
                }
                rotateSetParents(gparent, parent, root, false);
                break;
            } else {
                tmp = gparent.left;
                if (tmp != null && !tmp.black) {
                    setParentColor(tmp, gparent, true);
                    setParentColor(parent, gparent, true);
                    node = gparent;
                    parent = node.parent;
                    setParentColor(node, parent, false);
                    continue;
                }
                tmp = parent.left;
                if (node == tmp) {
                    tmp = node.right;
                    parent.left = tmp;
                    node.right = parent;
                    if (tmp != null) {
                        setParentColor(tmp, parent, true);
                    }
                    setParentColor(parent, node, false);
                    parent = node;
                    tmp = node.left;
                }
                gparent.right = tmp;
                parent.left = gparent;
                if (tmp != null) {
                    setParentColor(tmp, gparent, true);
                }
                rotateSetParents(gparent, parent, root, false);
                break;
            }
        }
    }

    /** {@code rb_insert_color_cached}: {@code leftmost} says whether the search only went left. */
    public static void insertColorCached(HeapRbNode node, HeapRbRootCached root, boolean leftmost) {
        if (leftmost) {
            root.leftmost = node;
        }
        insertColor(node, root);
    }

    // ---------------------------------------------------------------------------------------
    // Erasure
    // ---------------------------------------------------------------------------------------

    /** {@code rb_erase}: unlink {@code node} and rebalance. The node's links are left stale. */
    public static void erase(HeapRbNode node, HeapRbRoot root) {
        HeapRbNode rebalance = eraseUnlink(node, root);
        if (rebalance != null) {
            eraseColor(rebalance, root);
        }
    }

    /** {@code rb_erase_cached}; returns the new leftmost node if it changed, else null. */
    public static HeapRbNode eraseCached(HeapRbNode node, HeapRbRootCached root) {
        HeapRbNode leftmost = null;
        if (root.leftmost == node) {
            leftmost = root.leftmost = next(node);
        }
        erase(node, root);
        return leftmost;
    }

    /**
     * The first half of erase (the plain {@code __rb_erase_augmented}): splice the node out and
     * return the parent to rebalance from, or null when the colours already balance.
     */
    static HeapRbNode eraseUnlink(HeapRbNode node, HeapRbRoot root) {
        HeapRbNode child = node.right;
        HeapRbNode tmp = node.left;
        HeapRbNode parent;
        HeapRbNode rebalance;
        if (tmp == null) {
            // at most a right child: it takes node's place and colour (it must be red)
            parent = node.parent;
            changeChild(node, child, parent, root);
            if (child != null) {
                child.parent = parent;
                child.black = node.black;
                rebalance = null;
            } else {
                rebalance = node.black ? parent : null;
            }
        } else if (child == null) {
            // only a left child
            parent = node.parent;
            tmp.parent = parent;
            tmp.black = node.black;
            changeChild(node, tmp, parent, root);
            rebalance = null;
        } else {
            HeapRbNode successor = child;
            HeapRbNode child2;
            tmp = child.left;
            if (tmp == null) {
                // the successor is node's right child
                parent = successor;
                child2 = successor.right;
            } else {
                // the successor is the leftmost node under node's right child
                do {
                    parent = successor;
                    successor = tmp;
                    tmp = tmp.left;
                } while (tmp != null);
                child2 = successor.right;
                parent.left = child2;
                successor.right = child;
                child.parent = successor;
            }
            tmp = node.left;
            successor.left = tmp;
            tmp.parent = successor;
            HeapRbNode nodeParent = node.parent;
            changeChild(node, successor, nodeParent, root);
            if (child2 != null) {
                setParentColor(child2, parent, true);
                rebalance = null;
            } else {
                rebalance = successor.black ? parent : null;
            }
            successor.parent = nodeParent;
            successor.black = node.black;
        }
        return rebalance;
    }

    /** {@code ____rb_erase_color}: restore the black height after a black node left below {@code parent}. */
    static void eraseColor(HeapRbNode parent, HeapRbRoot root) {
        HeapRbNode node = null;
        HeapRbNode sibling;
        HeapRbNode tmp1;
        HeapRbNode tmp2;
        while (true) {
            sibling = parent.right;
            if (node != sibling) {
                if (!sibling.black) {
                    // case 1: red sibling, left rotate at parent
                    tmp1 = sibling.left;
                    parent.right = tmp1;
                    sibling.left = parent;
                    setParentColor(tmp1, parent, true);
                    rotateSetParents(parent, sibling, root, false);
                    sibling = tmp1;
                }
                tmp1 = sibling.right;
                if (tmp1 == null || tmp1.black) {
                    tmp2 = sibling.left;
                    if (tmp2 == null || tmp2.black) {
                        // case 2: sibling colour flip
                        setParentColor(sibling, parent, false);
                        if (!parent.black) {
                            parent.black = true;
                        } else {
                            node = parent;
                            parent = node.parent;
                            if (parent != null) {
                                continue;
                            }
                        }
                        break;
                    }
                    // case 3: right rotate at sibling
                    tmp1 = tmp2.right;
                    sibling.left = tmp1;
                    tmp2.right = sibling;
                    parent.right = tmp2;
                    if (tmp1 != null) {
                        setParentColor(tmp1, sibling, true);
                    }
                    tmp1 = sibling;
                    sibling = tmp2;
                }
                // case 4: left rotate at parent, colour flips
                tmp2 = sibling.left;
                parent.right = tmp2;
                sibling.left = parent;
                setParentColor(tmp1, sibling, true);
                if (tmp2 != null) {
                    tmp2.parent = parent;
                }
                rotateSetParents(parent, sibling, root, true);
                break;
            } else {
                sibling = parent.left;
                if (!sibling.black) {
                    tmp1 = sibling.right;
                    parent.left = tmp1;
                    sibling.right = parent;
                    setParentColor(tmp1, parent, true);
                    rotateSetParents(parent, sibling, root, false);
                    sibling = tmp1;
                }
                tmp1 = sibling.left;
                if (tmp1 == null || tmp1.black) {
                    tmp2 = sibling.right;
                    if (tmp2 == null || tmp2.black) {
                        setParentColor(sibling, parent, false);
                        if (!parent.black) {
                            parent.black = true;
                        } else {
                            node = parent;
                            parent = node.parent;
                            if (parent != null) {
                                continue;
                            }
                        }
                        break;
                    }
                    tmp1 = tmp2.left;
                    sibling.right = tmp1;
                    tmp2.left = sibling;
                    parent.left = tmp2;
                    if (tmp1 != null) {
                        setParentColor(tmp1, sibling, true);
                    }
                    tmp1 = sibling;
                    sibling = tmp2;
                }
                tmp2 = sibling.right;
                parent.left = tmp2;
                sibling.right = parent;
                setParentColor(tmp1, sibling, true);
                if (tmp2 != null) {
                    tmp2.parent = parent;
                }
                rotateSetParents(parent, sibling, root, true);
                break;
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Navigation
    // ---------------------------------------------------------------------------------------

    /** {@code RB_EMPTY_ROOT}. */
    public static boolean emptyRoot(HeapRbRoot root) {
        return root.node == null;
    }

    /** {@code RB_EMPTY_NODE}: the node is not in a tree (its parent points at itself). */
    public static boolean emptyNode(HeapRbNode node) {
        return node.parent == node;
    }

    /** {@code RB_CLEAR_NODE}: mark the node as in no tree. */
    public static void clearNode(HeapRbNode node) {
        node.parent = node;
    }

    /** {@code rb_first}: the leftmost node, or null. */
    public static HeapRbNode first(HeapRbRoot root) {
        HeapRbNode n = root.node;
        if (n == null) {
            return null;
        }
        while (n.left != null) {
            n = n.left;
        }
        return n;
    }

    /** {@code rb_first_cached}: O(1). */
    public static HeapRbNode firstCached(HeapRbRootCached root) {
        return root.leftmost;
    }

    /** {@code rb_last}: the rightmost node, or null. */
    public static HeapRbNode last(HeapRbRoot root) {
        HeapRbNode n = root.node;
        if (n == null) {
            return null;
        }
        while (n.right != null) {
            n = n.right;
        }
        return n;
    }

    /** {@code rb_next}: the in-order successor, or null. */
    public static HeapRbNode next(HeapRbNode node) {
        if (node.parent == node) {
            return null;
        }
        if (node.right != null) {
            node = node.right;
            while (node.left != null) {
                node = node.left;
            }
            return node;
        }
        HeapRbNode parent;
        while ((parent = node.parent) != null && node == parent.right) {
            node = parent;
        }
        return parent;
    }

    /** {@code rb_prev}: the in-order predecessor, or null. */
    public static HeapRbNode prev(HeapRbNode node) {
        if (node.parent == node) {
            return null;
        }
        if (node.left != null) {
            node = node.left;
            while (node.right != null) {
                node = node.right;
            }
            return node;
        }
        HeapRbNode parent;
        while ((parent = node.parent) != null && node == parent.left) {
            node = parent;
        }
        return parent;
    }

    /** {@code rb_replace_node}: put {@code newNode} where {@code victim} is, without rebalancing. */
    public static void replaceNode(HeapRbNode victim, HeapRbNode newNode, HeapRbRoot root) {
        HeapRbNode parent = victim.parent;
        newNode.parent = victim.parent;
        newNode.black = victim.black;
        newNode.left = victim.left;
        newNode.right = victim.right;
        if (victim.left != null) {
            victim.left.parent = newNode;
        }
        if (victim.right != null) {
            victim.right.parent = newNode;
        }
        changeChild(victim, newNode, parent, root);
    }

    /** {@code rb_replace_node_cached}. */
    public static void replaceNodeCached(HeapRbNode victim, HeapRbNode newNode, HeapRbRootCached root) {
        if (root.leftmost == victim) {
            root.leftmost = newNode;
        }
        replaceNode(victim, newNode, root);
    }

    private static HeapRbNode leftDeepest(HeapRbNode node) {
        while (true) {
            if (node.left != null) {
                node = node.left;
            } else if (node.right != null) {
                node = node.right;
            } else {
                return node;
            }
        }
    }

    /** {@code rb_first_postorder}: the first node of a children-before-parent walk, or null. */
    public static HeapRbNode firstPostorder(HeapRbRoot root) {
        return root.node == null ? null : leftDeepest(root.node);
    }

    /**
     * {@code rb_next_postorder}: the next node of a postorder walk. The walk never revisits a node
     * it has returned, so the caller may free each node as it goes (without erasing).
     */
    public static HeapRbNode nextPostorder(HeapRbNode node) {
        if (node == null) {
            return null;
        }
        HeapRbNode parent = node.parent;
        if (parent != null && node == parent.left && parent.right != null) {
            return leftDeepest(parent.right);
        }
        return parent;
    }

    // ---------------------------------------------------------------------------------------
    // Structural clone
    // ---------------------------------------------------------------------------------------

    /**
     * Build in {@code dst} a tree of the same shape and colours as {@code src}, in O(n), with no
     * comparisons and no rebalancing (the rb-tree analogue of the maple tree's {@code __mt_dup}).
     * {@code map} gives each source node's copy; it is called once per node, in preorder, so it
     * may create the copy. {@code augment}, if not null, copies each node's augmented value
     * ({@link HeapRbAugmentCallbacks#copy}). If {@code dst} is a cached root its leftmost is set.
     */
    public static void cloneStructure(HeapRbRoot src, HeapRbRoot dst, UnaryOperator<HeapRbNode> map,
                                      HeapRbAugmentCallbacks augment) {
        HeapRbNode o = src.node;
        if (o == null) {
            dst.node = null;
            if (dst instanceof HeapRbRootCached) {
                ((HeapRbRootCached) dst).leftmost = null;
            }
            return;
        }
        HeapRbNode n = map.apply(o);
        cloneInit(o, n, null, augment);
        dst.node = n;
        outer:
        while (true) {
            HeapRbNode oc = o.left;
            if (oc != null) {
                HeapRbNode nc = map.apply(oc);
                cloneInit(oc, nc, n, augment);
                n.left = nc;
                o = oc;
                n = nc;
                continue;
            }
            oc = o.right;
            if (oc != null) {
                HeapRbNode nc = map.apply(oc);
                cloneInit(oc, nc, n, augment);
                n.right = nc;
                o = oc;
                n = nc;
                continue;
            }
            // a leaf: climb (in both trees at once) to the first ancestor whose right subtree is still to do
            while (true) {
                HeapRbNode op = o.parent;
                if (op == null) {
                    break outer;
                }
                HeapRbNode np = n.parent;
                HeapRbNode opr = op.right;
                if (o != opr && opr != null) {
                    HeapRbNode nc = map.apply(opr);
                    cloneInit(opr, nc, np, augment);
                    np.right = nc;
                    o = opr;
                    n = nc;
                    continue outer;
                }
                o = op;
                n = np;
            }
        }
        if (dst instanceof HeapRbRootCached) {
            ((HeapRbRootCached) dst).leftmost = first(dst);
        }
    }

    private static void cloneInit(HeapRbNode o, HeapRbNode n, HeapRbNode newParent, HeapRbAugmentCallbacks augment) {
        n.parent = newParent;
        n.black = o.black;
        n.left = null;
        n.right = null;
        if (augment != null) {
            augment.copy(o, n);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Validation
    // ---------------------------------------------------------------------------------------

    /**
     * Check invariants 1-5 over the whole tree (and the leftmost cache for a cached root); throws
     * {@link IllegalStateException} naming the broken property. Returns the number of nodes.
     * O(n log n) time, O(1) space.
     */
    public static int validate(HeapRbRoot root) {
        HeapRbNode top = root.node;
        if (top == null) {
            if (root instanceof HeapRbRootCached && ((HeapRbRootCached) root).leftmost != null) {
                throw new IllegalStateException("rbtree: empty tree caches a leftmost node");
            }
            return 0;
        }
        if (top.parent != null) {
            throw new IllegalStateException("rbtree: root " + top + " has a parent " + top.parent);
        }
        if (!top.black) {
            throw new IllegalStateException("rbtree: root " + top + " is red");
        }
        // Walk in order; every leaf link must see the same number of black nodes above it.
        int count = 0;
        int blackHeight = -1;
        HeapRbNode n = first(root);
        if (root instanceof HeapRbRootCached && ((HeapRbRootCached) root).leftmost != n) {
            throw new IllegalStateException("rbtree: cached leftmost " + ((HeapRbRootCached) root).leftmost
                    + " is not the first node " + n);
        }
        for (; n != null; n = next(n)) {
            count++;
            checkChild(n, n.left);
            checkChild(n, n.right);
            if (n.left == null || n.right == null) {
                int blacks = 0;
                for (HeapRbNode a = n; a != null; a = a.parent) {
                    if (a.black) {
                        blacks++;
                    }
                }
                if (blackHeight < 0) {
                    blackHeight = blacks;
                } else if (blacks != blackHeight) {
                    throw new IllegalStateException("rbtree: black height " + blacks + " below " + n
                            + " differs from " + blackHeight);
                }
            }
        }
        return count;
    }

    private static void checkChild(HeapRbNode n, HeapRbNode c) {
        if (c == null) {
            return;
        }
        if (c.parent != n) {
            throw new IllegalStateException("rbtree: child " + c + " of " + n + " has parent " + c.parent);
        }
        if (!n.black && !c.black) {
            throw new IllegalStateException("rbtree: red node " + n + " has red child " + c);
        }
    }
}
