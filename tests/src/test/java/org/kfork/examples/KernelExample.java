package org.kfork.examples;

import static org.kfork.mm.Mman.*;

import org.kfork.api.Kernel;
import org.kfork.api.Kernels;
import org.kfork.script.Scratch;
import org.kfork.script.ScriptRunner;

public final class KernelExample {
    public static void main(String[] args) {
        // "offheap" or "heap"; a 64 MiB machine with 2 CPUs, pid 1 running the scripts' init image
        try (Kernel k = Kernels.boot("offheap", ScriptRunner.config(64L << 20, 2))) {
            long child = k.fork(1);                                   // as init: the child's pid, or -errno
            long vma = k.mmap((int) child, 0x20000, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);      // a VMA of the child's own
            System.out.print(k.procMaps((int) child));
            k.exit((int) child, 3);                                   // 0: the child is a zombie
            long reaped = k.wait4(1, (int) child, Scratch.WSTATUS, 0, 0);   // its status in init's memory
            System.out.println("child " + child + ", vma at 0x" + Long.toHexString(vma) + ", reaped " + reaped);
        }                                                             // close: a leak would throw here
    }
}
