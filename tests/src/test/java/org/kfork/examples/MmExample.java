package org.kfork.examples;

import static org.kfork.mm.Mman.*;

import org.kfork.kernel.mm.OffHeapMmSystem;
import org.kfork.machine.Machine;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.MappedFile;
import org.kfork.uapi.Errno;

public final class MmExample {
    public static void main(String[] args) {
        Machine m = Machine.create(64L << 20);             // 64 MiB of modeled RAM
        OffHeapMmSystem sys = OffHeapMmSystem.boot(m);     // fork_init, proc_caches_init, anon_vma_init
        MappedFile libc = sys.openFile("/lib/libc.so.6", false, false);   // KernelException(ENOMEM)
        AddressSpace mm = sys.mmAlloc();                   // mm_alloc: KernelException(ENOMEM)

        // mmap: the address, or -EINVAL (length 0, no or bad type, bad flags), -ENOMEM (no room,
        // no RAM, vm.max_map_count, overcommit), -EEXIST (MAP_FIXED_NOREPLACE over a mapping),
        // -EACCES (shared writable map of a read-only file), -ETXTBSY, -EOPNOTSUPP, -EOVERFLOW.
        // Errno.check turns an error into a KernelException.
        long text = Errno.check("mmap", mm.mmap(0, 4 * PAGE_SIZE, PROT_READ | PROT_EXEC, MAP_PRIVATE, libc, 0));
        long heap = Errno.check("mmap", mm.mmap(0, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS, null, 0));
        long shm = Errno.check("mmap", mm.mmap(0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_ANONYMOUS, null, 0));        // a /dev/zero shmem file, charged to overcommit

        // mprotect: 0, -EINVAL (unaligned, bad prot), -ENOMEM (a hole, vm.max_map_count), -EACCES
        Errno.check("mprotect", mm.mprotect(heap, PAGE_SIZE, PROT_NONE));   // a guard page splits the area
        // madvise: 0, -EINVAL (bad advice or range), -ENOMEM (a hole, vm.max_map_count), -EAGAIN
        Errno.check("madvise", mm.madvise(shm, 2 * PAGE_SIZE, MADV_DONTFORK));   // not copied by fork
        // the first write fault's anon_vma_prepare: 0, -EFAULT (nothing mapped), -ENOMEM
        Errno.check("fault", mm.touch(heap + PAGE_SIZE));

        // dup_mm: the copy a fork makes; KernelException(ENOMEM), or EINTR with a fatal signal pending
        AddressSpace child = mm.dup(DupMode.APPEND);
        System.out.print(child.maps());
        System.out.println("text at 0x" + Long.toHexString(text) + ", " + child.mapCount() + " areas in the child");

        // tear down: the mms first (the last mmput unmaps everything and drops their file
        // references), then the files, then the system (it destroys its caches, and says which
        // objects leaked, if any), then the machine
        child.mmput();
        mm.mmput();
        libc.fput();
        sys.close();
        m.close();
    }
}
