package org.kfork.examples;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import org.kfork.ds.RbTree;
import org.kfork.machine.Machine;

public final class RbTreeExample {
    // struct item { u64 key @0; struct rb_node node @8; ... }  (32 bytes)
    static final int KEY = 0, NODE = 8, SIZE = 32;

    public static void main(String[] args) {
        try (Machine m = Machine.create(64L << 20)) {
            long page = m.pages().allocPage();  // RAM comes from the machine's page allocator
            long root = page;                   // struct rb_root (8 bytes) at the start of the page
            RbTree.initRoot(root);

            // insert: your own search loop, then rb_link_node + rb_insert_color
            for (int i = 0; i < 100; i++) {
                long item = page + 8 + (long) i * SIZE;
                long key = (i * 37) % 101;
                putLong(item + KEY, key);
                long link = root, parent = 0, cur;
                while ((cur = getLong(link)) != 0) {
                    parent = cur;
                    link = key < getLong(cur - NODE + KEY) ? cur + RbTree.RB_LEFT : cur + RbTree.RB_RIGHT;
                }
                RbTree.linkNode(item + NODE, parent, link);
                RbTree.insertColor(item + NODE, root);
            }

            // lookup: again your loop; container_of is "node - NODE"
            long n = RbTree.rootNode(root);
            while (n != 0 && getLong(n - NODE + KEY) != 42) {
                n = 42 < getLong(n - NODE + KEY) ? RbTree.left(n) : RbTree.right(n);
            }

            // in-order walk, erase, check
            StringBuilder keys = new StringBuilder();
            for (long it = RbTree.first(root); it != 0; it = RbTree.next(it)) {
                keys.append(getLong(it - NODE + KEY)).append(' ');       // ascending
            }
            System.out.println(keys);
            RbTree.erase(n, root);
            System.out.println(RbTree.validate(root, false) + " nodes left");

            m.pages().freePage(page);
        }
    }
}
