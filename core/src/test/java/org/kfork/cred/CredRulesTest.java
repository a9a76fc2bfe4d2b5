package org.kfork.cred;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;

/** The representation-free rules of kernel/user.c and kernel/ucount.c, and set_max_threads. */
class CredRulesTest {
    @Test
    void uidhashfnFoldsTheHighBitsIntoSevenBits() {
        assertEquals(0, Uids.uidhashfn(0));
        assertEquals(((500 >> 7) + 500) & 127, Uids.uidhashfn(500));
        assertEquals(Uids.uidhashfn(500), Uids.uidhashfn(627), "a collision the suites use");
        assertEquals(((0xffffffffL >>> 7) + 0xffffffffL) & 127, Uids.uidhashfn(-1), "uids are unsigned");
        assertFalse(Uids.valid(Uids.INVALID_UID));
        assertTrue(Uids.valid(0));
    }

    @Test
    void ucountTypesAndTheirSysctls() {
        assertEquals(10, UcountTypes.UCOUNT_COUNTS, "with CONFIG_INOTIFY_USER");
        assertEquals(1, UcountTypes.UCOUNT_PID_NAMESPACES);
        assertEquals("user.max_pid_namespaces", UcountTypes.sysctlName(UcountTypes.UCOUNT_PID_NAMESPACES));
        for (int t = 0; t < UcountTypes.UCOUNT_COUNTS; t++) {
            assertEquals(t, UcountTypes.bySysctlName(UcountTypes.sysctlName(t)));
        }
        assertEquals(-1, UcountTypes.bySysctlName("user.max_nope"));
        assertThrows(IllegalArgumentException.class, () -> UcountTypes.sysctlName(10));
        assertEquals(0, UcountTypes.sysctlCheck(0));
        assertEquals(0, UcountTypes.sysctlCheck(Integer.MAX_VALUE));
        assertEquals(-Errno.EINVAL, UcountTypes.sysctlCheck(-1));
        assertEquals(-Errno.EINVAL, UcountTypes.sysctlCheck(1L << 31));
    }

    @Test
    void hashLongIsHash64OfTheGoldenRatio() {
        // hash_64(1, 10): the top ten bits of GOLDEN_RATIO_64
        assertEquals((int) (0x61C8864680B583EBL >>> 54), UcountTypes.hashLong(1, 10));
        for (long v : new long[] {0, 7, -1, 0xffff888000001000L}) {
            int h = UcountTypes.hashLong(v, 10);
            assertTrue(h >= 0 && h < 1024);
        }
    }

    @Test
    void setMaxThreadsGivesAnEighthOfRamInStacksWithinItsBounds() {
        assertEquals(512, Limits.maxThreads(16384, Limits.MAX_THREADS), "64 MiB");
        assertEquals(100, Limits.maxThreads(16384, 100), "the suggestion caps it");
        assertEquals(Limits.MIN_THREADS, Limits.maxThreads(256, Limits.MAX_THREADS), "1 MiB: 8, raised to 20");
        assertEquals(Limits.MAX_THREADS, Limits.maxThreads(1L << 52, Limits.MAX_THREADS), "overflow guard");
    }
}
