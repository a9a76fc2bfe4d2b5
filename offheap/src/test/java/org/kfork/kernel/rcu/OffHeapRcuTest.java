package org.kfork.kernel.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.PerCpu;
import org.kfork.kernel.KernelText;
import org.kfork.kernel.struct.CallbackHead;
import org.kfork.kernel.struct.RcuSegcblist;
import org.kfork.machine.BadAccessException;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.rcu.Segcblist;
import org.kfork.testing.LeakCheck;

/**
 * Off-heap specifics: callbacks in RAM (the object's own callback_head, the per-CPU
 * rcu_segcblist), kernel-text addresses and what a corrupted one does, argument checks, checked
 * mode, and the leak check draining RCU first. The leak check runs after every test.
 */
class OffHeapRcuTest {
    /** struct test_obj { u64 id; struct callback_head rcu; u64 pad; }. */
    static final int RCU = 8;

    final Machine machine = Machine.builder().ram(16L << 20).cpus(2).build();
    final Rcu rcu = Rcu.of(machine);
    final KmemCache objs = Kmem.of(machine).slabs().create("rcu_test_obj", 32, 0, 0, null);
    final List<Long> ran = new ArrayList<>();
    final long free = rcu.register("test_free", head -> {
        ran.add(head);
        objs.free(head - RCU);
    });
    /** Registered first, so it runs after the leak check. */
    @RegisterExtension
    final AfterEachCallback teardown = ctx -> machine.close();
    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> machine);

    private long obj() {
        long o = objs.zalloc(0);
        assertTrue(o != 0);
        return o;
    }

    @Test
    void callbacksAreLinkedThroughTheObjectsOwnCallbackHeadsOnThePerCpuList() {
        long a = obj();
        long b = obj();
        rcu.callRcu(a + RCU, free, 1);
        rcu.callRcu(b + RCU, free, 1);
        long l = rcu.cblist(1);
        assertEquals(PerCpu.UNIT_SIZE, l - rcu.cblist(0), "a per-CPU variable: one copy in each CPU's unit");
        assertTrue(l - Kmem.of(machine).percpu().ptr(1, 0) < PerCpu.UNIT_SIZE, "inside CPU 1's unit");
        assertEquals(a + RCU, Mem.getLong(l + RcuSegcblist.HEAD));
        assertEquals(b + RCU, Mem.getLong(a + RCU + CallbackHead.NEXT));
        assertEquals(0, Mem.getLong(b + RCU + CallbackHead.NEXT));
        assertEquals(free, Mem.getLong(a + RCU + CallbackHead.FUNC));
        assertEquals(b + RCU + CallbackHead.NEXT, Mem.getLong(l + RcuSegcblist.TAILS + 8L * Segcblist.RCU_NEXT_TAIL));
        assertEquals(l + RcuSegcblist.HEAD, Mem.getLong(l + RcuSegcblist.TAILS + 8L * Segcblist.RCU_NEXT_READY_TAIL));
        assertEquals(2, Mem.getLong(l + RcuSegcblist.LEN));
        assertEquals(2, Mem.getLong(l + RcuSegcblist.SEGLEN + 8L * Segcblist.RCU_NEXT_TAIL));
        assertEquals(Segcblist.SEGCBLIST_ENABLED, Mem.getByte(l + RcuSegcblist.FLAGS));
        assertEquals(0, Mem.getLong(rcu.cblist(0) + RcuSegcblist.HEAD), "CPU 0's list is empty");
        assertEquals("test_free+0x0/0x10", rcu.symbol(free));
        assertEquals(0, (free - KernelText.START_KERNEL) % KernelText.FUNCTION_ALIGN);
        rcu.rcuSyscallExit(rcu.rcuSyscallEnter(1));
        assertEquals(List.of(a + RCU, b + RCU), ran);
        assertEquals(0, Mem.getLong(l + RcuSegcblist.HEAD));
        SegCbList.validate(l, 10);
    }

    @Test
    void aCorruptedFuncIsAKernelBugThatKeepsTheOtherCallbacksQueued() {
        long a = obj();
        long b = obj();
        long c = obj();
        rcu.callRcu(a + RCU, free, 0);
        rcu.callRcu(b + RCU, free, 0);
        rcu.callRcu(c + RCU, free, 0);
        long bogus = KernelText.START_KERNEL + 1000L * KernelText.FUNCTION_ALIGN;
        Mem.putLong(b + RCU + CallbackHead.FUNC, bogus); // a stray write
        int t = rcu.rcuSyscallEnter(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rcu.rcuSyscallExit(t));
        assertTrue(e.getMessage().startsWith("BUG: RCU callback at 0x" + Long.toHexString(b + RCU)), e.getMessage());
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(bogus)), e.getMessage());
        assertEquals(List.of(a + RCU), ran);
        assertEquals(1, rcu.callbacksPending(), "the bad one is consumed, c waits");
        assertEquals(0, rcu.state().readers(0), "the exit itself completed before the callbacks ran");
        SegCbList.validate(rcu.cblist(0), 10);
        // a registered function of another kind is no RCU callback either
        long notRcu = KernelText.of(machine).register("not_an_rcu_callback", new Object());
        long d = obj();
        assertThrows(IllegalArgumentException.class, () -> rcu.callRcu(d + RCU, notRcu, 0));
        objs.free(d);
        rcu.rcuSyscallExit(rcu.rcuSyscallEnter(0));
        assertEquals(List.of(a + RCU, c + RCU), ran);
        objs.free(b);
    }

    @Test
    void callRcuRefusesBadArgumentsAndQueuesNothing() {
        long a = obj();
        assertThrows(IllegalArgumentException.class, () -> rcu.callRcu(0, free, 0));
        assertThrows(IllegalArgumentException.class, () -> rcu.callRcu(a + RCU + 4, free, 0));
        assertThrows(IllegalArgumentException.class,
            () -> rcu.callRcu(a + RCU, KernelText.START_KERNEL + 999L * KernelText.FUNCTION_ALIGN, 0));
        assertThrows(IllegalArgumentException.class, () -> rcu.callRcu(a + RCU, free + 1, 0));
        assertThrows(IllegalArgumentException.class, () -> rcu.callRcu(a + RCU, free, 2));
        assertEquals(0, rcu.callbacksQueued());
        assertEquals(0, Mem.getLong(a + RCU + CallbackHead.FUNC), "nothing written");
        objs.free(a);
    }

    @Test
    void checkedModeCatchesCallRcuOnAFreedObject() {
        long a = obj();
        objs.free(a);
        assertThrows(BadAccessException.class, () -> rcu.callRcu(a + RCU, free, 0));
        assertEquals(0, rcu.callbacksQueued());
        SegCbList.validate(rcu.cblist(0), 10);
    }

    @Test
    void theLeakCheckDrainsPendingCallbacksBeforeTheOtherQuiesceHooks() {
        long before = objs.activeObjects();
        for (int i = 0; i < 5; i++) {
            rcu.callRcu(obj() + RCU, free, i % 2);
        }
        Map<String, Long> raw = machine.snapshot();
        assertEquals(5L, raw.get("rcu.callbacks_pending"), "pending callbacks are an accounting counter");
        assertEquals(before + 5, objs.activeObjects());
        Map<String, Long> quiesced = LeakCheck.quiescedSnapshot(machine);
        assertEquals(0L, quiesced.get("rcu.callbacks_pending"));
        assertEquals(before, objs.activeObjects());
        assertEquals(5, ran.size());
        // and on a machine where another hook was registered before RCU existed, RCU still goes first
        try (Machine m = Machine.builder().ram(8L << 20).cpus(2).build()) {
            List<Long> seen = new ArrayList<>();
            Rcu[] holder = new Rcu[1];
            Kmem.of(m).addQuiesceHook(() -> seen.add(holder[0].callbacksPending()));
            holder[0] = Rcu.of(m);
            KmemCache c = Kmem.of(m).slabs().create("rcu_test_obj2", 32, 0, 0, null);
            long f = holder[0].register("free2", h -> c.free(h - RCU));
            holder[0].callRcu(c.alloc(0) + RCU, f, 0);
            Kmem.quiesce(m);
            assertEquals(List.of(0L), seen);
            assertEquals(0, c.activeObjects());
        }
        // this test leaves callbacks pending for the extension's leak check to drain
        rcu.callRcu(obj() + RCU, free, 1);
    }

    @Test
    void closeReleasesTheListsAndTheNextUseSetsUpAfresh() {
        try (Machine m = Machine.builder().ram(8L << 20).cpus(4).build()) {
            long used = Kmem.of(m).percpu().usedBytes();
            Rcu r = Rcu.of(m);
            assertSame(r, Rcu.of(m));
            assertEquals(used + RcuSegcblist.SIZEOF, Kmem.of(m).percpu().usedBytes());
            assertEquals(0L, m.snapshot().get("rcu.callbacks_pending"));
            r.close();
            r.close();
            assertEquals(used, Kmem.of(m).percpu().usedBytes());
            assertEquals(null, m.snapshot().get("rcu.callbacks_pending"));
            Rcu again = Rcu.of(m);
            assertNotSame(r, again);
            assertEquals(0, again.callbacksQueued());
        }
        assertThrows(IllegalStateException.class, () -> Rcu.of(machineClosed()));
    }

    private static Machine machineClosed() {
        Machine m = Machine.create(1L << 20);
        m.close();
        return m;
    }

    @Test
    void kernelTextGivesEachFunctionAnAlignedAddressAndResolvesOnlyItsOwnKind() {
        KernelText text = KernelText.of(machine);
        int before = text.size();
        long f1 = text.register("delayed_put_pid", (RcuCallback) h -> { });
        long f2 = text.register("work_fn", (Runnable) () -> { });
        assertEquals(KernelText.START_KERNEL + (long) KernelText.FUNCTION_ALIGN * before, f1);
        assertEquals(f1 + KernelText.FUNCTION_ALIGN, f2);
        assertTrue(text.resolve(f1, RcuCallback.class) != null);
        assertEquals(null, text.resolve(f2, RcuCallback.class));
        assertTrue(text.resolve(f2, Runnable.class) != null);
        assertEquals(null, text.resolve(f1 + 8, RcuCallback.class));
        assertEquals(null, text.resolve(KernelText.START_KERNEL - 16, Object.class));
        assertEquals(null, text.resolve(f2 + KernelText.FUNCTION_ALIGN, Object.class));
        assertEquals("delayed_put_pid+0x0/0x10", text.symbol(f1));
        assertEquals("0x" + Long.toHexString(f2 + 64), text.symbol(f2 + 64));
        assertThrows(IllegalArgumentException.class, () -> text.register("", new Object()));
        assertThrows(IllegalArgumentException.class, () -> text.register("x", null));
    }
}
