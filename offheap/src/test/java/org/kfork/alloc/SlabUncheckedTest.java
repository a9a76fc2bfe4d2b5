package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kfork.machine.Abi;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/**
 * Misuse of a slab cache with checked mode off, where no KASAN check stands between a bad free
 * and memory: the naive double free that SLAB_FREELIST_HARDENED catches, a subtler one that
 * corrupts a freelist (destroy must report it, not spin), frees of pointers that are not slab
 * objects (nothing may be written through them), and a closed machine.
 *
 * <p>The offheap module's "unchecked" surefire execution runs this class in a JVM of its own with
 * {@code -Dkfork.checked=false -Dkfork.test.unchecked=true}; in the checked-mode run it is
 * skipped. Its leak checks are made by hand, since {@link LeakCheck} insists on checked mode.
 */
class SlabUncheckedTest {
    @BeforeAll
    static void uncheckedModeOnly() {
        if (Boolean.getBoolean("kfork.test.unchecked")) {
            assertFalse(Kasan.ENABLED, "the unchecked execution must run with -Dkfork.checked=false");
        } else {
            assumeFalse(Kasan.ENABLED, "runs in the unchecked surefire execution");
        }
    }

    @Test
    void theNaiveDoubleFreeIsCaughtAndTheCacheStaysWhole() {
        try (Machine m = Machine.builder().ram(8 << 20).cpus(2).build()) {
            final Kmem k = Kmem.of(m);
            final Map<String, Long> before = LeakCheck.quiescedSnapshot(m);
            final KmemCache c = k.slabs().createOrThrow("vm_area_struct", 200, 0, 0, null);
            final long a = c.alloc(0);
            c.free(0, a);
            final BadFreeException e = assertThrows(BadFreeException.class, () -> c.free(0, a));
            assertTrue(e.getMessage().startsWith("BUG: double-free (the object already heads CPU 0's freelist)"),
                e.getMessage());
            final long x = c.alloc(0);
            final long y = c.alloc(0);
            assertEquals(a, x);
            assertNotEquals(x, y, "without the check, the object would be handed out twice");
            c.free(0, y);
            c.free(0, x);
            assertTimeoutPreemptively(Duration.ofSeconds(20), c::destroy, "without the check, destroy spins forever");
            LeakCheck.assertNoLeak(before, LeakCheck.quiescedSnapshot(m));
        }
    }

    @Test
    void aSubtlerDoubleFreeMakesDestroyReportTheCorruptListInsteadOfSpinning() {
        try (Machine m = Machine.builder().ram(8 << 20).cpus(2).build()) {
            final KmemCache c = Kmem.of(m).slabs().createOrThrow("vm_area_struct", 200, 0, 0, null);
            final long a = c.alloc(0);
            final long b = c.alloc(0);
            c.free(0, a);
            c.free(0, b);
            c.free(0, a); // a is not the head (b is): SLUB does not see it either, and the list cycles
            final IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(IllegalStateException.class, c::destroy));
            assertTrue(e.getMessage().startsWith("slab corruption in cache vm_area_struct: "), e.getMessage());
            // the machine is thrown away with its corrupt cache; closing it walks no freelist
        }
    }

    @Test
    void aFreeOfSomethingThatIsNoObjectOfTheCacheWritesNothing() {
        try (Machine m = Machine.builder().ram(8 << 20).cpus(2).build()) {
            final Kmem k = Kmem.of(m);
            final Map<String, Long> before = LeakCheck.quiescedSnapshot(m);
            final KmemCache c = k.slabs().createOrThrow("vm_area_struct", 200, 0, 0, null);
            final KmemCache other = k.slabs().createOrThrow("anon_vma", 88, 0, 0, null);
            final long page = m.pages().allocPage();
            for (int off = 0; off < Abi.PAGE_SIZE; off += 8) {
                Mem.putLong(page + off, 0x5a5a5a5a5a5a5a5aL + off);
            }
            final BadFreeException notSlab = assertThrows(BadFreeException.class, () -> c.free(0, page));
            assertEquals("BUG: invalid-free (not a slab object) in kmem_cache_free(vm_area_struct, 0x"
                + Long.toHexString(page) + ")", notSlab.getMessage());
            for (int off = 0; off < Abi.PAGE_SIZE; off += 8) {
                assertEquals(0x5a5a5a5a5a5a5a5aL + off, Mem.getLong(page + off), "word " + off + " of the page");
            }
            // Outside the machine's RAM: the write would land outside the reserved region (a JVM
            // crash) or in another machine's window.
            for (long wild : new long[] {0x1000, Abi.PAGE_OFFSET - Abi.PAGE_SIZE, m.ramStart() + m.ramBytes(),
                Abi.VMALLOC_START, -8}) {
                assertThrows(BadFreeException.class, () -> c.free(0, wild), "0x" + Long.toHexString(wild));
            }
            final long foreign = other.alloc(0);
            final BadFreeException wrong = assertThrows(BadFreeException.class, () -> c.free(0, foreign));
            assertTrue(wrong.getMessage().contains("object of cache anon_vma"), wrong.getMessage());
            other.free(0, foreign);
            m.pages().freePage(page);
            c.destroy();
            other.destroy();
            LeakCheck.assertNoLeak(before, LeakCheck.quiescedSnapshot(m));
        }
    }

    @Test
    void aClosedMachineRefusesInUncheckedModeToo() {
        final Machine old = Machine.builder().ram(8 << 20).cpus(2).build();
        final KmemCache c = Kmem.of(old).slabs().createOrThrow("vm_area_struct", 200, 0, 0, null);
        final long obj = c.alloc(0);
        old.close();
        try (Machine next = Machine.builder().ram(8 << 20).cpus(2).build()) {
            final KmemCache mine = Kmem.of(next).slabs().createOrThrow("vm_area_struct", 200, 0, 0, null);
            final long o = mine.alloc(0);
            assertEquals(obj, o, "the same address in the next machine");
            Mem.putLong(o, 0x600d);
            assertThrows(IllegalStateException.class, () -> c.alloc(0));
            assertThrows(IllegalStateException.class, () -> c.free(0, obj));
            assertThrows(IllegalStateException.class, () -> old.pages().allocPage());
            assertThrows(IllegalStateException.class, () -> Kmem.of(old));
            assertEquals(0x600d, Mem.getLong(o));
            assertEquals(1, mine.info().activeObjs());
            mine.free(0, o);
            mine.destroy();
        }
    }
}
