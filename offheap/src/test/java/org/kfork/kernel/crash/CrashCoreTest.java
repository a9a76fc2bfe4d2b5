package org.kfork.kernel.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kfork.alloc.KmemCache;
import org.kfork.kernel.Globals;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;

/** The VMCOREINFO block: where boot puts it, what its text says, and how it follows new caches. */
class CrashCoreTest {
    @Test
    void theBlockStartsRamAndDescribesTheKernel() {
        try (Machine m = Machine.create(64 << 20)) {
            Globals g = Globals.boot(m);
            assertTrue(g.crash.atWindowStart());
            assertEquals(m.ramStart(), g.crash.address());
            byte[] magic = new byte[8];
            Mem.copyToArray(g.crash.address(), magic, 0, 8);
            assertEquals("KFORKRAM", new String(magic, java.nio.charset.StandardCharsets.US_ASCII));
            String text = g.crash.text();
            assertTrue(text.contains("SYMBOL(init_task)=" + Long.toHexString(g.initTask) + "\n"), text);
            assertTrue(text.contains("OFFSET(task_struct.tasks)=" + TaskStruct.TASKS + "\n"), text);
            assertTrue(text.contains(ImageFormat.LAYOUT_KEY + "=" + ImageFormat.layoutVersion() + "\n"), text);
            assertFalse(text.contains("CRASHTIME="), "only a save stamps the time");
            g.crash.save();
            assertTrue(g.crash.text().contains("CRASHTIME="));
            assertTrue(Kasan.isAccessible(g.crash.address(), ImageFormat.NOTE_BYTES));
            g.close(); // the kernel's teardown gives the block back: checked mode poisons its pages
            assertFalse(Kasan.isAccessible(g.crash.address(), 8), "the block was freed");
        }
    }

    @Test
    void eachNewCacheJoinsTheTextUntilTheBlockIsFullThenTheRestAreCounted() {
        try (Machine m = Machine.create(64 << 20)) {
            Globals g = Globals.boot(m);
            KmemCache one = g.kmem.slabs().createOrThrow("crash_test_cache", 48, 0, 0, null);
            assertTrue(g.crash.text().contains("KMEM_CACHE(crash_test_cache)=0 0 48 "), g.crash.text());
            List<KmemCache> many = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                many.add(g.kmem.slabs().createOrThrow("crash_test_cache_with_a_long_name_" + i, 64, 0, 0, null));
            }
            String text = g.crash.text();
            assertTrue(text.length() <= ImageFormat.NOTE_BYTES - ImageFormat.HEADER_BYTES, "fits its block");
            assertTrue(text.contains("NUMBER(slab_caches_omitted)="), "the caches left out are counted");
            assertTrue(text.endsWith("\n") && text.contains("NUMBER(totalram_pages)="), text);
            assertNotNull(many.get(399));
            for (KmemCache c : many) {
                c.destroy();
            }
            one.destroy();
        }
    }
}
