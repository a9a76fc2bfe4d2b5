package org.kfork.machine.layout;

/**
 * An integer-like type: the C integer types, bool, and kernel types that wrap one integer
 * (atomic_t, kuid_t, pgprot_t, ...), which the model keeps as scalars of that size.
 *
 * @param name      the C name, as DWARF spells it (e.g. {@code long unsigned int}, {@code atomic_t})
 * @param size      sizeof
 * @param align     alignof
 * @param cSpelling how the gcc cross-check declares a member of this type ({@code uint64_t}, ...)
 */
public record Scalar(String name, long size, int align, String cSpelling) implements CType {
    /** Checks the size and alignment are sane for an integer type. */
    public Scalar {
        if (size <= 0 || align <= 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("bad scalar " + name + " size " + size + " align " + align);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
