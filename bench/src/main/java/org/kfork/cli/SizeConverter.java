package org.kfork.cli;

import org.kfork.machine.Ram;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Sizes on the command line ({@code 4096}, {@code 512k}, {@code 64m}, {@code 1g}): every
 * {@code kfork} option that takes a SIZE converts it here, with the same syntax as
 * {@code -Dkfork.ram.capacity} ({@link Ram#parseSize}).
 */
public final class SizeConverter implements ITypeConverter<Long> {
    private static final String[] UNITS = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    private static final String[] SUFFIXES = {"", "k", "m", "g", "t"};

    @Override
    public Long convert(String text) {
        try {
            return Ram.parseSize(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        } catch (ArithmeticException e) {
            throw new TypeConversionException("too large: '" + text + "'");
        }
    }

    /** {@code bytes} in the largest binary unit that divides it: {@code 4 GiB}, {@code 5248 KiB}. */
    public static String format(long bytes) {
        int u = unit(bytes);
        return (bytes >> (10 * u)) + " " + UNITS[u];
    }

    /** {@code bytes} as a SIZE argument, in the largest unit that divides it: {@code 5m}, {@code 5248k}. */
    public static String asArgument(long bytes) {
        int u = unit(bytes);
        return (bytes >> (10 * u)) + SUFFIXES[u];
    }

    private static int unit(long bytes) {
        int u = 0;
        while (u + 1 < UNITS.length && bytes != 0 && (bytes & ((1L << (10 * (u + 1))) - 1)) == 0) {
            u++;
        }
        return u;
    }
}
