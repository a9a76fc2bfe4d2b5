package org.kfork.alloc;

import org.junit.jupiter.api.Test;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.BadAccessException;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.VmFlags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The slab cache example of README.md, as written there, with what its comments promise. */
class ReadmeSlabExampleTest {
    @Test
    void theReadmeExampleRunsAsDocumented() {
        try (Machine m = Machine.create(64 << 20)) {
            KmemCache vmas = Kmem.of(m).slabs().createOrThrow("vm_area_struct",
                (int) VmAreaStruct.SIZEOF, 0, SlabFlags.SLAB_ACCOUNT, null);
            long vma = vmas.alloc();
            assertNotEquals(0, vma);
            Mem.putLong(vma + VmAreaStruct.VM_START, 0x7f0000000000L);
            Mem.putLong(vma + VmAreaStruct.VM_FLAGS, VmFlags.VM_READ | VmFlags.VM_MAYREAD);
            assertEquals(0x11, Mem.getLong(vma + VmAreaStruct.VM_FLAGS));
            vmas.free(vma);
            BadAccessException uaf = assertThrows(BadAccessException.class, () -> Mem.getLong(vma));
            assertEquals("use-after-free", uaf.bug());
            String slabinfo = Kmem.of(m).slabs().slabinfo();
            assertTrue(slabinfo.contains("vm_area_struct"), slabinfo);
            vmas.destroy();
            SlabCreateException why = assertThrows(SlabCreateException.class,
                () -> Kmem.of(m).slabs().createOrThrow("vm_area_struct", 0, 0, 0, null));
            assertEquals(22, why.errno(), "-EINVAL, and the reason: " + why.reason());
            m.close();
            assertThrows(IllegalStateException.class, vmas::alloc, "a stale handle of a closed machine");
        }
    }
}
