package org.kfork.tests.mm;

import static org.junit.jupiter.api.Assertions.*;
import static org.kfork.mm.Mman.*;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.MappedFile;
import org.kfork.uapi.KernelException;

/**
 * The mm's lifetime on both variants: mm_init's fresh context and dup_mmap's TLB flush, the
 * exe_file references, mmput and mmdrop and their async forms, check_mm's reports, the static
 * init_mm, and a handle's refusal after its own last put. Each test ends with the variant's leak
 * check, as {@link AddressSpaceTest}'s do.
 */
class AddressSpaceLifetimeTest extends AddressSpaceSuite {
    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void everyNewMmGetsAFreshContextAndDupFlushesTheParentsTlb(MmVariant v) {
        AddressSpace mm = start(v);
        assertEquals(1, sys().initMm().ctxId(), "init_mm's INIT_MM_CONTEXT");
        assertEquals(2, mm.ctxId(), "last_mm_ctx_id starts at init_mm's 1 and counts up");
        assertEquals(0, mm.tlbGen());
        assertTrue(mm.mmap(0, 4 * P, RW, ANON, null, 0) > 0);
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertEquals(3, child.ctxId(), "init_new_context: a fresh id, not the parent's");
        assertEquals(1, mm.tlbGen(), "dup_mmap ends with flush_tlb_mm(oldmm)");
        assertEquals(0, child.tlbGen());
        AddressSpace second = mm.dup(DupMode.STRUCTURAL);
        assertEquals(4, second.ctxId());
        assertEquals(0, second.tlbGen(), "not the generation dup_mm's memcpy copied");
        assertEquals(2, mm.tlbGen());
        AddressSpace grandchild = child.dup(DupMode.APPEND);
        assertEquals(5, grandchild.ctxId());
        assertEquals(1, child.tlbGen());
        sys().setFatalSignalPending(true);
        assertThrows(KernelException.class, () -> mm.dup(DupMode.APPEND));
        sys().setFatalSignalPending(false);
        assertEquals(3, mm.tlbGen(), "a dup_mmap that fails flushes too");
        AddressSpace fresh = sys().mmAlloc();
        assertEquals(7, fresh.ctxId(), "the failed copy's mm_init used 6: an id is never handed out twice");
        for (AddressSpace m : List.of(fresh, grandchild, second, child, mm)) {
            m.mmput();
        }
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void exeFileRefcountsAndLifetime(MmVariant v) {
        AddressSpace mm = start(v);
        MappedFile exe = sys().openFile("/bin/true", false, false);
        mm.setExeFile(exe);
        assertEquals(2, exe.refcount());
        MappedFile got = mm.getExeFile();
        assertEquals(exe.path(), got.path());
        assertEquals(3, exe.refcount());
        got.fput();
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertEquals(3, exe.refcount(), "the child's mm holds the exe_file too");
        child.mmget();
        assertEquals(2, child.mmUsers());
        child.mmput();
        assertEquals(3, exe.refcount());
        child.mmgrab();
        child.mmput();
        assertEquals(2, exe.refcount(), "__mmput dropped exe_file while mm_count keeps the struct");
        assertEquals(1, child.mmCount());
        child.mmdrop();
        mm.setExeFile(null);
        assertEquals(1, exe.refcount());
        mm.mmput();
        exe.fput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void aPutOrDropPastZeroIsRefusedAndChangesNothing(MmVariant v) {
        AddressSpace mm = start(v);
        AddressSpace child = mm.dup(DupMode.APPEND);
        child.mmgrab();
        child.mmput(); // the last user: exit_mmap; mm_count keeps the struct
        assertEquals(0, child.mmUsers());
        IllegalStateException e = assertThrows(IllegalStateException.class, child::mmput);
        assertTrue(e.getMessage().contains("mm_users is already 0"), e.getMessage());
        e = assertThrows(IllegalStateException.class, child::mmputAsync);
        assertTrue(e.getMessage().contains("mmput_async: mm_users is already 0"), e.getMessage());
        assertEquals(0, child.mmUsers(), "a refused put leaves the count as it was");
        assertEquals(1, child.mmCount());
        child.mmdrop();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void aHandleRefusesUseAfterItsOwnLastPut(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 4 * P, RW, ANON, null, 0);
        AddressSpace child = mm.dup(DupMode.APPEND);
        child.mmgrab();
        child.mmput(); // the last user: the address space is torn down, mm_count keeps the struct
        for (org.junit.jupiter.api.function.Executable use : List.<org.junit.jupiter.api.function.Executable>of(
            () -> child.mmap(0, P, RW, ANON, null, 0), () -> child.munmap(a, P), () -> child.mprotect(a, P, PROT_READ),
            () -> child.madvise(a, P, MADV_DONTFORK), () -> child.mlock(a, P), () -> child.munlock(a, P),
            () -> child.touch(a), () -> child.findVma(a), () -> child.getUnmappedArea(0, P, 0, 0),
            () -> child.dup(DupMode.APPEND), child::mmget, child::getExeFile, () -> child.setExeFile(null),
            child::vmas, child::maps, child::validate)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, use);
            assertTrue(e.getMessage().contains("mm_users is 0"), e.getMessage());
        }
        assertEquals(0, child.mmUsers(), "the counters stay readable while mm_count holds the struct");
        assertEquals(1, child.mmCount());
        child.mmgrab();
        child.mmdrop();
        child.mmdrop(); // the last count: the struct is freed
        for (org.junit.jupiter.api.function.Executable use : List.<org.junit.jupiter.api.function.Executable>of(
            child::mmCount, child::mmUsers, child::totalVm, child::flags, child::mmdrop, child::mmdropAsync,
            child::mmgrab, child::mmput, child::mmputAsync, () -> child.dup(DupMode.APPEND), child::maps)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, use);
            assertTrue(e.getMessage().contains("use after free"), e.getMessage());
        }
        mm.mmput(); // no mmgrab: the last user frees the struct at once
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> mm.dup(DupMode.STRUCTURAL));
        assertTrue(e.getMessage().startsWith("dup_mm: use after free"), e.getMessage());
        assertThrows(IllegalStateException.class, mm::mapCount);
        AddressSpace async = sys().mmAlloc();
        async.mmputAsync();
        assertThrows(IllegalStateException.class, async::mmdrop, "the worker owns the last drop");
        sys().flushWork();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void asyncPutAndDropRunOnTheWorkQueue(MmVariant v) {
        AddressSpace mm = start(v);
        for (int i = 0; i < 10; i++) {
            mm.mmap(0, P, i % 2 == 0 ? RW : PROT_READ, ANON, null, 0);
        }
        Map<String, Long> before = sys().objectCounts();
        AddressSpace child = mm.dup(DupMode.APPEND);
        child.mmgrab();
        child.mmputAsync();
        sys().flushWork();
        assertEquals(before.get("vm_area_struct"), sys().objectCounts().get("vm_area_struct"), "exit_mmap ran");
        assertEquals(before.get("mm_struct") + 1, sys().objectCounts().get("mm_struct"), "mm_count still held");
        child.mmdropAsync();
        sys().flushWork();
        assertEquals(before, sys().objectCounts());
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void checkMmReportsBadCounters(MmVariant v) {
        AddressSpace mm = start(v);
        sys().log().echo(false);
        inst.corruptCounters(mm, 1, 7, 4096);
        mm.mmput();
        List<String> log = sys().log().lines();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("BUG: Bad rss-counter state") && l.contains("MM_ANONPAGES val:7")), log.toString());
        assertTrue(log.contains("BUG: non-zero pgtables_bytes on freeing mm: 4096"), log.toString());
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void initMmIsStatic(MmVariant v) {
        start(v).mmput();
        AddressSpace init = sys().initMm();
        assertEquals(2, init.mmUsers());
        assertEquals(1, init.mmCount());
        assertEquals(0, init.mapCount());
        assertNull(init.getExeFile());
        init.validate();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void asyncTeardownsOnTheWorkerInterleaveSafelyWithWorkOnTheParent(MmVariant v) {
        AddressSpace mm = start(v);
        MappedFile f = sys().openFile("/srv/shared.db", true, true);
        long a = mm.mmap(0, 64 * P, RW, ANON, null, 0);
        mm.mmap(0, 8 * P, RW, MAP_SHARED, f, 0);
        for (int i = 0; i < 64; i += 2) {
            assertEquals(0, mm.touch(a + i * P));
            assertEquals(0, mm.mprotect(a + i * P, P, PROT_READ));
        }
        Map<String, Long> objects = sys().objectCounts();
        for (int i = 0; i < 300; i++) {
            AddressSpace child = mm.dup(i % 2 == 0 ? DupMode.APPEND : DupMode.STRUCTURAL);
            child.mmgrab();
            child.mmputAsync(); // exit_mmap runs on the worker: unlinks from the parent's anon_vmas and i_mmap
            child.mmdropAsync();
            long x = a + (i % 64) * P;
            assertEquals(0, mm.mprotect(x, P, (i & 1) == 0 ? RW : PROT_READ));
            assertEquals(0, mm.touch(x, (i & 1) == 0));
            mm.validate();
        }
        sys().flushWork();
        mm.validate();
        assertEquals(objects.get("mm_struct"), sys().objectCounts().get("mm_struct"));
        assertEquals(1, f.vmOpenCount());
        assertEquals(2, f.refcount());
        mm.mmput();
        f.fput();
    }
}
