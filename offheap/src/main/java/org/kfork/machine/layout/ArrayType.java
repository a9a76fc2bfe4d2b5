package org.kfork.machine.layout;

/**
 * A fixed array {@code T name[n]}, or a flexible array member {@code T name[]} (size 0; only
 * allowed as the last member of a struct, and not counted in sizeof).
 *
 * @param element  the element type
 * @param length   the number of elements (0 for a flexible array)
 * @param flexible true for a flexible array member
 */
public record ArrayType(CType element, long length, boolean flexible) implements CType {
    /** Checks the length. */
    public ArrayType {
        if (length < 0 || (flexible && length != 0)) {
            throw new IllegalArgumentException("bad array length " + length);
        }
    }

    /** C order: the outer dimension first ({@code long unsigned int[3][1]} is 3 arrays of 1). */
    @Override
    public String name() {
        StringBuilder dims = new StringBuilder();
        CType t = this;
        while (t instanceof ArrayType a) {
            dims.append(a.flexible() ? "[]" : "[" + a.length() + "]");
            t = a.element();
        }
        return t.name() + dims;
    }

    @Override
    public long size() {
        return element.size() * length;
    }

    @Override
    public int align() {
        return element.align();
    }

    @Override
    public String toString() {
        return name();
    }
}
