package org.kfork.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.uapi.Errno.EAGAIN;
import static org.kfork.uapi.Errno.EEXIST;
import static org.kfork.uapi.Errno.EINVAL;
import static org.kfork.uapi.Errno.ENOMEM;
import static org.kfork.uapi.Errno.ENOSPC;

import org.junit.jupiter.api.Test;
import org.kfork.sched.Limits;

/** The representation-free rules of the pid room, which both kernels call at the same points. */
class PidRulesTest {

    @Test
    void pidMaxAtBootFollowsThePossibleCpus() {
        assertEquals(32768, PidRules.pidMaxAtBoot(1));
        assertEquals(32768, PidRules.pidMaxAtBoot(32), "1024 per CPU is not more until 33 CPUs");
        assertEquals(33 * 1024, PidRules.pidMaxAtBoot(33));
        assertEquals(65536, PidRules.pidMaxAtBoot(64), "NR_CPUS = 64: the most the model boots");
        assertEquals(Limits.PID_MAX_LIMIT, PidRules.pidMaxAtBoot(8192), "capped at PID_MAX_LIMIT");
        assertEquals(301, PidRules.pidMaxMinAtBoot(2));
        assertEquals(301, PidRules.pidMaxMinAtBoot(37));
        assertEquals(512, PidRules.pidMaxMinAtBoot(64), "8 per CPU once that is more");
        assertTrue(Limits.PID_MAX_LIMIT < Integer.toUnsignedLong(PidRules.PIDNS_ADDING),
            "BUILD_BUG_ON(PID_MAX_LIMIT >= PIDNS_ADDING)");
    }

    @Test
    void theSysctlBoundsAreInclusive() {
        assertEquals(0, PidRules.pidMaxWriteCheck(301, 301, Limits.PID_MAX_LIMIT));
        assertEquals(0, PidRules.pidMaxWriteCheck(Limits.PID_MAX_LIMIT, 301, Limits.PID_MAX_LIMIT));
        assertEquals(-EINVAL, PidRules.pidMaxWriteCheck(300, 301, Limits.PID_MAX_LIMIT));
        assertEquals(-EINVAL, PidRules.pidMaxWriteCheck(Limits.PID_MAX_LIMIT + 1L, 301, Limits.PID_MAX_LIMIT));
        assertEquals(-EINVAL, PidRules.pidMaxWriteCheck(Long.MIN_VALUE, 301, Limits.PID_MAX_LIMIT));
    }

    @Test
    void allocPidsChecksAndErrnos() {
        assertEquals(0, PidRules.setTidSizeCheck(0, 0));
        assertEquals(0, PidRules.setTidSizeCheck(1, 0));
        assertEquals(-EINVAL, PidRules.setTidSizeCheck(2, 0));
        assertEquals(0, PidRules.setTidSizeCheck(33, 32));
        assertEquals(-EINVAL, PidRules.setTidSizeCheck(-1, 32), "a size_t never negative: refused");
        assertEquals(-EINVAL, PidRules.tidRangeCheck(0, 32768));
        assertEquals(0, PidRules.tidRangeCheck(1, 32768));
        assertEquals(0, PidRules.tidRangeCheck(32767, 32768));
        assertEquals(-EINVAL, PidRules.tidRangeCheck(32768, 32768));
        assertEquals(0, PidRules.tidReaperCheck(1, false), "1 needs no reaper");
        assertEquals(-EINVAL, PidRules.tidReaperCheck(2, false));
        assertEquals(0, PidRules.tidReaperCheck(2, true));
        assertEquals(-EEXIST, PidRules.requestedNrError(-ENOSPC));
        assertEquals(-ENOMEM, PidRules.requestedNrError(-ENOMEM));
        assertEquals(-EAGAIN, PidRules.allocNrError(-ENOSPC));
        assertEquals(-ENOMEM, PidRules.allocNrError(-ENOMEM));
        assertEquals(-EEXIST, PidRules.allocNrError(-EEXIST));
    }

    @Test
    void pidMinWrapsToReservedPidsOnlyPastThem() {
        assertEquals(1, PidRules.pidMin(0));
        assertEquals(1, PidRules.pidMin(300));
        assertEquals(300, PidRules.pidMin(301));
        assertEquals(300, PidRules.pidMin(0x80000000), "the cursor is unsigned");
    }

    @Test
    void freePidsDecisionOnTheDecrementedCount() {
        final int adding = PidRules.PIDNS_ADDING;
        assertEquals(PidRules.FREE_PID_WAKE_REAPER, PidRules.freePidAction(2));
        assertEquals(PidRules.FREE_PID_WAKE_REAPER, PidRules.freePidAction(1));
        assertEquals(PidRules.FREE_PID_NOTHING, PidRules.freePidAction(0));
        assertEquals(PidRules.FREE_PID_NOTHING, PidRules.freePidAction(3));
        assertEquals(PidRules.FREE_PID_FIRST_FAILED, PidRules.freePidAction(adding));
        assertEquals(PidRules.FREE_PID_NOTHING, PidRules.freePidAction(adding + 1));
        assertEquals(PidRules.FREE_PID_NOTHING, PidRules.freePidAction(adding + 2), "adding: no wake");
        assertTrue(PidRules.adding(adding + 5));
        assertTrue(!PidRules.adding(5));
        assertEquals("PIDTYPE_SID", PidRules.typeName(PidRules.PIDTYPE_SID));
        assertThrows(IllegalArgumentException.class, () -> PidRules.checkType(PidRules.PIDTYPE_MAX));
    }
}
