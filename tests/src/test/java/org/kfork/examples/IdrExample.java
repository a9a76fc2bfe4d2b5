package org.kfork.examples;

import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.ds.Idr;
import org.kfork.ds.XaNode;
import org.kfork.machine.Machine;

public final class IdrExample {
    public static void main(String[] args) {
        try (Machine m = Machine.create(64L << 20)) {
            KmemCache nodes = Kmem.of(m).slabs().createOrThrow("radix_tree_node", (int) XaNode.SIZEOF, 0, 0, null);
            Idr idr = new Idr(new Idr.NodeAllocator() {
                public long allocNode() { return nodes.zalloc(); }
                public void freeNode(long node) { nodes.free(node); }   // or after a grace period
            });

            long pidns = m.pages().allocPage();          // a struct idr somewhere in RAM
            idr.idrInit(pidns);
            int pidMax = 32768;
            // alloc_pid: reserve with NULL, from 1, or from RESERVED_PIDS (300) once the cursor passed it
            int pidMin = idr.idrGetCursor(pidns) > 300 ? 300 : 1;
            int nr = idr.idrAllocCyclic(pidns, 0, pidMin, pidMax);     // 1, then 2, 3, ...
            long pid = 0xffff888000100000L;                             // the struct pid
            idr.idrReplace(pidns, pid, nr);                             // now find_pid_ns sees it
            System.out.println("pid " + nr + " -> 0x" + Long.toHexString(idr.idrFind(pidns, nr)));
            System.out.println("set_tid " + nr + ": " + idr.idrAlloc(pidns, 0, nr, nr + 1)); // -28, -ENOSPC
            idr.idrRemove(pidns, nr);                                   // free_pid
            idr.idrDestroy(pidns);
            m.pages().freePage(pidns);
            nodes.destroy();                             // lists every node still allocated, if any
        }
    }
}
