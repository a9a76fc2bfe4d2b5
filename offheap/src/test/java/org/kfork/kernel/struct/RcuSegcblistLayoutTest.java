package org.kfork.kernel.struct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/**
 * struct rcu_segcblist has no row in reference/layouts-5.12.csv (gcc was not run on it), so it is
 * pinned here to the layout computed by hand from 5.12's include/linux/rcu_segcblist.h under the
 * reference config: CONFIG_RCU_NOCB_CPU is off (len is a plain long), and 5.12 keeps the enabled and
 * offloaded states as bits of one u8 flags. The gcc cross-check (GccCrossCheckTest) compiles the
 * model's declaration too, which pins the engine's placement to gcc's.
 */
class RcuSegcblistLayoutTest {
    @Test
    void theLayoutComputedFromThe512Header() {
        assertEquals(0, RcuSegcblist.HEAD);
        assertEquals(8, RcuSegcblist.TAILS);
        assertEquals(40, RcuSegcblist.GP_SEQ);
        assertEquals(72, RcuSegcblist.LEN);
        assertEquals(80, RcuSegcblist.SEGLEN);
        assertEquals(112, RcuSegcblist.FLAGS);
        assertEquals(120, RcuSegcblist.SIZEOF);
        assertEquals(8, RcuSegcblist.ALIGNOF);
        assertEquals(32, RcuSegcblist.LAYOUT.field("tails").size());
        assertEquals("struct callback_head * *", RcuSegcblist.LAYOUT.field("tails").member().type().name().replace("[4]", ""));
        assertSame(RcuSegcblist.LAYOUT, Structs.byName("rcu_segcblist"), "kfork layout rcu_segcblist shows it");
    }
}
