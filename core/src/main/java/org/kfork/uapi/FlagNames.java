package org.kfork.uapi;

/**
 * Turns a flag word into {@code NAME|NAME|0xLEFTOVER} text for logs and error messages.
 *
 * <p>A helper for the {@code describe} methods of the flag classes ({@link CloneFlags},
 * {@code VmFlags}, {@code TaskFlags}); it is public only because those classes live in other
 * packages. Names come out in the order of the table, which each class keeps in ascending bit
 * order, so the same word always gives the same text.
 */
public final class FlagNames {
    private final long[] masks;
    private final String[] names;

    /**
     * A table of single-bit (or multi-bit) masks and their names.
     *
     * @param masks the masks, none of them zero, in the order they should be printed
     * @param names the name of each mask, same length as {@code masks}
     */
    public FlagNames(long[] masks, String[] names) {
        if (masks.length != names.length) {
            throw new IllegalArgumentException("masks and names differ in length");
        }
        for (long mask : masks) {
            if (mask == 0) {
                // A zero mask (VM_SOFTDIRTY in this config) would match every word.
                throw new IllegalArgumentException("a zero mask cannot be named");
            }
        }
        this.masks = masks.clone();
        this.names = names.clone();
    }

    /**
     * Appends the names of the masks fully set in {@code value}, separated by {@code |}, and
     * returns the bits no mask claimed. Appends nothing for zero.
     *
     * @param value the flag word
     * @param out   where the names go; a {@code |} is put before each name if out is not empty
     * @return the bits of {@code value} that no named mask covered
     */
    public long appendNames(long value, StringBuilder out) {
        long left = value;
        for (int i = 0; i < masks.length; i++) {
            if ((value & masks[i]) == masks[i]) {
                separate(out).append(names[i]);
                left &= ~masks[i];
            }
        }
        return left;
    }

    /**
     * The names of the masks set in {@code value}, then any unnamed bits as one hex number:
     * {@code "VM_READ|VM_WRITE|0x8000000000"}. Zero gives {@code "0"}.
     *
     * @param value the flag word
     * @return the description, never empty
     */
    public String describe(long value) {
        StringBuilder out = new StringBuilder();
        long left = appendNames(value, out);
        appendLeftover(left, out);
        return out.length() == 0 ? "0" : out.toString();
    }

    /** Appends {@code 0x...} for unnamed bits, if there are any. */
    static void appendLeftover(long left, StringBuilder out) {
        if (left != 0) {
            separate(out).append("0x").append(Long.toHexString(left));
        }
    }

    private static StringBuilder separate(StringBuilder out) {
        return out.length() == 0 ? out : out.append('|');
    }
}
