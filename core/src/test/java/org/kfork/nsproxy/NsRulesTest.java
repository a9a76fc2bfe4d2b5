package org.kfork.nsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kfork.mm.KmallocSizes;
import org.kfork.uapi.CloneFlags;

/** The representation-free rules of kernel/nsproxy.c, proc_alloc_inum and kmalloc's size classes. */
class NsRulesTest {
    @Test
    void onlyTheSevenNsproxyFlagsAskForNewNamespaces() {
        assertFalse(NsRules.wantsNewNamespaces(CloneFlags.CLONE_NEWUSER), "the user namespace is the cred's");
        assertFalse(NsRules.wantsNewNamespaces(CloneFlags.CLONE_VM | CloneFlags.CLONE_SYSVSEM));
        for (long f : new long[] {CloneFlags.CLONE_NEWNS, CloneFlags.CLONE_NEWUTS, CloneFlags.CLONE_NEWIPC,
            CloneFlags.CLONE_NEWPID, CloneFlags.CLONE_NEWNET, CloneFlags.CLONE_NEWCGROUP, CloneFlags.CLONE_NEWTIME}) {
            assertTrue(NsRules.wantsNewNamespaces(f), CloneFlags.describe(f));
        }
        assertTrue(NsRules.newIpcWithSysvsem(CloneFlags.CLONE_NEWIPC | CloneFlags.CLONE_SYSVSEM | CloneFlags.CLONE_VM));
        assertFalse(NsRules.newIpcWithSysvsem(CloneFlags.CLONE_NEWIPC));
        assertFalse(NsRules.newIpcWithSysvsem(CloneFlags.CLONE_SYSVSEM));
    }

    @Test
    void procInumsHandOutTheLowestFreeNumberFromProcDynamicFirst() {
        ProcInums ida = new ProcInums();
        assertEquals(0xF0000000L, ida.alloc());
        assertEquals(0xF0000001L, ida.alloc());
        assertEquals(0xF0000002L, ida.alloc());
        ida.free(0xF0000001);
        assertEquals(0xF0000001L, ida.alloc(), "the lowest free number comes back first");
        assertEquals(3, ida.inUse());
        assertThrows(IllegalStateException.class, () -> ida.free(0xF0000009), "a double or stray free is refused");
        assertThrows(IllegalStateException.class, () -> ida.free(NsRules.PROC_UTS_INIT_INO));
    }

    @Test
    void theInitUtsNameIsSixStringsThatFit() {
        String[] name = NsRules.initUtsName();
        assertEquals(6, name.length);
        assertEquals("Linux", name[0]);
        assertEquals("(none)", name[1]);
        for (String s : name) {
            assertTrue(s.length() <= NsRules.NEW_UTS_LEN);
        }
        assertEquals(1_024_000_000, NsRules.SEMMNS);
        assertEquals(0xfffffffffeffffffL, NsRules.SHMMAX);
    }

    @Test
    void kmallocIndexPicksTheSmallestCacheThatHolds() {
        assertEquals("kmalloc-8", KmallocSizes.cacheFor(1));
        assertEquals("kmalloc-64", KmallocSizes.cacheFor(48), "a cgroup_namespace");
        assertEquals("kmalloc-96", KmallocSizes.cacheFor(72), "a ucounts");
        assertEquals("kmalloc-96", KmallocSizes.cacheFor(88), "a time_namespace");
        assertEquals("kmalloc-128", KmallocSizes.cacheFor(120), "a mnt_namespace");
        assertEquals("kmalloc-192", KmallocSizes.cacheFor(129));
        assertEquals("kmalloc-1k", KmallocSizes.cacheFor(824), "an ipc_namespace");
        assertEquals("kmalloc-8k", KmallocSizes.cacheFor(8192));
        assertThrows(IllegalArgumentException.class, () -> KmallocSizes.cacheFor(8193));
        assertThrows(IllegalArgumentException.class, () -> KmallocSizes.cacheFor(0));
    }
}
