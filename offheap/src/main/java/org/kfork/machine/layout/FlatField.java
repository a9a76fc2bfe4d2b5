package org.kfork.machine.layout;

/**
 * One row of a struct's flattened view, named the way the reference CSV names fields: members of
 * anonymous structs and unions appear under their own names, members of a named member of
 * anonymous struct type appear dotted ({@code shared.rb}), and each anonymous struct or union
 * itself appears as a container row named {@code {anon union @OFFSET}}.
 *
 * @param path      the row's field name
 * @param member    the member
 * @param offset    the absolute byte offset (for a bitfield, the byte holding its first bit)
 * @param bitOffset the absolute bit offset
 * @param container true for an anonymous struct/union container row
 * @param depth     nesting depth below the struct (0 for a top-level member)
 */
public record FlatField(String path, Member member, long offset, long bitOffset, boolean container, int depth) {
    /** sizeof the member's type. */
    public long size() {
        return member.size();
    }
}
