package org.kfork.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kfork.fs.Fdtables;
import org.kfork.sched.Limits;

class ResourceTest {
    @Test
    void initRlimitsAreFiveTwelvesStaticOnes() {
        long inf = Resource.RLIM_INFINITY;
        long[][] expected = {
            {inf, inf}, {inf, inf}, {inf, inf}, {8 << 20, inf}, {0, inf}, {inf, inf}, {0, 0}, {1024, 4096},
            {65536, 65536}, {inf, inf}, {inf, inf}, {0, 0}, {819200, 819200}, {0, 0}, {0, 0}, {inf, inf},
        };
        assertEquals(Limits.RLIM_NLIMITS, expected.length);
        for (int r = 0; r < Limits.RLIM_NLIMITS; r++) {
            assertEquals(expected[r][0], Resource.initRlimitCur(r), "rlim_cur " + r);
            assertEquals(expected[r][1], Resource.initRlimitMax(r), "rlim_max " + r);
        }
    }

    @Test
    void prlimitArgumentChecksInOrder() {
        int nrOpen = Fdtables.SYSCTL_NR_OPEN; // fs.nr_open's default
        assertEquals(0, Resource.prlimitCheck(Resource.RLIMIT_CPU, false, 5, 1, nrOpen), "no new limit: no check");
        assertEquals(-Errno.EINVAL, Resource.prlimitCheck(16, true, 5, 1, nrOpen), "resource first");
        assertEquals(-Errno.EINVAL, Resource.prlimitCheck(-1, false, 0, 0, nrOpen));
        assertEquals(-Errno.EINVAL, Resource.prlimitCheck(Resource.RLIMIT_NOFILE, true, nrOpen + 2L, nrOpen + 1L, nrOpen),
            "soft above hard before the nr_open check");
        assertEquals(-Errno.EPERM, Resource.prlimitCheck(Resource.RLIMIT_NOFILE, true, 1, nrOpen + 1L, nrOpen));
        assertEquals(0, Resource.prlimitCheck(Resource.RLIMIT_NOFILE, true, 1, nrOpen, nrOpen));
        assertEquals(0, Resource.prlimitCheck(Resource.RLIMIT_STACK, true, 1, Resource.RLIM_INFINITY, nrOpen));
        assertEquals(-Errno.EINVAL, Resource.prlimitCheck(Resource.RLIMIT_STACK, true, Resource.RLIM_INFINITY, 1, nrOpen));
        assertTrue(Resource.raisesHardLimit(Resource.RLIM_INFINITY, 5), "unsigned");
        assertFalse(Resource.raisesHardLimit(5, Resource.RLIM_INFINITY));
        assertFalse(Resource.raisesHardLimit(5, 5));
    }
}
