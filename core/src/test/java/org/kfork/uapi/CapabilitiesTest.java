package org.kfork.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The capabilities of include/uapi/linux/capability.h (5.12): numbers, names, the full set as
 * kernel_cap_t's two 32-bit words read as one little-endian long. The reference CSV has no CAP_
 * rows, so the values are pinned here from the header.
 */
class CapabilitiesTest {
    @Test
    void theNumbersForkAndMmCheckAreThoseOfTheHeader() {
        assertEquals(5, Capabilities.CAP_KILL);
        assertEquals(17, Capabilities.CAP_SYS_RAWIO);
        assertEquals(19, Capabilities.CAP_SYS_PTRACE);
        assertEquals(21, Capabilities.CAP_SYS_ADMIN);
        assertEquals(23, Capabilities.CAP_SYS_NICE);
        assertEquals(24, Capabilities.CAP_SYS_RESOURCE);
        assertEquals(40, Capabilities.CAP_CHECKPOINT_RESTORE);
        assertEquals(Capabilities.CAP_CHECKPOINT_RESTORE, Capabilities.CAP_LAST_CAP);
    }

    @Test
    void theFullSetIsEveryCapabilityAndNothingAbove() {
        // {~0, CAP_TO_MASK(CAP_LAST_CAP + 1) - 1}: the low word full, 9 bits of the high one
        assertEquals(0xffffffffL | (0x1ffL << 32), Capabilities.CAP_FULL_SET);
        for (int cap = 0; cap <= Capabilities.CAP_LAST_CAP; cap++) {
            assertTrue(Capabilities.capRaised(Capabilities.CAP_FULL_SET, cap));
            assertEquals(cap, Capabilities.byName(Capabilities.name(cap)), "names round-trip");
        }
        assertFalse(Capabilities.capValid(41));
        assertFalse(Capabilities.capValid(-1));
        assertThrows(IllegalArgumentException.class, () -> Capabilities.capToMask(41));
        assertEquals(-1, Capabilities.byName("CAP_NOPE"));
    }

    @Test
    void setsAreDescribedAndComparedAsTheKernelDoes() {
        long set = Capabilities.capToMask(Capabilities.CAP_KILL) | Capabilities.capToMask(Capabilities.CAP_SYS_ADMIN);
        assertEquals("CAP_KILL|CAP_SYS_ADMIN", Capabilities.describe(set));
        assertEquals("none", Capabilities.describe(Capabilities.CAP_EMPTY_SET));
        assertTrue(Capabilities.capIssubset(Capabilities.capToMask(Capabilities.CAP_KILL), set));
        assertFalse(Capabilities.capIssubset(set, Capabilities.capToMask(Capabilities.CAP_KILL)));
        assertTrue(Capabilities.capIssubset(Capabilities.CAP_EMPTY_SET, Capabilities.CAP_EMPTY_SET));
    }
}
