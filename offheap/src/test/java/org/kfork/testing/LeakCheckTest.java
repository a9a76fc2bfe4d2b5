package org.kfork.testing;

import org.junit.jupiter.api.Test;
import org.kfork.machine.Machine;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leak check itself must fail when a page is not given back. */
class LeakCheckTest {
    @Test
    void aLeakedPageFailsTheCheck() {
        try (Machine m = Machine.create(8 << 20)) {
            final Map<String, Long> before = m.snapshot();
            final long page = m.pages().allocPage();
            final AssertionError e = assertThrows(AssertionError.class,
                () -> LeakCheck.assertNoLeak(before, m.snapshot()));
            assertTrue(e.getMessage().contains("pages.free: 2048 -> 2047"), e.getMessage());
            m.pages().freePage(page);
            LeakCheck.assertNoLeak(before, m.snapshot());
        }
    }

    @Test
    void aNewCounterIsADifference() {
        final AssertionError e = assertThrows(AssertionError.class,
            () -> LeakCheck.assertNoLeak(Map.of(), Map.of("slab.x.active", 1L)));
        assertTrue(e.getMessage().contains("slab.x.active: null -> 1"), e.getMessage());
    }
}
