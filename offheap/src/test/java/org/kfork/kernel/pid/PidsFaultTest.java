package org.kfork.kernel.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.pid.PidRules.PIDNS_ADDING;
import static org.kfork.uapi.Errno.ENOMEM;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * failslab at every allocation point of alloc_pid, on both kernels: the k-th allocation fails for
 * every k until the call runs without reaching the injection. Each failure returns -ENOMEM, leaves
 * every namespace's pid_allocated and IDR as they were (the numbers taken at other levels went
 * back, the nodes that were added went back after a grace period), and leaks nothing; the cursor
 * of the namespace of allocation is back at 0 if it never had a pid (5.12 resets no other cursor:
 * an outer namespace's cursor stays past the number it gave back). Both kernels count the same
 * points.
 */
class PidsFaultTest extends PidSuite {

    /** The state a failed alloc_pid must leave as it found it, for each namespace. */
    private static List<Long> state(PidVariant v, int... namespaces) {
        List<Long> s = new ArrayList<>();
        for (int ns : namespaces) {
            s.add((long) v.pidAllocated(ns));
            s.add(v.validateIdr(ns));
        }
        return s;
    }

    /**
     * Sweeps k over alloc_pid(ns, setTid) and returns the number of allocation points; the
     * successful last call's pid goes to {@code pids}.
     */
    private static int sweep(PidVariant v, List<Integer> pids, int ns, int[] setTid, int... namespaces) {
        v.rcuBarrier();
        final List<Long> before = state(v, namespaces);
        final Map<String, Long> live = v.liveObjects();
        for (int k = 1;; k++) {
            v.failNth(k);
            final int p = setTid == null ? v.allocPid(ns) : v.allocPid(ns, setTid);
            final boolean injected = !v.failArmed();
            v.disarm();
            if (!injected) {
                assertTrue(p > 0, "k = " + k + ": " + p);
                pids.add(p);
                return k - 1;
            }
            assertEquals(-ENOMEM, p, "k = " + k);
            assertEquals(before, state(v, namespaces), "k = " + k + ": pid_allocated and the IDRs as they were");
            if (v.pidAllocated(ns) == PIDNS_ADDING) {
                assertEquals(0, v.idrCursor(ns), "k = " + k + ": a namespace that never had a pid gets its cursor back to 0");
            }
            v.rcuBarrier();
            assertEquals(live, v.liveObjects(), "k = " + k + ": the struct and the new IDR nodes went back");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theFirstPidOfTheRootNeedsTheStructAndALeaf(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        List<Integer> pids = new ArrayList<>();
        assertEquals(2, sweep(v, pids, root, null, root), "the pid, the IDR's first leaf");
        assertEquals(1, v.pidNr(pids.get(0)));
        assertEquals(1, sweep(v, pids, root, null, root), "the leaf is there: the pid only");
        PidsTest.zapAndFree(v, pids, root);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aDeepPidWithAHighGlobalNumberFailsAtEveryNode(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns1 = v.createPidNamespace(root, 0);
        final int ns2 = v.createPidNamespace(ns1, 0);
        final int ns3 = v.createPidNamespace(ns2, 0);
        v.setIdrCursor(root, 5000); // a number that needs a three-level tree (4096 <= 5000 < 262144)
        List<Integer> pids = new ArrayList<>();
        assertEquals(1 + 1 + 1 + 1 + 3, sweep(v, pids, ns3, null, root, ns1, ns2, ns3),
            "the pid_4 struct, a leaf in each empty namespace, three nodes for 5000 in init_pid_ns");
        final int p = pids.get(0);
        assertEquals(5000, v.upidNr(p, 0));
        assertEquals(1, v.upidNr(p, 3));
        PidsTest.reaper(v, ns3);
        PidsTest.reaper(v, ns2);
        assertEquals(1 + 2 + 2, sweep(v, pids, ns3, new int[] {100, 70}, root, ns1, ns2, ns3),
            "the struct; 100 and 70 each grow a one-leaf tree by a level and a leaf; ns1 and the root reuse theirs");
        assertEquals(100, v.upidNr(pids.get(1), 3));
        assertEquals(70, v.upidNr(pids.get(1), 2));
        assertEquals(v.upidNr(p, 1) + 1, v.upidNr(pids.get(1), 1));
        assertEquals(5001, v.upidNr(pids.get(1), 0));
        PidsTest.zapAndFree(v, pids, ns3, ns2, ns1, root);
        v.putPidNs(ns3);
        v.putPidNs(ns2);
        v.putPidNs(ns1);
        v.rcuBarrier();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anInjectedFailureInTheMiddleOfASetTidChainReleasesTheOuterLevels(Kind kind) {
        PidVariant v = v(kind);
        final int root = v.initPidNs();
        final int ns1 = v.createPidNamespace(root, 0);
        PidsTest.reaper(v, root);
        PidsTest.reaper(v, ns1);
        List<Integer> pids = new ArrayList<>();
        pids.add(v.allocPid(ns1));
        // the struct; ns1's 700 grows its one-leaf tree by a level and a leaf; the root's 9000
        // needs two levels and two nodes below them: fail the first of those
        v.failNth(4);
        assertEquals(-ENOMEM, v.allocPid(ns1, 700, 9000));
        v.disarm();
        assertEquals(0, v.findPidNs(700, ns1), "ns1's 700 went back");
        assertEquals(1, v.validateIdr(ns1));
        assertEquals(2, v.idrCursor(ns1), "ns1 has a pid: its cursor is not reset (a request never moved it)");
        final int ok = v.allocPid(ns1, 700, 9000);
        assertEquals(9000, v.upidNr(ok, 0));
        pids.add(ok);
        PidsTest.zapAndFree(v, pids, ns1, root);
        v.putPidNs(ns1);
        v.rcuBarrier();
    }
}
