package org.kfork.kernel.cred;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.cred.UcountTypes;
import org.kfork.testing.CpuStress;
import org.kfork.uapi.Capabilities;

/**
 * Threads on distinct and shared CPUs against the uid hash (alloc_uid racing free_uid's
 * refcount_dec_and_lock), the ucount limits (atomic_inc_below) and commit_creds' move of process
 * counts, on both kernels; the invariants are checked after every step where they can be, and the
 * leak checks at the end. A lock left held by a broken protocol makes the others spin, so each test
 * has a time limit: a hang fails instead of stalling the build.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CredStressTest extends CredFixture {
    private static final int THREADS = 4;
    private static final int ROUNDS = 1500;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void usersComeAndGoWhileOtherThreadsHoldThem(Kind kind) throws Exception {
        try (CredVariant v = open(kind)) {
            CpuStress.run(THREADS, CPUS, (thread, cpu, rnd) -> {
                for (int i = 0; i < ROUNDS; i++) {
                    int uid = 1000 + rnd.nextInt(6);
                    assertTrue(v.allocUid(uid));
                    assertTrue(v.userCount(uid) >= 1, "a held user is hashed");
                    v.freeUid(uid);
                }
            });
            for (int uid = 1000; uid < 1006; uid++) {
                assertEquals(-1, v.userCount(uid), "every user went with its last reference");
            }
            assertEquals(0, v.live("uid_cache"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void racingCreatorsNeverPassTheLimit(Kind kind) throws Exception {
        final int limit = 5;
        final int type = UcountTypes.UCOUNT_NET_NAMESPACES;
        try (CredVariant v = open(kind)) {
            assertEquals(limit, v.sysctlUcountMax(type, true, limit));
            AtomicInteger held = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            CpuStress.run(THREADS, CPUS, (thread, cpu, rnd) -> {
                for (int i = 0; i < ROUNDS; i++) {
                    int h = v.incUcount(4242, type);
                    if (h < 0) {
                        refused.incrementAndGet();
                        continue;
                    }
                    int now = held.incrementAndGet();
                    assertTrue(now <= limit, now + " held past the limit of " + limit);
                    assertTrue(v.ucount(4242, type) <= limit);
                    held.decrementAndGet();
                    v.decUcount(h, type);
                }
            });
            assertEquals(-1, v.ucount(4242, type), "the ucounts went with the last holder");
            assertEquals(256, v.sysctlUcountMax(type, true, 256));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void processCountsFollowConcurrentCommits(Kind kind) throws Exception {
        try (CredVariant v = open(kind)) {
            int[] tasks = new int[THREADS];
            for (int t = 0; t < THREADS; t++) {
                int init = v.newTask();
                tasks[t] = v.dupTask(init);
                assertEquals(0, v.copyCreds(init, tasks[t], 0));
                assertEquals(0, v.copyNamespaces(init, tasks[t], 0));
                v.exitCreds(init);
                v.exitTaskNamespaces(init);
                v.freeTask(init);
            }
            int[] last = new int[THREADS];
            CpuStress.run(THREADS, CPUS, (thread, cpu, rnd) -> {
                for (int i = 0; i < ROUNDS / 3; i++) {
                    int uid = 3000 + rnd.nextInt(3);
                    assertEquals(0, v.setCred(tasks[thread], uid, uid, Capabilities.capToMask(Capabilities.CAP_KILL)));
                    assertEquals(uid, v.cred(tasks[thread]).euid());
                    last[thread] = uid;
                }
            });
            v.rcuBarrier();
            for (int uid = 3000; uid < 3003; uid++) {
                int on = 0;
                for (int t = 0; t < THREADS; t++) {
                    on += last[t] == uid ? 1 : 0;
                }
                assertEquals(on == 0 ? -1 : on, v.userProcesses(uid), "uid " + uid + " counts the tasks on it");
            }
            for (int t : tasks) {
                v.releaseTaskProcesses(t);
                v.exitCreds(t);
                v.exitTaskNamespaces(t);
                v.freeTask(t);
            }
        }
    }
}
