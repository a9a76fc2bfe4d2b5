package org.kfork.ds;

import static org.kfork.ds.RbTree.PARENT_COLOR;
import static org.kfork.ds.RbTree.RB_BLACK;
import static org.kfork.ds.RbTree.RB_LEFT;
import static org.kfork.ds.RbTree.RB_LEFTMOST;
import static org.kfork.ds.RbTree.RB_RED;
import static org.kfork.ds.RbTree.RB_RIGHT;
import static org.kfork.ds.RbTree.changeChild;
import static org.kfork.ds.RbTree.isBlack;
import static org.kfork.ds.RbTree.isRed;
import static org.kfork.ds.RbTree.rotateSetParents;
import static org.kfork.ds.RbTree.setParent;
import static org.kfork.ds.RbTree.setParentColor;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import java.util.function.LongUnaryOperator;

import org.kfork.machine.Kasan;

/**
 * The augmented rb-tree (include/linux/rbtree_augmented.h): the algorithms of {@link RbTree} with
 * the {@link RbAugmentCallbacks} called at each rotation, copy and propagation. The cases and
 * their pictures are those of {@link RbTree}; this is a separate copy of the code so that the plain
 * tree's insert and erase make no callback calls at all (the kernel gets the same effect by
 * inlining dummy callbacks).
 *
 * <p>Insertion contract: the caller's search loop updates the augmented value of each node it
 * passes on the way down (the new node will sit below them), sets the new node's own value, then
 * calls {@link RbTree#linkNode} and {@link #insert}.
 */
public final class RbAugmented {
    private RbAugmented() {
    }

    /** {@code rb_insert_augmented}: rebalance after {@link RbTree#linkNode}, keeping augmented values. */
    public static void insert(long node, long root, RbAugmentCallbacks augment) {
        long parent = getLong(node + PARENT_COLOR);
        long gparent;
        long tmp;
        while (true) {
            if (parent == 0) {
                setParentColor(node, 0, RB_BLACK);
                break;
            }
            if (isBlack(parent)) {
                break;
            }
            gparent = getLong(parent + PARENT_COLOR);
            tmp = getLong(gparent + RB_RIGHT);
            if (parent != tmp) {
                if (tmp != 0 && isRed(tmp)) { // case 1: colour flip
                    setParentColor(tmp, gparent, RB_BLACK);
                    setParentColor(parent, gparent, RB_BLACK);
                    node = gparent;
                    parent = RbTree.parent(node);
                    setParentColor(node, parent, RB_RED);
                    continue;
                }
                tmp = getLong(parent + RB_RIGHT);
                if (node == tmp) { // case 2: left rotate at parent
                    tmp = getLong(node + RB_LEFT);
                    putLong(parent + RB_RIGHT, tmp);
                    putLong(node + RB_LEFT, parent);
                    if (tmp != 0) {
                        setParentColor(tmp, parent, RB_BLACK);
                    }
                    setParentColor(parent, node, RB_RED);
                    augment.rotate(parent, node);
                    parent = node;
                    tmp = getLong(node + RB_RIGHT);
                }
                // case 3: right rotate at gparent
                putLong(gparent + RB_LEFT, tmp);
                putLong(parent + RB_RIGHT, gparent);
                if (tmp != 0) {
                    setParentColor(tmp, gparent, RB_BLACK);
                }
                rotateSetParents(gparent, parent, root, RB_RED);
                augment.rotate(gparent, parent);
                break;
            } else {
                tmp = getLong(gparent + RB_LEFT);
                if (tmp != 0 && isRed(tmp)) {
                    setParentColor(tmp, gparent, RB_BLACK);
                    setParentColor(parent, gparent, RB_BLACK);
                    node = gparent;
                    parent = RbTree.parent(node);
                    setParentColor(node, parent, RB_RED);
                    continue;
                }
                tmp = getLong(parent + RB_LEFT);
                if (node == tmp) {
                    tmp = getLong(node + RB_RIGHT);
                    putLong(parent + RB_LEFT, tmp);
                    putLong(node + RB_RIGHT, parent);
                    if (tmp != 0) {
                        setParentColor(tmp, parent, RB_BLACK);
                    }
                    setParentColor(parent, node, RB_RED);
                    augment.rotate(parent, node);
                    parent = node;
                    tmp = getLong(node + RB_LEFT);
                }
                putLong(gparent + RB_RIGHT, tmp);
                putLong(parent + RB_LEFT, gparent);
                if (tmp != 0) {
                    setParentColor(tmp, gparent, RB_BLACK);
                }
                rotateSetParents(gparent, parent, root, RB_RED);
                augment.rotate(gparent, parent);
                break;
            }
        }
    }

    /** {@code rb_insert_augmented_cached}. */
    public static void insertCached(long node, long rootCached, boolean leftmost, RbAugmentCallbacks augment) {
        if (leftmost) {
            putLong(rootCached + RB_LEFTMOST, node);
        }
        insert(node, rootCached, augment);
    }

    /** {@code rb_erase_augmented}. */
    public static void erase(long node, long root, RbAugmentCallbacks augment) {
        if (Kasan.ENABLED) {
            RbTree.checkErase(node);
        }
        long rebalance = eraseUnlink(node, root, augment);
        if (rebalance != 0) {
            eraseColor(rebalance, root, augment);
        }
    }

    /** {@code rb_erase_augmented_cached}. */
    public static void eraseCached(long node, long rootCached, RbAugmentCallbacks augment) {
        if (getLong(rootCached + RB_LEFTMOST) == node) {
            putLong(rootCached + RB_LEFTMOST, RbTree.next(node));
        }
        erase(node, rootCached, augment);
    }

    /**
     * {@link RbTree#cloneStructure(long, long, boolean, LongUnaryOperator)} that also gives each
     * copy its source's augmented value through {@link RbAugmentCallbacks#copy}.
     */
    public static void cloneStructure(long srcRoot, long dstRoot, boolean dstCached, LongUnaryOperator map,
                                      RbAugmentCallbacks augment) {
        RbTree.cloneStructure(srcRoot, dstRoot, dstCached, map, augment);
    }

    /** {@code __rb_erase_augmented}: see {@link RbTree#eraseUnlink} for the cases. */
    static long eraseUnlink(long node, long root, RbAugmentCallbacks augment) {
        long child = getLong(node + RB_RIGHT);
        long tmp = getLong(node + RB_LEFT);
        long parent;
        long rebalance;
        long pc;
        if (tmp == 0) {
            pc = getLong(node + PARENT_COLOR);
            parent = pc & ~3L;
            changeChild(node, child, parent, root);
            if (child != 0) {
                putLong(child + PARENT_COLOR, pc);
                rebalance = 0;
            } else {
                rebalance = (pc & 1) != 0 ? parent : 0;
            }
            tmp = parent;
        } else if (child == 0) {
            pc = getLong(node + PARENT_COLOR);
            putLong(tmp + PARENT_COLOR, pc);
            parent = pc & ~3L;
            changeChild(node, tmp, parent, root);
            rebalance = 0;
            tmp = parent;
        } else {
            long successor = child;
            long child2;
            tmp = getLong(child + RB_LEFT);
            if (tmp == 0) {
                parent = successor;
                child2 = getLong(successor + RB_RIGHT);
                augment.copy(node, successor);
            } else {
                do {
                    parent = successor;
                    successor = tmp;
                    tmp = getLong(tmp + RB_LEFT);
                } while (tmp != 0);
                child2 = getLong(successor + RB_RIGHT);
                putLong(parent + RB_LEFT, child2);
                putLong(successor + RB_RIGHT, child);
                setParent(child, successor);
                augment.copy(node, successor);
                // the path from successor's old parent up to (not including) successor lost a node
                augment.propagate(parent, successor);
            }
            tmp = getLong(node + RB_LEFT);
            putLong(successor + RB_LEFT, tmp);
            setParent(tmp, successor);
            pc = getLong(node + PARENT_COLOR);
            changeChild(node, successor, pc & ~3L, root);
            if (child2 != 0) {
                setParentColor(child2, parent, RB_BLACK);
                rebalance = 0;
            } else {
                rebalance = isBlack(successor) ? parent : 0;
            }
            putLong(successor + PARENT_COLOR, pc);
            tmp = successor;
        }
        // everything above the spot that changed may have lost its maximum
        augment.propagate(tmp, 0);
        return rebalance;
    }

    /** {@code __rb_erase_color} with rotate callbacks: see {@link RbTree#eraseColor} for the cases. */
    static void eraseColor(long parent, long root, RbAugmentCallbacks augment) {
        long node = 0;
        long sibling;
        long tmp1;
        long tmp2;
        while (true) {
            sibling = getLong(parent + RB_RIGHT);
            if (node != sibling) {
                if (isRed(sibling)) { // case 1
                    tmp1 = getLong(sibling + RB_LEFT);
                    putLong(parent + RB_RIGHT, tmp1);
                    putLong(sibling + RB_LEFT, parent);
                    setParentColor(tmp1, parent, RB_BLACK);
                    rotateSetParents(parent, sibling, root, RB_RED);
                    augment.rotate(parent, sibling);
                    sibling = tmp1;
                }
                tmp1 = getLong(sibling + RB_RIGHT);
                if (tmp1 == 0 || isBlack(tmp1)) {
                    tmp2 = getLong(sibling + RB_LEFT);
                    if (tmp2 == 0 || isBlack(tmp2)) { // case 2
                        setParentColor(sibling, parent, RB_RED);
                        if (isRed(parent)) {
                            putLong(parent + PARENT_COLOR, getLong(parent + PARENT_COLOR) | RB_BLACK);
                        } else {
                            node = parent;
                            parent = RbTree.parent(node);
                            if (parent != 0) {
                                continue;
                            }
                        }
                        break;
                    }
                    // case 3
                    tmp1 = getLong(tmp2 + RB_RIGHT);
                    putLong(sibling + RB_LEFT, tmp1);
                    putLong(tmp2 + RB_RIGHT, sibling);
                    putLong(parent + RB_RIGHT, tmp2);
                    if (tmp1 != 0) {
                        setParentColor(tmp1, sibling, RB_BLACK);
                    }
                    augment.rotate(sibling, tmp2);
                    tmp1 = sibling;
                    sibling = tmp2;
                }
                // case 4
                tmp2 = getLong(sibling + RB_LEFT);
                putLong(parent + RB_RIGHT, tmp2);
                putLong(sibling + RB_LEFT, parent);
                setParentColor(tmp1, sibling, RB_BLACK);
                if (tmp2 != 0) {
                    setParent(tmp2, parent);
                }
                rotateSetParents(parent, sibling, root, RB_BLACK);
                augment.rotate(parent, sibling);
                break;
            } else {
                sibling = getLong(parent + RB_LEFT);
                if (isRed(sibling)) {
                    tmp1 = getLong(sibling + RB_RIGHT);
                    putLong(parent + RB_LEFT, tmp1);
                    putLong(sibling + RB_RIGHT, parent);
                    setParentColor(tmp1, parent, RB_BLACK);
                    rotateSetParents(parent, sibling, root, RB_RED);
                    augment.rotate(parent, sibling);
                    sibling = tmp1;
                }
                tmp1 = getLong(sibling + RB_LEFT);
                if (tmp1 == 0 || isBlack(tmp1)) {
                    tmp2 = getLong(sibling + RB_RIGHT);
                    if (tmp2 == 0 || isBlack(tmp2)) {
                        setParentColor(sibling, parent, RB_RED);
                        if (isRed(parent)) {
                            putLong(parent + PARENT_COLOR, getLong(parent + PARENT_COLOR) | RB_BLACK);
                        } else {
                            node = parent;
                            parent = RbTree.parent(node);
                            if (parent != 0) {
                                continue;
                            }
                        }
                        break;
                    }
                    tmp1 = getLong(tmp2 + RB_LEFT);
                    putLong(sibling + RB_RIGHT, tmp1);
                    putLong(tmp2 + RB_LEFT, sibling);
                    putLong(parent + RB_LEFT, tmp2);
                    if (tmp1 != 0) {
                        setParentColor(tmp1, sibling, RB_BLACK);
                    }
                    augment.rotate(sibling, tmp2);
                    tmp1 = sibling;
                    sibling = tmp2;
                }
                tmp2 = getLong(sibling + RB_RIGHT);
                putLong(parent + RB_LEFT, tmp2);
                putLong(sibling + RB_RIGHT, parent);
                setParentColor(tmp1, sibling, RB_BLACK);
                if (tmp2 != 0) {
                    setParent(tmp2, parent);
                }
                rotateSetParents(parent, sibling, root, RB_BLACK);
                augment.rotate(parent, sibling);
                break;
            }
        }
    }
}
