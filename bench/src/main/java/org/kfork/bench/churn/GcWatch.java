package org.kfork.bench.churn;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * What the collector did during a phase of the churn: its pauses (count, total, longest), its
 * cycles, how many of them collected the old generation, and the CPU time of its threads.
 *
 * <p><b>Pauses</b> come from the GarbageCollectorMXBeans' notifications. Every bean reports
 * pauses except ZGC's cycle beans ("ZGC Cycles" on JDK 17, "ZGC Minor Cycles" and "ZGC Major
 * Cycles" with generational ZGC), which report whole concurrent cycles; ZGC's pauses come from
 * its "Pauses" beans, G1's remark and cleanup from "G1 Concurrent GC" (JDK 20+; JDK 17's G1 does
 * not report them). Durations are whole milliseconds, the beans' resolution: a sub-millisecond
 * pause counts, with 0 ms.
 *
 * <p><b>Old-generation collections</b> are the notifications after which a pool named "Old"
 * (G1 Old Gen, PS Old Gen, ZGC Old Generation) or ZGC's single-generation "ZHeap" holds less
 * than before: a mixed or full collection, a major cycle.
 *
 * <p><b>Collector CPU</b> is the utime + stime, from /proc/self/task/TID/stat, of the threads
 * whose names are the collectors' on JDK 17 and 25: "GC Thread#N" (G1's and Parallel's workers),
 * "G1 ..." (concurrent marking, refinement, service) and "Z..." (ZGC's director, drivers, workers).
 */
final class GcWatch implements NotificationListener {
    /** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
    private static final long USER_HZ = 100;

    /** One phase's figures. */
    static final class Window {
        long pauses;
        long pauseMsTotal;
        long pauseMsMax;
        long cycles;
        long oldCollections;
        long gcCpuNs0;
        long gcCpuNs;

        /** The figures as JSON members. */
        void json(JsonOut j) {
            j.num("pauses", pauses).num("pauseMsTotal", pauseMsTotal).num("pauseMsMax", pauseMsMax)
                .num("cycles", cycles).num("oldCollections", oldCollections).num("cpuMs", gcCpuNs / 1_000_000);
        }
    }

    private Window current = new Window();

    /** Listens to every collector of this JVM. */
    GcWatch() {
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (b instanceof NotificationEmitter) {
                ((NotificationEmitter) b).addNotificationListener(this, null, null);
            }
        }
    }

    /** Starts a new window (the collector's CPU counted from now) and returns it. */
    synchronized Window start() {
        current = new Window();
        current.gcCpuNs0 = gcCpuNs();
        return current;
    }

    /** Ends {@code w}: its collector CPU is counted up to now. */
    void stop(Window w) {
        long cpu = gcCpuNs();
        synchronized (this) {
            w.gcCpuNs = cpu - w.gcCpuNs0;
        }
    }

    /** The old-generation collections of the current window so far. */
    synchronized long oldCollections() {
        return current.oldCollections;
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long ms = info.getGcInfo().getDuration();
        boolean old = false;
        Map<String, MemoryUsage> before = info.getGcInfo().getMemoryUsageBeforeGc();
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            String pool = e.getKey();
            MemoryUsage b = before.get(pool);
            if ((pool.contains("Old") || pool.equals("ZHeap")) && b != null && e.getValue().getUsed() < b.getUsed()) {
                old = true;
            }
        }
        synchronized (this) {
            Window w = current;
            if (info.getGcName().contains("Cycles")) {
                w.cycles++;
            } else {
                w.pauses++;
                w.pauseMsTotal += ms;
                w.pauseMsMax = Math.max(w.pauseMsMax, ms);
            }
            if (old) {
                w.oldCollections++;
            }
        }
    }

    /** The CPU time of the collector's threads so far, in nanoseconds. */
    static long gcCpuNs() {
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open || !isGcThread(stat.substring(open + 1, close))) {
                    continue;
                }
                // after the name: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
                String[] f = stat.substring(close + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        } catch (IOException e) {
            return 0; // no /proc: not Linux
        }
        return ticks * (1_000_000_000L / USER_HZ);
    }

    /** A collector thread's name (as /proc shows it, at most 15 characters). */
    static boolean isGcThread(String name) {
        return name.startsWith("GC Thread") || name.startsWith("G1 ")
            || name.length() > 1 && name.charAt(0) == 'Z' && Character.isUpperCase(name.charAt(1));
    }
}
