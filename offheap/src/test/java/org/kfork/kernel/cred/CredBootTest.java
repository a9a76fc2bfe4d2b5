package org.kfork.kernel.cred;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kfork.alloc.Kmem;
import org.kfork.heap.cred.HeapUcounts;
import org.kfork.heap.nsproxy.HeapCgroupNamespace;
import org.kfork.heap.nsproxy.HeapIpcNamespace;
import org.kfork.heap.nsproxy.HeapMntNamespace;
import org.kfork.heap.nsproxy.HeapTimeNamespace;
import org.kfork.kernel.Globals;
import org.kfork.kernel.rcu.Rcu;
import org.kfork.kernel.struct.CgroupNamespace;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.IpcNamespace;
import org.kfork.kernel.struct.MntNamespace;
import org.kfork.kernel.struct.NsCommon;
import org.kfork.kernel.struct.Nsproxy;
import org.kfork.kernel.struct.TimeNamespace;
import org.kfork.kernel.struct.Ucounts;
import org.kfork.kernel.struct.UidGidExtent;
import org.kfork.kernel.struct.UidGidMap;
import org.kfork.kernel.struct.UserNamespace;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.KmallocSizes;

/**
 * Off-heap specifics of the rooms' boot: the statics live in the kernel image with 5.12's initial
 * values, the caches are where slabinfo shows them, the heap twins' kmalloc caches agree with the
 * struct sizes, and closing the kernel gives every page back.
 */
class CredBootTest extends CredFixture {
    @Test
    void theStaticsAreInTheKernelImageWithTheirInitialValues() {
        for (long s : new long[] {g.initCred, g.initGroups, g.rootUser, g.initUserNs, g.uidhashTable, g.uidhashLock,
            g.ucountsHashtable, g.ucountsLock, g.initNsproxy, g.initUtsNs, g.initIpcNs, g.initTimeNs, g.initCgroupNs,
            g.initCssSet, g.initNet}) {
            assertTrue(g.image.contains(s), "0x" + Long.toHexString(s) + " is a static");
        }
        long map = g.initUserNs + UserNamespace.UID_MAP;
        assertEquals(1, Mem.getInt(map + UidGidMap.NR_EXTENTS));
        assertEquals(0xFFFFFFFF, Mem.getInt(map + UidGidMap.EXTENT + UidGidExtent.COUNT), "4294967295 ids");
        assertEquals(3, Mem.getInt(g.initUserNs + UserNamespace.NS + NsCommon.COUNT));
        assertEquals(256, Mem.getInt(g.initUserNs + UserNamespace.UCOUNT_MAX + 4), "fork_init wrote max_threads / 2");
        assertEquals(g.rootUser, Mem.getLong(g.initCred + Cred.USER));
        assertEquals(4, Mem.getInt(g.initCred + Cred.USAGE));
        assertEquals(0, Mem.getLong(g.initCred + Cred.SESSION_KEYRING), "no keyrings in the model");
        assertEquals(0, Mem.getLong(g.initCred + Cred.SECURITY), "no LSM blob in the model");
        assertEquals(1, Mem.getInt(g.rootUser + UserStruct.PROCESSES));
        assertEquals(g.initPidNs, Mem.getLong(g.initNsproxy + Nsproxy.PID_NS_FOR_CHILDREN));
        long mnt = Mem.getLong(g.initNsproxy + Nsproxy.MNT_NS);
        assertEquals(g.kmem.slabs().find("kmalloc-128"), g.kmem.slabs().cacheOf(mnt), "init_mount_tree kzalloc'd it");
        assertEquals(2, Mem.getLong(mnt + MntNamespace.SEQ), "mnt_ns_seq starts at 1 and is incremented first");
        for (String cache : new String[] {"cred_jar", "uid_cache", "nsproxy", "uts_namespace", "net_namespace",
            "kmalloc-8", "kmalloc-8k"}) {
            assertNotNull(g.kmem.slabs().find(cache), cache);
        }
    }

    @Test
    void theHeapTwinsCountKmallocObjectsInTheCachesTheStructSizesSelect() {
        assertEquals(KmallocSizes.cacheFor(Ucounts.SIZEOF), HeapUcounts.KMALLOC_CACHE);
        assertEquals(KmallocSizes.cacheFor(IpcNamespace.SIZEOF), HeapIpcNamespace.KMALLOC_CACHE);
        assertEquals(KmallocSizes.cacheFor(MntNamespace.SIZEOF), HeapMntNamespace.KMALLOC_CACHE);
        assertEquals(KmallocSizes.cacheFor(CgroupNamespace.SIZEOF), HeapCgroupNamespace.KMALLOC_CACHE);
        assertEquals(KmallocSizes.cacheFor(TimeNamespace.SIZEOF), HeapTimeNamespace.KMALLOC_CACHE);
    }

    @Test
    void bootThenCloseGivesEveryPageBack() {
        try (Machine m = Machine.builder().ram(PAGES * 4096).cpus(CPUS).build()) {
            Rcu.of(m); // the machine's own parts (slab allocator, per-CPU areas, RCU) stay
            Kmem.quiesce(m);
            long free = m.pages().nrFreePages();
            Globals k = Globals.boot(m);
            assertTrue(m.pages().nrFreePages() < free);
            k.close();
            Kmem.quiesce(m);
            assertEquals(free, m.pages().nrFreePages());
        }
    }
}
