package org.kfork.kernel.signal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;

/**
 * A seeded random history of the signal room's operations on one world, written down as the
 * transcript of what it observed: every result, pending set, flag, count and queued siginfo. The
 * choices depend only on the seed and on the model (never on addresses), so both kernels run the
 * same history and must write the same transcript.
 */
final class History {
    private static final long HANDLER = 0x401000L;
    private static final int[] SIGS = {0, Signals.SIGHUP, Signals.SIGQUIT, Signals.SIGKILL, Signals.SIGUSR1,
        Signals.SIGUSR2, Signals.SIGTERM, Signals.SIGCHLD, Signals.SIGCONT, Signals.SIGSTOP, Signals.SIGTSTP,
        Signals.SIGRTMIN, Signals.SIGRTMIN + 1, 65};
    private static final long[] FLAGS = {0, 0, CloneFlags.CLONE_VM | CloneFlags.CLONE_SIGHAND | CloneFlags.CLONE_THREAD,
        CloneFlags.CLONE_VM | CloneFlags.CLONE_SIGHAND, CloneFlags.CLONE_CLEAR_SIGHAND};
    private static final long[] HANDLERS = {Signals.SIG_DFL, Signals.SIG_IGN, HANDLER};

    private History() {
    }

    static String run(SignalWorld w, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder();
        w.fork(0, 0); // pid 1
        for (int step = 0; step < 160; step++) {
            List<Integer> live = live(w);
            int a = live.get(r.nextInt(live.size()));
            int b = live.get(r.nextInt(live.size()));
            int sig = SIGS[r.nextInt(SIGS.length)];
            int op = r.nextInt(12);
            String line;
            switch (op) {
                case 0, 1 -> {
                    long flags = FLAGS[r.nextInt(FLAGS.length)];
                    if (a == 1 && (flags & CloneFlags.CLONE_THREAD) != 0) {
                        flags = 0;
                    }
                    if (r.nextInt(4) == 0) {
                        w.failNth(1 + r.nextInt(2));
                    }
                    int c = w.fork(a, flags);
                    w.disarm();
                    line = "fork " + a + " " + flags + " = " + c;
                }
                case 2, 3 -> {
                    int pid = switch (r.nextInt(6)) {
                        case 0 -> -1;
                        case 1 -> 0;
                        case 2 -> -w.nr(b);
                        case 3 -> 999;
                        default -> w.nr(b);
                    };
                    if (r.nextInt(5) == 0) {
                        w.failNth(1);
                    }
                    line = "kill " + a + " " + pid + " " + sig + " = " + w.kill(a, pid, sig);
                    w.disarm();
                }
                case 4 -> line = "sigaction " + a + " " + sig + " = "
                    + w.sigaction(a, sig, HANDLERS[r.nextInt(HANDLERS.length)],
                        r.nextBoolean() ? Signals.SA_NOCLDWAIT | Signals.SA_RESTART : 0, r.nextLong());
                case 5 -> {
                    long set = r.nextInt(3) == 0 ? r.nextLong() : 0;
                    w.setBlocked(a, set);
                    w.recalcSigpending(a);
                    line = "block " + a + " " + Long.toHexString(set);
                }
                case 6 -> {
                    int uid = 1000 * r.nextInt(3);
                    w.setCred(a, uid, uid, r.nextBoolean() ? uid : 0);
                    w.setCap(a, Capabilities.CAP_KILL, r.nextBoolean());
                    line = "cred " + a + " " + uid;
                }
                case 7 -> {
                    int parent = w.model.leader.get(a) == a && w.threads(a).size() == 1 ? parentOf(w, a) : -1;
                    if (parent <= 0 || !w.model.hashed.get(parent)) {
                        line = "notify -";
                    } else {
                        w.setExitCode(a, r.nextInt(0x10000));
                        line = "notify " + a + " = " + w.notifyParent(a, r.nextBoolean() ? Signals.SIGCHLD : Signals.SIGUSR2);
                    }
                }
                case 8 -> {
                    int victim = leaf(w, live, r);
                    if (victim > 1) {
                        w.release(victim);
                        line = "release " + victim;
                    } else {
                        line = "release -";
                    }
                }
                case 9 -> {
                    w.flushSignals(a);
                    line = "flush " + a;
                }
                case 10 -> line = "zap " + a + " = " + w.zapOtherThreads(a);
                default -> {
                    long[] old = new long[2];
                    int res = r.nextInt(Resource.RLIMIT_RTTIME + 2);
                    int ret = w.prlimit(a, res, r.nextBoolean(), r.nextInt(8), r.nextInt(8) + 4, old);
                    line = "prlimit " + a + " " + res + " = " + ret + " " + old[0] + "," + old[1];
                }
            }
            out.append(line).append('\n');
            observe(w, out);
        }
        return out.toString();
    }

    private static int parentOf(SignalWorld w, int t) {
        return w.parentIndex(t);
    }

    private static List<Integer> live(SignalWorld w) {
        List<Integer> l = new ArrayList<>();
        for (int i = 1; i < w.count(); i++) {
            if (w.model.hashed.get(i)) {
                l.add(i);
            }
        }
        return l;
    }

    /** A task no live task has as parent or as group leader (besides itself), or -1. */
    private static int leaf(SignalWorld w, List<Integer> live, SplittableRandom r) {
        int c = live.get(r.nextInt(live.size()));
        for (int i : live) {
            if (i != c && (w.parentIndex(i) == c || w.model.leader.get(i) == c)) {
                return -1;
            }
        }
        return c;
    }

    private static void observe(SignalWorld w, StringBuilder out) {
        for (int i = 1; i < w.count(); i++) {
            if (!w.model.hashed.get(i)) {
                continue;
            }
            out.append(' ').append(i).append(':').append(Long.toHexString(w.pending(i)))
                .append('/').append(Long.toHexString(w.sharedPending(i)))
                .append(w.tifSigpending(i) ? "!" : "")
                .append(" f").append(w.signalFlags(i)).append(" x").append(w.groupExitCode(i))
                .append(" n").append(w.nrThreads(i)).append(" h").append(w.sighandCount(i))
                .append(" q").append(w.queued(i, false).size()).append('+').append(w.queued(i, true).size());
            for (int[] q : w.queued(i, true)) {
                out.append(" [").append(q[0]).append(',').append(q[1]).append(',').append(q[2]).append(',')
                    .append(q[3]).append(',').append(q[4]).append(']');
            }
        }
        out.append("\n objects ").append(w.objects("sighand_cache")).append(' ').append(w.objects("signal_cache"))
            .append(' ').append(w.objects("sigqueue")).append(" wakeups ").append(w.model.wakeups.size())
            .append(" parents ").append(w.model.parentWakeups.size()).append(" free_uid ").append(w.model.freeUids)
            .append(" users ").append(w.userCounts(0)[1]).append(',').append(w.userCounts(1000)[1])
            .append(',').append(w.userCounts(2000)[1]).append('\n');
    }
}
