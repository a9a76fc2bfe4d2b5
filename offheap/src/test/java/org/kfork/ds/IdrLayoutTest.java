package org.kfork.ds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.kfork.lib.IdrRules;
import org.kfork.machine.layout.Pahole;

/**
 * The IDR's structs. {@code struct idr} and {@code struct xarray} are pinned to the rows of
 * reference/layouts-5.12.csv (gcc's offsetof on the 5.12 headers), copied into
 * idr-layouts-5.12.csv. {@code struct xa_node} has no row there: its offsets below are computed by
 * hand from include/linux/xarray.h (XA_CHUNK_SHIFT 6, XA_MAX_MARKS 3, one mark word) and the
 * x86_64 ABI, and the layout engine must agree with them.
 */
class IdrLayoutTest {
    /** struct,field -> {offset, size}. */
    private static Map<String, long[]> reference() throws IOException {
        final Map<String, long[]> rows = new HashMap<>();
        try (InputStream in = IdrLayoutTest.class.getResourceAsStream("idr-layouts-5.12.csv")) {
            assertNotNull(in, "idr-layouts-5.12.csv on the test class path");
            final BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            r.readLine();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                final String[] c = line.split(",");
                rows.put(c[0] + "," + c[1], new long[] {Long.parseLong(c[3]), Long.parseLong(c[4])});
            }
        }
        return rows;
    }

    @Test
    void structIdrAndXarrayMatchTheReference() throws IOException {
        final Map<String, long[]> ref = reference();
        assertEquals(8, ref.size());
        assertEquals(ref.get("idr,idr_rt")[0], Idr.IDR_RT);
        assertEquals(ref.get("idr,idr_rt")[1], Idr.SIZEOF_XARRAY);
        assertEquals(ref.get("idr,idr_base")[0], Idr.IDR_BASE);
        assertEquals(ref.get("idr,idr_next")[0], Idr.IDR_NEXT);
        assertEquals(ref.get("idr,__SIZEOF__")[1], Idr.SIZEOF_IDR);
        assertEquals(ref.get("xarray,xa_lock")[0], Idr.XA_LOCK);
        assertEquals(ref.get("xarray,xa_flags")[0], Idr.XA_FLAGS);
        assertEquals(ref.get("xarray,xa_head")[0], Idr.XA_HEAD);
        assertEquals(ref.get("xarray,__SIZEOF__")[1], Idr.SIZEOF_XARRAY);
    }

    @Test
    void xaNodeAsComputedFromTheHeader() {
        assertEquals(0, XaNode.SHIFT);
        assertEquals(1, XaNode.OFFSET);
        assertEquals(2, XaNode.COUNT);
        assertEquals(3, XaNode.NR_VALUES);
        assertEquals(8, XaNode.PARENT, "after a 4-byte hole");
        assertEquals(16, XaNode.ARRAY);
        assertEquals(24, XaNode.PRIVATE_LIST);
        assertEquals(24, XaNode.RCU_HEAD, "in a union with private_list");
        assertEquals(40, XaNode.SLOTS);
        assertEquals(8 * 64, XaNode.LAYOUT.sizeOf("slots"));
        assertEquals(552, XaNode.TAGS);
        assertEquals(24, XaNode.LAYOUT.sizeOf("tags"));
        assertEquals(552, XaNode.LAYOUT.offsetOf("marks"));
        assertEquals(576, XaNode.SIZEOF, "xarray.h: 576 bytes");
        assertEquals(8, XaNode.ALIGNOF);
        assertEquals(7, 4096 / XaNode.SIZEOF, "seven to a 4 KiB page, as the header says");
        final String pahole = Pahole.print(XaNode.LAYOUT);
        assertTrue(pahole.contains("xa_node") && pahole.contains("576"), pahole);
    }

    @Test
    void rootFlagsOfAnEmptyIdr() {
        assertEquals(0x800004, IdrRules.IDR_RT_MARKER, "ROOT_IS_IDR | IDR_FREE << __GFP_BITS_SHIFT (23, no lockdep)");
        assertEquals(6, IdrRules.IDR_MAX_PATH);
        assertEquals(11, IdrRules.IDR_PRELOAD_SIZE);
        assertEquals((1L << 30) - 1, IdrRules.shiftMaxindex(24));
        assertEquals((1L << 36) - 1, IdrRules.shiftMaxindex(30), "INT_MAX needs a sixth level");
    }
}
