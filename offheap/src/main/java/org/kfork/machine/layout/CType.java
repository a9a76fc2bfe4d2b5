package org.kfork.machine.layout;

/**
 * A C type of the modeled x86_64 LP64 ABI: its name as DWARF and pahole spell it, its size and
 * its natural alignment.
 *
 * <p>The implementations are {@link Scalar} (integers, bool and the small kernel wrapper types
 * that behave like one), {@link PointerType}, {@link ArrayType}, {@link Alias} (typedefs and
 * qualifiers), {@link Opaque} (a block of known size and alignment whose inside the model does not
 * break down) and {@link StructLayout} (a struct or union placed by the layout engine).
 */
public sealed interface CType permits Scalar, PointerType, ArrayType, Alias, Opaque, StructLayout {
    /** The type's name as C spells it, e.g. {@code long unsigned int} or {@code struct list_head *}. */
    String name();

    /** sizeof(type) in bytes; 0 for an empty struct. */
    long size();

    /** alignof(type) in bytes: a power of two. */
    int align();

    /** The type with typedefs and qualifiers peeled off. */
    default CType resolve() {
        CType t = this;
        while (t instanceof Alias a) {
            t = a.target();
        }
        return t;
    }
}
