package org.kfork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class SizeConverterTest {
    private final SizeConverter sizes = new SizeConverter();

    @Test
    void parsesBytesAndBinarySuffixes() {
        assertEquals(4096L, sizes.convert("4096"));
        assertEquals(512L << 10, sizes.convert("512k"));
        assertEquals(64L << 20, sizes.convert("64m"));
        assertEquals(64L << 20, sizes.convert("64M"));
        assertEquals(1L << 30, sizes.convert("1g"));
        assertEquals(2L << 40, sizes.convert("2t"));
    }

    @Test
    void rejectsWhatIsNotAPositiveSize() {
        for (String bad : new String[] {"abc", "1.5g", "", "g", "-1m", "0", "99999999999t"}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> sizes.convert(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'") || e.getMessage().contains("positive"), e.getMessage());
        }
    }

    @Test
    void formatsInTheLargestUnitThatDivides() {
        assertEquals("4 GiB", SizeConverter.format(4L << 30));
        assertEquals("5248 KiB", SizeConverter.format(5248L << 10));
        assertEquals("100 bytes", SizeConverter.format(100));
        assertEquals("5m", SizeConverter.asArgument(5L << 20));
        assertEquals("5248k", SizeConverter.asArgument(5248L << 10));
        assertEquals("4097", SizeConverter.asArgument(4097));
        for (long v : new long[] {1, 4096, 5L << 20, 5248L << 10, 3L << 40}) {
            assertEquals(v, sizes.convert(SizeConverter.asArgument(v)), "round trip of " + v);
        }
    }
}
