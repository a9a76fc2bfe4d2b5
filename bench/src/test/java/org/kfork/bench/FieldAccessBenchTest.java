package org.kfork.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.kfork.mm.VmFlags;

/** The three variants of FieldAccessBench read the same vm_flags (checked mode is on in tests). */
class FieldAccessBenchTest {
    @Test
    void everyVariantReadsTheSameFlags() {
        long[] read = new long[FieldAccessBench.Variant.values().length];
        long[] scan = new long[read.length];
        for (FieldAccessBench.Variant v : FieldAccessBench.Variant.values()) {
            FieldAccessBench b = new FieldAccessBench();
            b.variant = v;
            b.setUp();
            try {
                read[v.ordinal()] = b.read();
                scan[v.ordinal()] = b.scan();
            } finally {
                b.tearDown();
            }
        }
        long first = VmFlags.VM_READ | VmFlags.VM_MAYREAD;
        long all = first | VmFlags.VM_WRITE;
        for (int i = 0; i < read.length; i++) {
            assertEquals(first, read[i], "read, variant " + FieldAccessBench.Variant.values()[i]);
            assertEquals(all, scan[i], "scan, variant " + FieldAccessBench.Variant.values()[i]);
        }
    }
}
