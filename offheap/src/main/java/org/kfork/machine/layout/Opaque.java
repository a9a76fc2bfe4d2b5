package org.kfork.machine.layout;

/**
 * A type whose inside the model does not break down: a block of the true size and alignment. Used
 * for members fork.c never looks into (struct hrtimer, struct sched_entity, ...).
 *
 * @param name  the C name, e.g. {@code struct hrtimer}
 * @param size  sizeof
 * @param align alignof
 */
public record Opaque(String name, long size, int align) implements CType {
    /** Checks that the block could be a C type: alignment a power of two dividing the size. */
    public Opaque {
        if (size < 0 || align <= 0 || Long.bitCount(align) != 1 || size % align != 0) {
            throw new IllegalArgumentException("bad opaque " + name + " size " + size + " align " + align);
        }
    }

    /** {@code struct NAME} of the given size and alignment. */
    public static Opaque struct(String tag, long size, int align) {
        return new Opaque("struct " + tag, size, align);
    }

    /** {@code union NAME} of the given size and alignment. */
    public static Opaque union(String tag, long size, int align) {
        return new Opaque("union " + tag, size, align);
    }

    @Override
    public String toString() {
        return name;
    }
}
