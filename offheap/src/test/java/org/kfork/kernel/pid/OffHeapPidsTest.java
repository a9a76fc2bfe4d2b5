package org.kfork.kernel.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.pid.PidRules.PIDNS_ADDING;

import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.alloc.SlabInfo;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.kernel.Globals;
import org.kfork.kernel.struct.CallbackHead;
import org.kfork.kernel.struct.Idr;
import org.kfork.kernel.struct.NsCommon;
import org.kfork.kernel.struct.Pid;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.kernel.struct.Upid;
import org.kfork.kernel.struct.XaNode;
import org.kfork.kernel.struct.Xarray;
import org.kfork.machine.BadAccessException;
import org.kfork.machine.Machine;
import org.kfork.lib.IdrRules;
import org.kfork.machine.Mem;
import org.kfork.uapi.Errno;

/**
 * What only the off-heap kernel has: the statics in the kernel image and their bytes, the pid_N
 * caches appearing in /proc/slabinfo as namespaces reach their levels, checked mode catching a
 * pid read after its grace period, the RCU callbacks in the structs' own rcu_heads, and alloc_pid
 * and free_pid allocating nothing on the Java heap.
 */
class OffHeapPidsTest extends PidSuite {

    @Test
    void theStaticsLiveInTheKernelImageWithTheKernelsBytes() {
        assertTrue(g.image.contains(g.initPidNs));
        assertTrue(g.image.contains(g.initStructPid));
        assertTrue(g.image.contains(g.pidmapLock));
        assertEquals(0, g.pidmapLock % 64, "__cacheline_aligned_in_smp");
        assertEquals(0, Mem.getInt(g.pidmapLock), "unlocked");
        assertEquals(PIDNS_ADDING, Mem.getInt(g.initPidNs + PidNamespace.PID_ALLOCATED));
        assertEquals(2, Mem.getInt(g.initPidNs + PidNamespace.NS + NsCommon.COUNT));
        assertEquals(0xEFFFFFFC, Mem.getInt(g.initPidNs + PidNamespace.NS + NsCommon.INUM));
        assertEquals(0x800004, Mem.getInt(g.initPidNs + PidNamespace.IDR + Idr.IDR_RT + Xarray.XA_FLAGS),
            "idr_init: IDR_RT_MARKER in xa_flags");
        assertEquals(g.initPidNs, Mem.getLong(g.initStructPid + Pid.numbersAt(0) + Upid.NS));
        assertEquals(1, Mem.getInt(g.initStructPid + Pid.COUNT));
    }

    @Test
    void aPidReadAfterItsGracePeriodIsAUseAfterFree() {
        final long p = Pids.allocPid(g, g.initPidNs, 0, 0, PidVariant.CAPABLE);
        final long keep = Pids.allocPid(g, g.initPidNs, 0, 0, PidVariant.CAPABLE);
        Pids.freePid(g, p);
        assertEquals(1, Mem.getInt(p + Pid.numbersAt(0) + Upid.NR), "readable until the grace period ends");
        assertEquals("delayed_put_pid", g.rcu.symbol(Mem.getLong(p + Pid.RCU + CallbackHead.FUNC)).split("\\+")[0],
            "free_pid queued its own rcu_head with delayed_put_pid");
        g.rcu.rcuBarrier();
        final BadAccessException e = assertThrows(BadAccessException.class, () -> Mem.getInt(p + Pid.LEVEL));
        assertTrue(e.getMessage().contains("use-after-free") && e.getMessage().contains("cache pid"), e.getMessage());
        Pids.disablePidAllocation(g, g.initPidNs);
        Pids.freePid(g, keep);
        g.rcu.rcuBarrier();
    }

    @Test
    void idrNodesLeaveAfterAGracePeriodToo() {
        final KmemCache nodes = g.radixTreeNodes.radixTreeNodeCachep();
        assertEquals(SlabFlags.SLAB_PANIC | SlabFlags.SLAB_RECLAIM_ACCOUNT, nodes.flags());
        assertEquals(XaNode.SIZEOF, nodes.objectSize());
        final long before = nodes.activeObjects();
        final long p = Pids.allocPid(g, g.initPidNs, 0, 0, PidVariant.CAPABLE);
        assertEquals(before + 1, nodes.activeObjects(), "pid 1's leaf");
        Pids.freePid(g, p);
        assertEquals(before + 1, nodes.activeObjects(), "the emptied leaf waits for RCU (lookups may walk it)");
        g.rcu.rcuBarrier();
        assertEquals(before, nodes.activeObjects());
    }

    /**
     * The 15-minute stress run's finding (seed 20261131, an off-heap storm with failslab):
     * checked mode caught a use-after-free of a radix_tree_node in find_pid_ns, called by the
     * system-call entry's lookup of its caller under tasklist_lock alone. tasklist_lock keeps
     * the tasks, not the IDR's nodes: alloc_pid's failure path frees numbers under pidmap_lock,
     * and a node that leaves the tree goes a grace period later, which a lookup outside every
     * read-side section does not hold up. Here the walk's first step is taken outside, the
     * node's number removed and the grace period run, and the walk's next read lands in the
     * freed node; so find_pid_ns now refuses to run outside rcu_read_lock in checked mode
     * (RCU_LOCKDEP_WARN), and /proc's lookups (ProcArray.findTask) take it.
     */
    @Test
    void aPidLookupOutsideRcuReadLockCanReadAFreedNodeSoCheckedModeRefusesIt() {
        // pids 1 to 63 fill the first leaf (indexes 0 to 63); 64 is alone in the second
        final long[] first = new long[63];
        for (int i = 0; i < first.length; i++) {
            first[i] = Pids.allocPid(g, g.initPidNs, 0, 0, PidVariant.CAPABLE);
        }
        final long p = Pids.allocPid(g, g.initPidNs, 0, 0, PidVariant.CAPABLE);
        final int nr = Mem.getInt(p + Pid.numbersAt(0) + Upid.NR);
        assertEquals(64, nr);
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> Pids.findPidNs(g, nr, g.initPidNs));
        assertTrue(e.getMessage().contains("outside rcu_read_lock"), e.getMessage());

        // what a walk outside the section risks: it has loaded the second leaf when 64 goes
        final long root = Mem.getLongAcquire(g.initPidNs + PidNamespace.IDR + Idr.IDR_RT + Xarray.XA_HEAD)
            & ~IdrRules.RADIX_TREE_INTERNAL_NODE;
        final long leaf = Mem.getLongAcquire(root + XaNode.SLOTS + Long.BYTES) & ~IdrRules.RADIX_TREE_INTERNAL_NODE;
        assertEquals(p, Mem.getLongAcquire(leaf + XaNode.SLOTS), "64 sits in slot 0 of the second leaf");
        Pids.freePid(g, p);
        g.rcu.rcuBarrier();
        final BadAccessException uaf = assertThrows(BadAccessException.class, () -> Mem.getLongAcquire(leaf + XaNode.SLOTS));
        assertTrue(uaf.getMessage().contains("use-after-free") && uaf.getMessage().contains("radix_tree_node"), uaf.getMessage());

        // under rcu_read_lock the lookup is allowed, and a barrier could not end while it reads
        final int rcu = g.rcu.rcuReadLock();
        try {
            assertEquals(first[62], Pids.findPidNs(g, 63, g.initPidNs));
        } finally {
            g.rcu.rcuReadUnlock(rcu);
        }
        Pids.disablePidAllocation(g, g.initPidNs);
        for (long q : first) {
            Pids.freePid(g, q);
        }
        g.rcu.rcuBarrier();
    }

    @Test
    void allocPidAndFreePidAllocateNothingOnTheJavaHeap() {
        final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        final long tid = Thread.currentThread().getId();
        final BooleanSupplier capable = PidVariant.CAPABLE;
        final long ns = PidNamespaces.createPidNamespace(g, g.initUserNs, g.initPidNs, 0);
        final long init = Pids.allocPid(g, ns, 0, 0, capable);
        long bytes = 0;
        for (int round = 0; round < 5; round++) {
            final long before = mx.getThreadAllocatedBytes(tid);
            long sum = 0;
            for (int i = 0; i < 2000; i++) {
                // one system call each: the RCU callbacks (delayed_put_pid, the IDR nodes' frees)
                // run at the exits, once their grace periods are over
                final int t = g.rcu.rcuSyscallEnter();
                final long p = Pids.allocPid(g, ns, 0, 0, capable);
                sum += Pids.pidNrNs(Pids.findPidNs(g, Pids.pidNrNs(p, ns), ns), ns);
                Pids.freePid(g, p);
                g.rcu.rcuSyscallExit(t);
            }
            bytes = mx.getThreadAllocatedBytes(tid) - before;
            g.rcu.rcuBarrier();
            assertTrue(sum > 0);
            if (bytes == 0) {
                break;
            }
        }
        // A per-call allocation would be >= 16 bytes x 2000 calls; the one or two stray kilobytes a
        // loaded machine shows in every round (a deoptimisation, the JIT's own work) are not ours.
        assertTrue(bytes < 8000, "alloc_pid, find_pid_ns, free_pid or the RCU frees allocated " + bytes
            + " bytes on the heap in 2000 calls");
        assertTrue(g.rcu.callbacksInvoked() > 4000, "the callbacks ran at the system calls' exits");
        Pids.disablePidAllocation(g, ns);
        Pids.freePid(g, init);
        PidNamespaces.putPidNs(g, ns);
        g.rcu.rcuBarrier();
        g.rcu.rcuBarrier();
    }

    @Test
    void thePidCachesOfEachLevelAppearAsNamespacesReachIt() {
        try (Machine m = Machine.builder().ram(RAM).cpus(CPUS).build()) {
            final Globals k = Globals.boot(m);
            final HeapGlobals h = HeapGlobals.boot(m.pages().totalramPages(), CPUS);
            assertNotNull(k.kmem.slabs().find("pid"));
            assertNull(k.kmem.slabs().find("pid_2"), "no namespace below init_pid_ns yet");
            assertFalse(h.hasKind("pid_2"));
            final long ns1 = PidNamespaces.createPidNamespace(k, k.initUserNs, k.initPidNs, 0);
            final long ns2 = PidNamespaces.createPidNamespace(k, k.initUserNs, ns1, 0);
            HeapPidNamespaces.createPidNamespace(h, h.initUserNs,
                HeapPidNamespaces.createPidNamespace(h, h.initUserNs, h.initPidNs, 0), 0);
            final SlabInfo pid2 = k.kmem.slabs().find("pid_2").info();
            final SlabInfo pid3 = k.kmem.slabs().find("pid_3").info();
            assertEquals(Pid.sizeofAtLevel(1), pid2.objSize(), "112 + 16");
            assertEquals(144, pid3.objSize());
            assertEquals(SlabFlags.SLAB_HWCACHE_ALIGN, pid2.flags() & SlabFlags.SLAB_HWCACHE_ALIGN);
            assertNull(k.kmem.slabs().find("pid_4"));
            assertTrue(h.hasKind("pid_2") && h.hasKind("pid_3") && !h.hasKind("pid_4"), "the twin declares the same kinds");
            assertTrue(k.kmem.slabs().slabinfo().contains("pid_3"), "slabinfo shows it");
            final long p = Pids.allocPid(k, ns2, 0, 0, PidVariant.CAPABLE);
            assertEquals(1, k.kmem.slabs().find("pid_3").activeObjects());
            assertFalse(Errno.isError(p));
            Pids.freePid(k, p);
            PidNamespaces.putPidNs(k, ns2);
            PidNamespaces.putPidNs(k, ns1);
            k.rcu.rcuBarrier();
            k.rcu.rcuBarrier();
            assertEquals(0, k.kmem.slabs().find("pid_3").activeObjects());
            assertNotNull(k.kmem.slabs().find("pid_3"), "the caches stay, as in 5.12");
        } // close destroys every pid cache: a leaked object would fail it
    }
}
