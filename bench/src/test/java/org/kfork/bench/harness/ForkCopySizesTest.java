package org.kfork.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The copy anchor's sizes are the layouts' (reference/layouts-5.12.csv), in copy_process's order. */
class ForkCopySizesTest {
    @Test
    void theSpecCarriesTheLayoutSizesInForkOrder() {
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String item : ForkCopySizes.spec().split(",")) {
            String[] kv = item.split("=");
            assertEquals(2, kv.length, item);
            assertTrue(kv[1].matches("[0-9]+:[0-9]+"), item);
            parsed.put(kv[0], kv[1]);
        }
        assertEquals(List.of("thread_stack", "task_struct", "cred", "files_struct", "fs_struct", "sighand_struct",
            "signal_struct", "mm_struct", "vm_area_struct", "pid"), List.copyOf(parsed.keySet()));
        // The reference figures of the 5.12 x86_64 build: a drifting layout shows here first.
        assertEquals("16384:4096", parsed.get("thread_stack"));
        assertEquals("7040:64", parsed.get("task_struct"));
        assertEquals("2080:64", parsed.get("sighand_struct"));
        assertEquals("704:64", parsed.get("files_struct"), "with its embedded fdtable");
        assertEquals("112:64", parsed.get("pid"));
        assertEquals("200:8", parsed.get("vm_area_struct"), "no SLAB_HWCACHE_ALIGN: the struct's own alignment");
        for (ForkCopySizes.Item i : ForkCopySizes.items()) {
            assertTrue(i.align() > 0 && (i.align() & (i.align() - 1)) == 0, "a power of two: " + i);
        }
    }
}
