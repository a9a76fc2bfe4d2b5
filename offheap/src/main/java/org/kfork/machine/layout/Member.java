package org.kfork.machine.layout;

/**
 * One member of a struct or union as the layout engine placed it.
 *
 * <p>Offsets are relative to the start of the enclosing layout. A bitfield's {@link #offset()} is
 * the byte that holds its first bit ({@code bitOffset / 8}), the way the reference CSV reports it;
 * {@link #bitOffset()} and {@link #bitWidth()} locate it exactly.
 *
 * @param name      the member's name, or null for an anonymous struct/union or an unnamed bitfield
 * @param type      the declared type
 * @param offset    the byte offset in the enclosing layout
 * @param align     the member's effective alignment: the type's, raised by an explicit
 *                  {@code __aligned(n)} on the member
 * @param alignAttr the explicit member alignment, or 0 when none was given
 * @param bitOffset the bit offset in the enclosing layout ({@code offset * 8} for a plain member)
 * @param bitWidth  the width of a bitfield, or -1 for a plain member (0 is an unnamed {@code :0})
 */
public record Member(String name, CType type, long offset, int align, int alignAttr, long bitOffset, int bitWidth) {

    /** True for a bitfield (including an unnamed zero-width one). */
    public boolean isBitfield() {
        return bitWidth >= 0;
    }

    /** True for an anonymous struct or union member, whose members belong to the enclosing scope. */
    public boolean isAnonymousAggregate() {
        return name == null && !isBitfield() && type.resolve() instanceof StructLayout;
    }

    /** sizeof the member's type (for a bitfield: its storage unit; for a flexible array: 0). */
    public long size() {
        return type.size();
    }

    /** The byte just past the member; for a bitfield, the byte past its last bit. */
    public long end() {
        if (isBitfield()) {
            return (bitOffset + bitWidth + 7) / 8;
        }
        return offset + type.size();
    }

    /** True for a flexible array member. */
    public boolean isFlexibleArray() {
        return type.resolve() instanceof ArrayType a && a.flexible();
    }
}
