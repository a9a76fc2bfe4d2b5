package org.kfork.tests.mm;

import static org.junit.jupiter.api.Assertions.*;
import static org.kfork.mm.Mman.*;
import static org.kfork.mm.VmFlags.*;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.MappedFile;
import org.kfork.mm.MmFlags;
import org.kfork.mm.Overcommit;
import org.kfork.mm.VmaInfo;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;

/**
 * One suite, both variants: building address spaces, splits and merges, find_vma,
 * get_unmapped_area, errors, overcommit, dup_mm under each flag. Each test ends with the
 * variant's leak check ({@link MmVariant.Instance#close}): every cache count, the page allocator
 * (off-heap), overcommit and user_ns references back at their baseline. The mm's lifetime is
 * {@link AddressSpaceLifetimeTest}'s.
 */
class AddressSpaceTest extends AddressSpaceSuite {
    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void anonymousPrivateMappingGetsFlagsCountersAndTopDownAddress(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 3 * P, RW, ANON, null, 0);
        assertTrue(a > 0, "mmap: " + a);
        assertEquals(0, a % P);
        VmaInfo vma = mm.findVma(a);
        assertEquals(a, vma.start());
        assertEquals(a + 3 * P, vma.end());
        assertEquals(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT, vma.flags());
        assertEquals(a >>> PAGE_SHIFT, vma.pgoff());
        assertEquals(1, mm.mapCount());
        assertEquals(3, mm.totalVm());
        assertEquals(3, mm.dataVm());
        assertEquals(3, sys().overcommit().committedPages());
        assertEquals(a + 3 * P, mm.highestVmEnd());
        long b = mm.mmap(0, 2 * P, PROT_READ, ANON, null, 0);
        assertEquals(a - 2 * P, b, "top-down: right below the previous one");
        assertEquals(2, mm.mapCount());
        assertEquals(3, mm.dataVm());
        assertEquals(5, mm.totalVm());
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void adjacentCompatibleMappingsMergeAndAlternatingProtectionsDoNot(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 2 * P, RW, ANON, null, 0);
        long b = mm.mmap(0, 2 * P, RW, ANON, null, 0);
        assertEquals(a - 2 * P, b);
        assertEquals(1, mm.mapCount(), "anonymous private neighbours with contiguous pgoff merge");
        assertEquals(b, mm.findVma(b).start());
        assertEquals(a + 2 * P, mm.findVma(b).end());
        long c = mm.mmap(0, P, PROT_READ, ANON, null, 0);
        long d = mm.mmap(0, P, RW, ANON, null, 0);
        assertEquals(3, mm.mapCount());
        assertEquals(b - P, c);
        assertEquals(c - P, d);
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void munmapSplitsAndMprotectSplitsThenMergesBack(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 10 * P, RW, ANON, null, 0);
        assertEquals(0, mm.munmap(a + 3 * P, 2 * P));
        assertEquals(2, mm.mapCount());
        assertEquals(8, mm.totalVm());
        assertEquals(8, sys().overcommit().committedPages());
        assertNull(mm.findVma(a + 3 * P).start() == a + 3 * P ? null : null);
        assertEquals(a + 5 * P, mm.findVma(a + 3 * P).start(), "find_vma: the next area above a hole");
        mm.validate();
        assertEquals(0, mm.mprotect(a + 6 * P, P, PROT_READ));
        assertEquals(4, mm.mapCount());
        assertEquals(7, mm.dataVm());
        mm.validate();
        assertEquals(0, mm.mprotect(a + 6 * P, P, RW));
        assertEquals(2, mm.mapCount(), "mprotect back: the three pieces merge again");
        assertEquals(a + 5 * P, mm.findVma(a + 7 * P).start());
        assertEquals(a + 10 * P, mm.findVma(a + 7 * P).end());
        mm.validate();
        assertEquals(-Errno.ENOMEM, mm.mprotect(a, 10 * P, PROT_READ), "a hole in the range");
        assertEquals(a + 3 * P, mm.findVma(a).end(), "the part before the hole was changed");
        assertEquals(VM_READ, mm.findVma(a).flags() & (VM_READ | VM_WRITE));
        // prefix and suffix changes: the neighbour grows (vma_merge cases 4 and 5)
        long b = a + 5 * P;
        assertEquals(0, mm.mprotect(b, 5 * P, PROT_READ));
        assertEquals(0, mm.mprotect(b, P, RW));
        assertEquals(b + P, mm.findVma(b).end());
        assertEquals(0, mm.mprotect(b, 2 * P, RW));
        assertEquals(b + 2 * P, mm.findVma(b).end(), "case 5: prev grows, the next area shrinks");
        assertEquals(b + 2 * P, mm.findVma(b + 2 * P).start());
        assertEquals(0, mm.mprotect(b + P, P, PROT_READ));
        assertEquals(b + P, mm.findVma(b + 2 * P).start(), "case 4: next grows down");
        assertEquals(b + P, mm.findVma(b).end());
        assertEquals(2, mm.mapCount() - 1);
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void errorsFollowTheKernel(MmVariant v) {
        AddressSpace mm = start(v);
        assertEquals(-Errno.EINVAL, mm.mmap(0, 0, RW, ANON, null, 0));
        assertEquals(-Errno.EINVAL, mm.mmap(0, P, RW, MAP_ANONYMOUS, null, 0), "no mapping type");
        long a = mm.mmap(0x10000000L, 4 * P, RW, ANON | MAP_FIXED, null, 0);
        assertEquals(0x10000000L, a);
        assertEquals(-Errno.EEXIST, mm.mmap(a + P, P, RW, ANON | MAP_FIXED_NOREPLACE, null, 0));
        assertEquals(a + 4 * P, mm.mmap(a + 4 * P, P, PROT_READ, ANON | MAP_FIXED_NOREPLACE, null, 0));
        assertEquals(-Errno.EINVAL, mm.munmap(a + 1, P));
        assertEquals(-Errno.EINVAL, mm.munmap(a, 0));
        assertEquals(-Errno.EINVAL, mm.madvise(a, P, 12345));
        assertEquals(-Errno.ENOMEM, mm.mprotect(0x20000000L, P, PROT_READ), "nothing mapped there");
        assertEquals(-Errno.EINVAL, mm.mprotect(a + 1, P, PROT_READ));
        assertEquals(-Errno.ENOMEM, mm.mlock(0x20000000L, P));
        MappedFile f = sys().openFile("/lib/libc.so", false, false);
        long m = mm.mmap(0, P, PROT_READ, MAP_PRIVATE, f, 0);
        assertTrue(m > 0);
        assertEquals(-Errno.EINVAL, mm.madvise(m, P, MADV_WIPEONFORK), "WIPEONFORK is for private anonymous memory");
        assertEquals(-Errno.EACCES, mm.mmap(0, P, RW, MAP_SHARED, f, 0), "shared writable map of a read-only file");
        assertEquals(0, mm.mprotect(m, P, RW), "private file maps may become writable");
        // max_map_count
        sys().setMaxMapCount(mm.mapCount());
        assertEquals(0, mm.mprotect(m, P, PROT_READ));
        long before = mm.mapCount();
        assertEquals(-Errno.ENOMEM, mm.madvise(a + P, P, MADV_DONTFORK), "at the limit madvise says ENOMEM, not EAGAIN");
        sys().setMaxMapCount(mm.mapCount() - 1);
        assertEquals(-Errno.ENOMEM, mm.mmap(0, P, RW, ANON, null, 0), "map_count > max_map_count");
        assertEquals(before, mm.mapCount());
        sys().setMaxMapCount(DEFAULT_MAX_MAP_COUNT);
        // overcommit NEVER with a tiny limit refuses accountable maps
        sys().overcommit().mode(Overcommit.OVERCOMMIT_NEVER).ratio(0);
        assertEquals(-Errno.ENOMEM, mm.mmap(0, P, RW, ANON, null, 0));
        assertEquals(-Errno.ENOMEM, mm.mmap(0, P, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0), "shmem_acct_size refuses too");
        sys().overcommit().mode(Overcommit.OVERCOMMIT_GUESS).ratio(50);
        mm.validate();
        mm.mmput();
        f.fput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void splitsOfMprotectMlockAndMadviseAreRefusedAtMaxMapCount(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 8 * P, RW, ANON, null, 0);
        sys().setMaxMapCount(mm.mapCount());
        String maps = mm.maps();
        long committed = sys().overcommit().committedPages();
        assertEquals(-Errno.ENOMEM, mm.mprotect(a + P, P, PROT_READ), "mprotect_fixup's split_vma");
        assertEquals(-Errno.ENOMEM, mm.mlock(a + P, P), "mlock_fixup's split_vma");
        assertEquals(0, mm.munlock(a + P, P), "unlocking unlocked pages changes no flags: no split to refuse");
        assertEquals(-Errno.ENOMEM, mm.madvise(a + P, P, MADV_DONTFORK), "madvise_behavior's own check: ENOMEM, not EAGAIN");
        assertEquals(maps, mm.maps(), "nothing changed");
        assertEquals(0, mm.lockedVm());
        assertEquals(committed, sys().overcommit().committedPages());
        // changes that split nothing still work at the limit
        assertEquals(0, mm.mprotect(a, 8 * P, PROT_READ));
        assertEquals(0, mm.mlock(a, 8 * P));
        assertEquals(8, mm.lockedVm());
        // one split below the limit, the second refused: the first stays, as in 5.12
        sys().setMaxMapCount(mm.mapCount() + 1);
        assertEquals(-Errno.ENOMEM, mm.mprotect(a + P, P, RW));
        assertEquals(2, mm.mapCount());
        assertEquals(a + P, mm.findVma(a + P).start());
        assertEquals(committed, sys().overcommit().committedPages(), "the refused change's charge is returned");
        sys().setMaxMapCount(DEFAULT_MAX_MAP_COUNT);
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void addressesLengthsAndOffsetsCompareUnsignedAsInTheKernel(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0x10000000L, 4 * P, RW, ANON | MAP_FIXED, null, 0);
        assertEquals(0x10000000L, a);
        String maps = mm.maps();
        // mmap
        assertEquals(-Errno.ENOMEM, mm.mmap(1L << 63, P, RW, ANON | MAP_FIXED, null, 0), "MAP_FIXED past 2^63");
        assertEquals(-Errno.ENOMEM, mm.mmap(-P, P, RW, ANON | MAP_FIXED, null, 0), "MAP_FIXED at the last page");
        assertEquals(-Errno.EOVERFLOW, mm.mmap(0, P, RW, ANON, null, -1L), "pgoff + 1 wraps past 2^64");
        assertEquals(-Errno.EOVERFLOW, mm.mmap(0, 1L << 63, RW, ANON, null, -(1L << 50)),
            "a length past 2^63 is a length: the offset check comes first");
        assertEquals(-Errno.ENOMEM, mm.mmap(0, 1L << 63, RW, ANON, null, 0), "then get_unmapped_area refuses it");
        assertEquals(maps, mm.maps());
        long free = mm.getUnmappedArea(0, P, 0, 0);
        long h = mm.mmap(1L << 63, P, RW, ANON, null, 0);
        assertEquals(free, h, "a hint past 2^63 is not rounded up to mmap_min_addr: the search places the area");
        assertEquals(0, mm.munmap(h, P));
        long big = mm.mmap(0, P, PROT_READ, ANON, null, Long.MAX_VALUE);
        assertTrue(big > 0, "pgoff 2^63 - 1 plus one page does not wrap unsigned: " + big);
        assertEquals(0, mm.munmap(big, P));
        MappedFile f = sys().openFile("/var/big.img", false, false);
        long lastOk = (Long.MAX_VALUE - P) >>> PAGE_SHIFT;
        assertEquals(-Errno.EOVERFLOW, mm.mmap(0, P, PROT_READ, MAP_PRIVATE, f, lastOk + 1), "file_mmap_ok: past LLONG_MAX");
        long fm = mm.mmap(0, P, PROT_READ, MAP_PRIVATE, f, lastOk);
        assertTrue(fm > 0, "the last page below MAX_LFS_FILESIZE maps: " + fm);
        assertEquals(0, mm.munmap(fm, P));
        // munmap
        assertEquals(-Errno.EINVAL, mm.munmap(a, -P), "a length of 2^64 - 4096");
        assertEquals(-Errno.EINVAL, mm.munmap(-P, 2 * P), "a start past TASK_SIZE");
        assertEquals(-Errno.EINVAL, mm.munmap(1L << 63, P));
        assertEquals(maps, mm.maps(), "nothing was split or unmapped");
        // mprotect, mlock, madvise over a range that runs past 2^63: the mapped part changes,
        // then the hole after it is -ENOMEM
        assertEquals(-Errno.ENOMEM, mm.mprotect(1L << 63, P, PROT_READ), "nothing mapped past 2^63");
        assertEquals(-Errno.ENOMEM, mm.mlock(1L << 63, P));
        assertEquals(-Errno.ENOMEM, mm.madvise(1L << 63, P, MADV_DONTFORK));
        assertEquals(-Errno.ENOMEM, mm.mprotect(a, 1L << 63, PROT_READ));
        assertEquals(-Errno.ENOMEM, mm.mlock(a, 1L << 63));
        assertEquals(-Errno.ENOMEM, mm.madvise(a, 1L << 63, MADV_DONTFORK));
        List<VmaInfo> vmas = mm.vmas();
        assertEquals(1, vmas.size());
        assertEquals(VM_READ | VM_LOCKED | VM_DONTCOPY, vmas.get(0).flags() & (VM_READ | VM_WRITE | VM_LOCKED | VM_DONTCOPY));
        assertEquals(4 * P, vmas.get(0).end() - vmas.get(0).start());
        assertEquals(4, mm.lockedVm());
        assertEquals(-Errno.ENOMEM, mm.munlock(a, 1L << 63));
        assertEquals(0, mm.lockedVm());
        mm.validate();
        mm.mmput();
        f.fput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void mapSharedValidateIsNoTypeOfAnonymousMemoryAndChecksAFilesFlags(MmVariant v) {
        AddressSpace mm = start(v);
        int unknown = 0x800000;
        assertEquals(-Errno.EINVAL, mm.mmap(0, P, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, null, 0));
        assertEquals(-Errno.EINVAL, mm.mmap(0, P, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | unknown, null, 0));
        assertTrue(mm.mmap(0, P, RW, ANON | unknown, null, 0) > 0, "MAP_PRIVATE ignores unknown flags");
        MappedFile f = sys().openFile("/srv/data.bin", true, false);
        assertEquals(-Errno.EOPNOTSUPP, mm.mmap(0, P, RW, MAP_SHARED_VALIDATE | MAP_SYNC, f, 0), "no DAX: MAP_SYNC");
        assertEquals(-Errno.EOPNOTSUPP, mm.mmap(0, P, RW, MAP_SHARED_VALIDATE | unknown, f, 0));
        assertTrue(mm.mmap(0, P, RW, MAP_SHARED | unknown, f, 0) > 0, "MAP_SHARED drops unknown flags");
        assertTrue(mm.mmap(0, P, RW, MAP_SHARED_VALIDATE | MAP_32BIT | MAP_UNINITIALIZED | MAP_HUGE_2MB, f, 0) > 0,
            "every flag of LEGACY_MAP_MASK passes the validation");
        assertEquals(3, mm.mapCount());
        mm.validate();
        mm.mmput();
        f.fput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void getUnmappedAreaFindsTheHighestHoleThatFitsAndHonoursHints(MmVariant v) {
        AddressSpace mm = start(v);
        long top = mm.mmap(0, P, RW, ANON, null, 0);
        long base = top + P;
        // holes of 1, 3 and 2 pages below the first area, separated by read-only areas
        mm.mmap(base - 2 * P, P, PROT_READ, ANON | MAP_FIXED, null, 0);
        mm.mmap(base - 6 * P, P, PROT_READ | PROT_EXEC, ANON | MAP_FIXED, null, 0);
        mm.mmap(base - 9 * P, P, PROT_READ, ANON | MAP_FIXED, null, 0);
        assertEquals(4, mm.mapCount());
        assertEquals(base - 5 * P, mm.getUnmappedArea(0, 3 * P, 0, 0), "the 3-page hole");
        assertEquals(base - 4 * P, mm.getUnmappedArea(0, 2 * P, 0, 0), "top of the highest hole that fits");
        assertEquals(base - 3 * P, mm.getUnmappedArea(0, P, 0, 0));
        assertEquals(base - 13 * P, mm.getUnmappedArea(0, 4 * P, 0, 0), "below everything");
        assertEquals(0x40000000L, mm.getUnmappedArea(0x40000000L, P, 0, 0), "a free hint is taken");
        assertEquals(base - 13 * P, mm.getUnmappedArea(base - 6 * P, 4 * P, 0, 0), "a busy hint is not");
        assertEquals(-Errno.ENOMEM, mm.getUnmappedArea(0, TASK_SIZE + P, 0, 0));
        // a stack keeps its guard gap free
        long stack = mm.mmap(0x50000000L, 4 * P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN, null, 0);
        assertEquals(4, mm.stackVm());
        assertEquals(0, mm.dataVm() - 1, "only the first area is data");
        long below = mm.getUnmappedArea(stack - P, P, 0, 0);
        assertNotEquals(stack - P, below, "the guard gap under a stack is not handed out");
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void findVmaUsesAndInvalidatesTheVmacache(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 4 * P, RW, ANON, null, 0);
        long seq = mm.vmacacheSeqnum();
        assertEquals(a, mm.findVma(a + P).start());
        assertEquals(a, mm.findVma(a + P).start(), "cached");
        assertNull(mm.findVma(a + 4 * P));
        assertEquals(a, mm.findVma(0).start(), "below everything: the lowest area");
        assertEquals(0, mm.munmap(a, P));
        assertTrue(mm.vmacacheSeqnum() > seq, "an unmap bumps vmacache_seqnum");
        assertEquals(a + P, mm.findVma(a).start(), "no stale cached area");
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void munmapRaisesHiwaterVmFirstAndInvalidatesTheVmacacheOncePerCall(MmVariant v) {
        AddressSpace mm = start(v);
        long a = 0x10000000L;
        assertEquals(a, mm.mmap(a, 2 * P, RW, ANON | MAP_FIXED, null, 0));
        assertEquals(a + 2 * P, mm.mmap(a + 2 * P, 2 * P, PROT_READ, ANON | MAP_FIXED, null, 0));
        assertEquals(a + 4 * P, mm.mmap(a + 4 * P, 2 * P, RW, ANON | MAP_FIXED, null, 0));
        assertEquals(3, mm.mapCount());
        assertEquals(6, mm.totalVm());
        assertEquals(0, mm.hiwaterVm(), "mmap leaves hiwater_vm alone");
        long seq = mm.vmacacheSeqnum();
        assertEquals(0, mm.munmap(a + P, 4 * P), "split at both ends, three areas detached");
        assertEquals(seq + 1, mm.vmacacheSeqnum(), "detach_vmas_to_be_unmapped invalidates once per call");
        assertEquals(6, mm.hiwaterVm(), "remove_vma_list raises hiwater_vm before total_vm drops");
        assertEquals(2, mm.totalVm());
        assertEquals(0, mm.munmap(a, P));
        assertEquals(6, mm.hiwaterVm(), "a high-water mark only rises");
        assertEquals(seq + 2, mm.vmacacheSeqnum());
        assertEquals(0, mm.munmap(a + 8 * P, P), "nothing mapped there");
        assertEquals(seq + 2, mm.vmacacheSeqnum(), "no area left the tree");
        assertTrue(mm.mmap(0, 9 * P, RW, ANON, null, 0) > 0);
        assertEquals(10, mm.totalVm());
        assertEquals(0, mm.munmap(a + 5 * P, P));
        assertEquals(10, mm.hiwaterVm());
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void mlockCountsLockedPagesAndDupClearsThem(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 6 * P, RW, ANON, null, 0);
        assertEquals(0, mm.mlock(a + P, 2 * P));
        assertEquals(2, mm.lockedVm());
        assertEquals(3, mm.mapCount());
        assertEquals(0, mm.mlock(a, 6 * P));
        assertEquals(6, mm.lockedVm());
        assertEquals(1, mm.mapCount(), "all locked: merged");
        long b = mm.mmap(0, 2 * P, RW, ANON | MAP_LOCKED, null, 0);
        assertEquals(8, mm.lockedVm());
        mm.validate();
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertEquals(0, child.lockedVm());
        for (VmaInfo vi : child.vmas()) {
            assertEquals(0, vi.flags() & (VM_LOCKED | VM_LOCKONFAULT));
        }
        child.validate();
        child.mmput();
        assertEquals(0, mm.munlock(b, 2 * P));
        assertEquals(6, mm.lockedVm());
        assertEquals(0, mm.munmap(a, 3 * P));
        assertEquals(3, mm.lockedVm());
        mm.validate();
        mm.mmput();
    }

    /** A parent with one VMA of each kind dup_mmap treats differently. */
    private long[] buildMixed(AddressSpace mm, MappedFile lib, MappedFile data, MappedFile dev) {
        long plain = mm.mmap(0, 4 * P, RW, ANON, null, 0);
        assertEquals(0, mm.touch(plain));
        long dontcopy = mm.mmap(0, 3 * P, PROT_READ, ANON, null, 0);
        assertEquals(0, mm.madvise(dontcopy, 3 * P, MADV_DONTFORK));
        long wipe = mm.mmap(0, 2 * P, RW | PROT_EXEC, ANON, null, 0);
        assertEquals(0, mm.touch(wipe));
        assertEquals(0, mm.madvise(wipe, 2 * P, MADV_WIPEONFORK));
        long locked = mm.mmap(0, 2 * P, PROT_READ, ANON | MAP_LOCKED, null, 0);
        long text = mm.mmap(0, 5 * P, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_DENYWRITE, lib, 0);
        long shared = mm.mmap(0, 2 * P, RW, MAP_SHARED, data, 0);
        long priv = mm.mmap(0, 2 * P, RW, MAP_PRIVATE, data, 4);
        assertEquals(0, mm.touch(priv));
        long devmap = mm.mmap(0, P, PROT_READ, MAP_SHARED, dev, 0);
        long stack = mm.mmap(0x7ff000000000L, 8 * P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN, null, 0);
        long shanon = mm.mmap(0, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        for (long x : new long[] {plain, dontcopy, wipe, locked, text, shared, priv, devmap, stack, shanon}) {
            assertTrue(x > 0, "mmap failed: " + x);
        }
        mm.validate();
        return new long[] {plain, dontcopy, wipe, locked, text, shared, priv, devmap, stack, shanon};
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void dupCopiesEveryFlagCombinationAsTheKernel(MmVariant v) {
        for (DupMode mode : DupMode.values()) {
            AddressSpace mm = start(v);
            MappedFile lib = sys().openFile("/usr/lib/libc.so.6", false, false);
            MappedFile data = sys().openFile("/var/data", true, false);
            MappedFile dev = sys().openFile("/dev/fb0", true, true);
            long[] at = buildMixed(mm, lib, data, dev);
            assertEquals(-1, lib.iWritecount(), "VM_DENYWRITE: writers denied");
            Map<String, Long> objects = sys().objectCounts();
            long committed = sys().overcommit().committedPages();
            long libRefs = lib.refcount();
            long dataRefs = data.refcount();
            int dataWritable = data.iMmapWritable();
            long cprBefore = sys().copyPageRangeCalls();
            String parentMaps = mm.maps();

            AddressSpace child = mm.dup(mode);
            child.validate();
            mm.validate();
            assertEquals(parentMaps, mm.maps(), "the parent is unchanged");
            List<VmaInfo> p = mm.vmas();
            List<VmaInfo> c = child.vmas();
            assertEquals(p.size() - 1, c.size(), "all but the DONTCOPY area");
            int j = 0;
            for (VmaInfo pv : p) {
                if ((pv.flags() & VM_DONTCOPY) != 0) {
                    assertEquals(at[1], pv.start());
                    continue;
                }
                VmaInfo cv = c.get(j++);
                assertEquals(pv.start(), cv.start());
                assertEquals(pv.end(), cv.end());
                assertEquals(pv.flags() & ~(VM_LOCKED | VM_LOCKONFAULT), cv.flags());
                assertEquals(pv.pgoff(), cv.pgoff());
                assertEquals(pv.file(), cv.file());
                boolean wipe = (pv.flags() & VM_WIPEONFORK) != 0;
                assertEquals(pv.hasAnonVma() && !wipe, cv.hasAnonVma(), "anon_vma of " + cv);
            }
            assertEquals(mm.totalVm() - 3, child.totalVm(), "DONTCOPY pages leave total_vm");
            assertEquals(mm.stackVm(), child.stackVm());
            assertEquals(mm.execVm(), child.execVm());
            assertEquals(mm.dataVm(), child.dataVm(), "the DONTCOPY area is read-only: not data");
            assertEquals(0, child.lockedVm());
            assertEquals(child.totalVm(), child.hiwaterVm());
            assertEquals(mm.mapCount() - 1, child.mapCount());
            assertEquals(mm.highestVmEnd(), child.highestVmEnd());
            // VM_ACCOUNT: plain (4), wipe (2), the private data map (2) and the stack (8) are charged again
            assertEquals(committed + 16, sys().overcommit().committedPages());
            assertEquals(libRefs + 1, lib.refcount());
            assertEquals(-2, lib.iWritecount(), "the child's DENYWRITE map denies writers too");
            assertEquals(dataRefs + 2, data.refcount());
            assertEquals(dataWritable + 1, data.iMmapWritable(), "i_mmap_writable for the shared map");
            assertEquals(4, data.iMmapCount());
            assertEquals(2, dev.vmOpenCount(), "vm_ops->open ran for the child's copy");
            assertEquals(cprBefore + c.size() - 1, sys().copyPageRangeCalls(), "no copy_page_range for WIPEONFORK");
            assertEquals(objects.get("vm_area_struct") + c.size(), sys().objectCounts().get("vm_area_struct"));
            assertEquals(objects.get("mm_struct") + 1, sys().objectCounts().get("mm_struct"));
            // the anon_vma of a forked area: the child links to the parent's and gets its own
            assertEquals(objects.get("anon_vma") + 2, sys().objectCounts().get("anon_vma"));
            assertEquals(objects.get("anon_vma_chain") + 4, sys().objectCounts().get("anon_vma_chain"));

            child.mmput();
            assertEquals(objects, sys().objectCounts(), "the child's teardown frees everything");
            assertEquals(committed, sys().overcommit().committedPages());
            assertEquals(libRefs, lib.refcount());
            assertEquals(-1, lib.iWritecount());
            assertEquals(1, dev.vmOpenCount());
            mm.mmput();
            assertEquals(0, lib.iWritecount());
            assertEquals(1, lib.refcount());
            lib.fput();
            data.fput();
            dev.fput();
            inst.close();
            inst = null;
        }
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void dupResetsTheHugetlbReserveOfPrivateAreasOnly(MmVariant v) {
        AddressSpace mm = start(v);
        long priv = mm.mmap(0, HPAGE_SIZE, RW, ANON | MAP_HUGETLB, null, 0);
        long shared = mm.mmap(0, HPAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, null, 0);
        long plain = mm.mmap(0, P, RW, ANON, null, 0);
        inst.setVmPrivateData(mm, priv, 0x1111);
        inst.setVmPrivateData(mm, shared, 0x2222);
        inst.setVmPrivateData(mm, plain, 0x3333);
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertEquals(0, inst.vmPrivateData(child, priv), "reset_vma_resv_huge_pages: a private area's reserve stays behind");
        assertEquals(0x2222, inst.vmPrivateData(child, shared), "VM_MAYSHARE: the reserve map belongs to the file");
        assertEquals(0x3333, inst.vmPrivateData(child, plain), "not hugetlb: vm_area_dup's copy");
        assertEquals(0x1111, inst.vmPrivateData(mm, priv), "the parent keeps its own");
        child.mmput();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void uprobeDupMmapPassesHasUprobesOnAndAsksForARecalc(MmVariant v) {
        AddressSpace mm = start(v);
        assertTrue(mm.mmap(0, P, PROT_READ | PROT_EXEC, ANON, null, 0) > 0);
        long hasUprobes = 1L << MmFlags.MMF_HAS_UPROBES;
        long recalc = 1L << MmFlags.MMF_RECALC_UPROBES;
        mm.setFlags(mm.flags() | recalc);
        AddressSpace plain = mm.dup(DupMode.APPEND);
        assertEquals(mm.flags() & MmFlags.MMF_INIT_MASK, plain.flags(), "mm_init keeps MMF_INIT_MASK only");
        mm.setFlags(mm.flags() | hasUprobes);
        AddressSpace probed = mm.dup(DupMode.STRUCTURAL);
        assertEquals((mm.flags() & MmFlags.MMF_INIT_MASK) | hasUprobes | recalc, probed.flags(),
            "MMF_HAS_UPROBES and MMF_RECALC_UPROBES, since a VM_DONTCOPY area may have held the probes");
        mm.setFlags(mm.flags() & ~recalc);
        AddressSpace again = mm.dup(DupMode.APPEND);
        assertEquals((mm.flags() & MmFlags.MMF_INIT_MASK) | hasUprobes | recalc, again.flags(),
            "set on the child whatever the parent's MMF_RECALC_UPROBES");
        again.mmput();
        probed.mmput();
        plain.mmput();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void appendAndStructuralDupsAreIdentical(MmVariant v) {
        AddressSpace mm = start(v);
        for (int i = 0; i < 300; i++) {
            long a = mm.mmap(0, P * (1 + i % 3), i % 2 == 0 ? RW : PROT_READ, ANON, null, 0);
            assertTrue(a > 0);
            if (i % 5 == 0) {
                assertEquals(0, mm.touch(a, i % 2 == 0)); // a write where writable, else a read (the zero page)
            }
        }
        mm.validate();
        AddressSpace a = mm.dup(DupMode.APPEND);
        AddressSpace s = mm.dup(DupMode.STRUCTURAL);
        a.validate();
        s.validate();
        assertEquals(a.maps(), s.maps());
        assertEquals(mm.maps(), s.maps());
        assertEquals(a.vmas(), s.vmas());
        assertEquals(a.totalVm(), s.totalVm());
        assertEquals(a.dataVm(), s.dataVm());
        assertEquals(a.mapCount(), s.mapCount());
        assertEquals(a.highestVmEnd(), s.highestVmEnd());
        assertEquals(a.getUnmappedArea(0, 5 * P, 0, 0), s.getUnmappedArea(0, 5 * P, 0, 0));
        AddressSpace ss = s.dup(DupMode.STRUCTURAL);
        assertEquals(mm.maps(), ss.maps());
        ss.validate();
        ss.mmput();
        a.mmput();
        s.mmput();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void fatalSignalAndOvercommitRefusalUnwindTheDup(MmVariant v) {
        AddressSpace mm = start(v);
        for (int i = 0; i < 20; i++) {
            mm.mmap(0, P, i % 2 == 0 ? RW : PROT_READ, ANON, null, 0);
            mm.touch(mm.vmas().get(0).start());
        }
        Map<String, Long> objects = sys().objectCounts();
        long committed = sys().overcommit().committedPages();
        String maps = mm.maps();
        sys().setFatalSignalPending(true);
        KernelException e = assertThrows(KernelException.class, () -> mm.dup(DupMode.APPEND));
        assertEquals(Errno.EINTR, e.errno());
        sys().setFatalSignalPending(false);
        assertEquals(objects, sys().objectCounts());
        sys().overcommit().mode(Overcommit.OVERCOMMIT_NEVER).ratio(0);
        for (DupMode mode : DupMode.values()) {
            e = assertThrows(KernelException.class, () -> mm.dup(mode));
            assertEquals(Errno.ENOMEM, e.errno());
            assertEquals(objects, sys().objectCounts());
            assertEquals(committed, sys().overcommit().committedPages());
        }
        sys().overcommit().mode(Overcommit.OVERCOMMIT_GUESS).ratio(50);
        assertEquals(maps, mm.maps());
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void faultInjectionFailsTheKthAllocationOfDupForEveryK(MmVariant v) {
        AddressSpace mm = start(v);
        MappedFile lib = sys().openFile("/usr/lib/libm.so", false, true);
        MappedFile data = sys().openFile("/var/shared", true, false);
        buildMixed(mm, lib, data, lib);
        mm.setExeFile(lib);
        for (DupMode mode : DupMode.values()) {
            String maps = mm.maps();
            Map<String, Long> objects = sys().objectCounts();
            Map<String, Long> machine = inst.machineSnapshot();
            long committed = sys().overcommit().committedPages();
            long libRefs = lib.refcount();
            int k = 1;
            int absorbed = 0;
            while (true) {
                sys().failSlab().failNth(k);
                AddressSpace child;
                try {
                    child = mm.dup(mode);
                } catch (KernelException e) {
                    assertEquals(Errno.ENOMEM, e.errno(), "k=" + k);
                    assertEquals(maps, mm.maps(), "parent changed, k=" + k);
                    mm.validate();
                    assertEquals(objects, sys().objectCounts(), "k=" + k);
                    assertEquals(machine, inst.machineSnapshot(), "k=" + k);
                    assertEquals(committed, sys().overcommit().committedPages(), "k=" + k);
                    assertEquals(libRefs, lib.refcount(), "k=" + k);
                    k++;
                    continue;
                }
                child.validate();
                child.mmput();
                assertEquals(objects, sys().objectCounts(), "k=" + k);
                if (sys().failSlab().armed()) {
                    // dup_mm made fewer than k allocations: every failure point has been tried
                    assertTrue(k > 15, "dup_mm of this mm makes mm, pgd, 9 VMAs and 6 anon_vma objects, k=" + k);
                    assertTrue(absorbed > 0, "anon_vma_clone retries a failed GFP_NOWAIT allocation");
                    break;
                }
                absorbed++; // a failure the kernel absorbs (anon_vma_clone's GFP_KERNEL retry)
                k++;
            }
            sys().failSlab().disarm();
        }
        mm.mmput();
        lib.fput();
        data.fput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void mapsViewIsInTheKernelFormat(MmVariant v) {
        AddressSpace mm = start(v);
        MappedFile f = sys().openFile("/usr/bin/cat", false, false);
        mm.mmap(0x400000L, 2 * P, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, f, 1);
        mm.mmap(0x7ffffffde000L, 0x21000L, RW, ANON | MAP_FIXED | MAP_GROWSDOWN, null, 0);
        String maps = mm.maps();
        String[] lines = maps.split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("00400000-00402000 r-xp 00001000 08:01 "), lines[0]);
        assertTrue(lines[0].endsWith(" /usr/bin/cat"), lines[0]);
        assertEquals(72, lines[0].indexOf(" /usr/bin/cat"));
        assertEquals("7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0" + " ".repeat(25) + " [stack]", lines[1]);
        assertEquals(1, mm.execVm() - 1);
        mm.mmput();
        f.fput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void allocationFailuresGiveEnomemAndChangeNothing(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 8 * P, RW, ANON, null, 0);
        String maps = mm.maps();
        Map<String, Long> objects = sys().objectCounts();
        sys().failSlab().failNth(1);
        assertEquals(-Errno.ENOMEM, mm.mmap(0, P, PROT_READ, ANON, null, 0), "vm_area_alloc fails");
        sys().failSlab().failNth(1);
        assertEquals(-Errno.ENOMEM, mm.munmap(a + P, P), "__split_vma fails");
        sys().failSlab().failNth(1);
        assertEquals(-Errno.ENOMEM, mm.mprotect(a + P, P, PROT_READ));
        sys().failSlab().failNth(1);
        assertEquals(-Errno.EAGAIN, mm.madvise(a + P, P, MADV_DONTFORK), "madvise turns ENOMEM into EAGAIN");
        sys().failSlab().disarm();
        assertEquals(maps, mm.maps());
        assertEquals(objects, sys().objectCounts());
        assertEquals(8, sys().overcommit().committedPages());
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void hugetlbIsAFlagAlignedToHugePagesNeverAccountedOrLocked(MmVariant v) {
        AddressSpace mm = start(v);
        long h = mm.mmap(0, 3 * P, RW, ANON | MAP_HUGETLB, null, 0);
        assertTrue(h > 0);
        assertEquals(0, h % HPAGE_SIZE, "huge-page aligned");
        VmaInfo vi = mm.findVma(h);
        assertEquals(HPAGE_SIZE, vi.end() - vi.start(), "length rounded up to a huge page");
        assertEquals(VM_HUGETLB | VM_DONTEXPAND, vi.flags() & (VM_HUGETLB | VM_DONTEXPAND | VM_ACCOUNT));
        assertEquals(0, sys().overcommit().committedPages());
        assertEquals(0, mm.mlock(h, HPAGE_SIZE));
        assertEquals(0, mm.lockedVm(), "mlock leaves hugetlb areas alone");
        long next = mm.mmap(h + HPAGE_SIZE, HPAGE_SIZE, RW, ANON | MAP_HUGETLB | MAP_FIXED, null, 0);
        assertEquals(h + HPAGE_SIZE, next);
        assertEquals(2, mm.mapCount(), "VM_DONTEXPAND (VM_SPECIAL) areas never merge");
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertEquals(mm.maps(), child.maps());
        child.validate();
        child.mmput();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void sharedAnonymousMemoryIsChargedForItsShmemFileUntilTheFileGoes(MmVariant v) {
        AddressSpace mm = start(v);
        Overcommit oc = sys().overcommit();
        int shanon = MAP_SHARED | MAP_ANONYMOUS;
        long s = mm.mmap(0, 3 * P, RW, shanon, null, 0);
        assertEquals(3, oc.committedPages(), "shmem_acct_size: the file's size, at setup");
        assertEquals(0, mm.findVma(s).flags() & VM_ACCOUNT, "the charge is the file's, not the VMA's");
        long ro = mm.mmap(0, 2 * P, PROT_READ, shanon, null, 0);
        assertTrue(ro > 0);
        assertEquals(5, oc.committedPages(), "read-only or not, shmem charges its size");
        long nr = mm.mmap(0, 4 * P, RW, shanon | MAP_NORESERVE, null, 0);
        assertTrue(nr > 0);
        assertEquals(5, oc.committedPages(), "VM_NORESERVE: no charge");
        long huge = mm.mmap(0, HPAGE_SIZE, RW, shanon | MAP_HUGETLB, null, 0);
        assertTrue(huge > 0);
        assertEquals(5, oc.committedPages(), "hugetlb reserves huge pages, not vm_committed_as");
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertEquals(5, oc.committedPages(), "the child shares the files: nothing charged twice");
        assertEquals(0, mm.munmap(s + P, P));
        assertEquals(0, mm.munmap(s, 3 * P));
        assertEquals(5, oc.committedPages(), "the child still maps the file");
        child.mmput();
        assertEquals(2, oc.committedPages(), "the file's last reference went: shmem_evict_inode uncharges");
        assertEquals(0, mm.munmap(ro, 2 * P));
        assertEquals(0, oc.committedPages());
        // OVERCOMMIT_NEVER at the commit limit
        oc.mode(Overcommit.OVERCOMMIT_NEVER).ratio(0);
        Map<String, Long> objects = sys().objectCounts();
        String maps = mm.maps();
        assertEquals(-Errno.ENOMEM, mm.mmap(0, P, RW, shanon, null, 0));
        assertEquals(-Errno.ENOMEM, mm.mmap(0, P, PROT_READ, shanon | MAP_NORESERVE, null, 0), "NEVER ignores MAP_NORESERVE");
        assertEquals(objects, sys().objectCounts(), "no VMA or file left behind");
        assertEquals(maps, mm.maps());
        assertEquals(0, oc.committedPages());
        oc.mode(Overcommit.OVERCOMMIT_GUESS).ratio(50);
        // the file cannot be made: its charge goes back (the inode comes first in 5.12: -ENOSPC)
        sys().failSlab().failNth(2);
        assertEquals(-Errno.ENOSPC, mm.mmap(0, P, RW, shanon, null, 0));
        sys().failSlab().disarm();
        assertEquals(objects, sys().objectCounts());
        assertEquals(0, oc.committedPages());
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void noreserveSkipsAccountingExceptUnderOvercommitNever(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 4 * P, RW, ANON | MAP_NORESERVE, null, 0);
        assertEquals(VM_NORESERVE, mm.findVma(a).flags() & (VM_NORESERVE | VM_ACCOUNT));
        assertEquals(0, sys().overcommit().committedPages());
        assertEquals(0, mm.mprotect(a, P, PROT_READ));
        assertEquals(0, mm.mprotect(a, P, RW), "VM_NORESERVE: making it writable again charges nothing");
        assertEquals(0, sys().overcommit().committedPages());
        sys().overcommit().mode(Overcommit.OVERCOMMIT_NEVER);
        long b = mm.mmap(0, 2 * P, RW, ANON | MAP_NORESERVE, null, 0);
        assertEquals(VM_ACCOUNT, mm.findVma(b).flags() & (VM_NORESERVE | VM_ACCOUNT), "NEVER ignores MAP_NORESERVE");
        assertEquals(2, sys().overcommit().committedPages());
        // a read-only private area made writable is charged then (mprotect_fixup)
        long c = mm.mmap(0, 3 * P, PROT_READ, ANON, null, 0);
        assertEquals(2, sys().overcommit().committedPages());
        assertEquals(0, mm.mprotect(c, 3 * P, RW));
        assertEquals(VM_ACCOUNT, mm.findVma(c).flags() & VM_ACCOUNT);
        assertEquals(5, sys().overcommit().committedPages());
        sys().overcommit().mode(Overcommit.OVERCOMMIT_GUESS);
        mm.validate();
        mm.mmput();
    }
}
