package org.kfork.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.kfork.mm.VmFlags.*;

import org.junit.jupiter.api.Test;
import org.kfork.uapi.FlagNames;

class VmFlagsTest {
    @Test
    void describeNamesVmFlags() {
        assertEquals("VM_READ|VM_WRITE|VM_MAYREAD|VM_MAYWRITE|VM_MAYEXEC", describe(VM_DATA_FLAGS_NON_EXEC));
        assertEquals("VM_READ|VM_WRITE|VM_MAYREAD|VM_MAYWRITE|VM_GROWSDOWN|VM_ACCOUNT",
            describe(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_STACK | VM_ACCOUNT));
        assertEquals("VM_PAT", describe(VM_ARCH_1));
        assertEquals("VM_MERGEABLE|VM_PKEY_BIT3", describe(VM_MERGEABLE | VM_PKEY_BIT3));
        assertEquals("0", describe(VM_NONE));
        // Bit 27 is VM_SOFTDIRTY only with CONFIG_MEM_SOFT_DIRTY; here it has no name.
        assertEquals("VM_EXEC|0x8000000", describe(VM_EXEC | 0x08000000L));
    }

    @Test
    void lockedClearMaskDropsOnlyMlockState() {
        long parent = VM_READ | VM_WRITE | VM_LOCKED | VM_LOCKONFAULT | VM_MERGEABLE | VM_PKEY_BIT0;
        assertEquals(VM_READ | VM_WRITE | VM_MERGEABLE | VM_PKEY_BIT0, parent & VM_LOCKED_CLEAR_MASK);
    }

    @Test
    void flagNamesRejectsAZeroMask() {
        assertThrows(IllegalArgumentException.class,
            () -> new FlagNames(new long[] {VM_SOFTDIRTY}, new String[] {"VM_SOFTDIRTY"}));
        assertThrows(IllegalArgumentException.class, () -> new FlagNames(new long[] {1}, new String[0]));
    }
}
