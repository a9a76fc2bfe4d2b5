package org.kfork.heap.ds;

import static org.kfork.heap.ds.HeapRbTree.changeChild;
import static org.kfork.heap.ds.HeapRbTree.rotateSetParents;
import static org.kfork.heap.ds.HeapRbTree.setParentColor;

/**
 * The heap twin of the augmented rb-tree (include/linux/rbtree_augmented.h). Same algorithms as
 * {@link HeapRbTree}, with the callbacks called at each rotation, copy and propagation. It is a
 * separate code path so that the plain tree never makes a callback call.
 *
 * <p>Before {@link #insert}, the caller's search loop updates the augmented value of each node it
 * passes (it knows the new node will sit below them) and sets the new node's own value.
 */
public final class HeapRbAugmented {
    private HeapRbAugmented() {
    }

    /** {@code rb_insert_augmented}: rebalance after {@link HeapRbTree#linkNode}. */
    public static void insert(HeapRbNode node, HeapRbRoot root, HeapRbAugmentCallbacks augment) {
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
                    setParentColor(tmp, gparent, true);
                    setParentColor(parent, gparent, true);
                    node = gparent;
                    parent = node.parent;
                    setParentColor(node, parent, false);
                    continue;
                }
                tmp = parent.right;
                if (node == tmp) {
                    tmp = node.left;
                    parent.right = tmp;
                    node.left = parent;
                    if (tmp != null) {
                        setParentColor(tmp, parent, true);
                    }
                    setParentColor(parent, node, false);
                    augment.rotate(parent, node);
                    parent = node;
                    tmp = node.right;
                }
                gparent.left = tmp;
                parent.right = gparent;
                if (tmp != null) {
                    setParentColor(tmp, gparent, true);
                }
                rotateSetParents(gparent, parent, root, false);
                augment.rotate(gparent, parent);
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
                    augment.rotate(parent, node);
                    parent = node;
                    tmp = node.left;
                }
                gparent.right = tmp;
                parent.left = gparent;
                if (tmp != null) {
                    setParentColor(tmp, gparent, true);
                }
                rotateSetParents(gparent, parent, root, false);
                augment.rotate(gparent, parent);
                break;
            }
        }
    }

    /** {@code rb_insert_augmented_cached}. */
    public static void insertCached(HeapRbNode node, HeapRbRootCached root, boolean leftmost,
                                    HeapRbAugmentCallbacks augment) {
        if (leftmost) {
            root.leftmost = node;
        }
        insert(node, root, augment);
    }

    /** {@code rb_erase_augmented}. */
    public static void erase(HeapRbNode node, HeapRbRoot root, HeapRbAugmentCallbacks augment) {
        HeapRbNode rebalance = eraseUnlink(node, root, augment);
        if (rebalance != null) {
            eraseColor(rebalance, root, augment);
        }
    }

    /** {@code rb_erase_augmented_cached}. */
    public static void eraseCached(HeapRbNode node, HeapRbRootCached root, HeapRbAugmentCallbacks augment) {
        if (root.leftmost == node) {
            root.leftmost = HeapRbTree.next(node);
        }
        erase(node, root, augment);
    }

    /** {@code __rb_erase_augmented}. */
    static HeapRbNode eraseUnlink(HeapRbNode node, HeapRbRoot root, HeapRbAugmentCallbacks augment) {
        HeapRbNode child = node.right;
        HeapRbNode tmp = node.left;
        HeapRbNode parent;
        HeapRbNode rebalance;
        if (tmp == null) {
            parent = node.parent;
            changeChild(node, child, parent, root);
            if (child != null) {
                child.parent = parent;
                child.black = node.black;
                rebalance = null;
            } else {
                rebalance = node.black ? parent : null;
            }
            tmp = parent;
        } else if (child == null) {
            parent = node.parent;
            tmp.parent = parent;
            tmp.black = node.black;
            changeChild(node, tmp, parent, root);
            rebalance = null;
            tmp = parent;
        } else {
            HeapRbNode successor = child;
            HeapRbNode child2;
            tmp = child.left;
            if (tmp == null) {
                parent = successor;
                child2 = successor.right;
                augment.copy(node, successor);
            } else {
                do {
                    parent = successor;
                    successor = tmp;
                    tmp = tmp.left;
                } while (tmp != null);
                child2 = successor.right;
                parent.left = child2;
                successor.right = child;
                child.parent = successor;
                augment.copy(node, successor);
                augment.propagate(parent, successor);
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
            tmp = successor;
        }
        augment.propagate(tmp, null);
        return rebalance;
    }

    /** {@code __rb_erase_color} with the rotate callback. */
    static void eraseColor(HeapRbNode parent, HeapRbRoot root, HeapRbAugmentCallbacks augment) {
        HeapRbNode node = null;
        HeapRbNode sibling;
        HeapRbNode tmp1;
        HeapRbNode tmp2;
        while (true) {
            sibling = parent.right;
            if (node != sibling) {
                if (!sibling.black) {
                    tmp1 = sibling.left;
                    parent.right = tmp1;
                    sibling.left = parent;
                    setParentColor(tmp1, parent, true);
                    rotateSetParents(parent, sibling, root, false);
                    augment.rotate(parent, sibling);
                    sibling = tmp1;
                }
                tmp1 = sibling.right;
                if (tmp1 == null || tmp1.black) {
                    tmp2 = sibling.left;
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
                    tmp1 = tmp2.right;
                    sibling.left = tmp1;
                    tmp2.right = sibling;
                    parent.right = tmp2;
                    if (tmp1 != null) {
                        setParentColor(tmp1, sibling, true);
                    }
                    augment.rotate(sibling, tmp2);
                    tmp1 = sibling;
                    sibling = tmp2;
                }
                tmp2 = sibling.left;
                parent.right = tmp2;
                sibling.left = parent;
                setParentColor(tmp1, sibling, true);
                if (tmp2 != null) {
                    tmp2.parent = parent;
                }
                rotateSetParents(parent, sibling, root, true);
                augment.rotate(parent, sibling);
                break;
            } else {
                sibling = parent.left;
                if (!sibling.black) {
                    tmp1 = sibling.right;
                    parent.left = tmp1;
                    sibling.right = parent;
                    setParentColor(tmp1, parent, true);
                    rotateSetParents(parent, sibling, root, false);
                    augment.rotate(parent, sibling);
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
                    augment.rotate(sibling, tmp2);
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
                augment.rotate(parent, sibling);
                break;
            }
        }
    }
}
