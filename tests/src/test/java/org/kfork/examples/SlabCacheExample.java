package org.kfork.examples;

import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.VmFlags;

public final class SlabCacheExample {
    public static void main(String[] args) {
        try (Machine m = Machine.create(64 << 20)) {                     // 64 MiB of RAM
            // create() returns null on failure, as kmem_cache_create does; createOrThrow() says why
            // (SlabCreateException: the errno, -EINVAL or -ENOMEM, and the reason)
            KmemCache vmas = Kmem.of(m).slabs().createOrThrow("vm_area_struct",
                    (int) VmAreaStruct.SIZEOF, 0, SlabFlags.SLAB_ACCOUNT, null);
            long vma = vmas.alloc();                                      // 0 (NULL) when RAM runs out
            Mem.putLong(vma + VmAreaStruct.VM_START, 0x7f0000000000L);
            Mem.putLong(vma + VmAreaStruct.VM_FLAGS, VmFlags.VM_READ | VmFlags.VM_MAYREAD);
            vmas.free(vma);                    // in checked mode a later access throws use-after-free
            System.out.print(Kmem.of(m).slabs().slabinfo());
            vmas.destroy();                    // lists every leaked object if any is still allocated
        }                                      // closed: every stale handle of m now throws
    }
}
