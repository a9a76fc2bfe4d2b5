package org.kfork.machine.layout;

/**
 * A member found by a (dotted) path from the top of a struct, with its absolute position.
 *
 * @param path      the path as asked, e.g. {@code shared.rb}
 * @param member    the member found
 * @param offset    its byte offset from the start of the outermost struct
 * @param bitOffset its bit offset from the start of the outermost struct
 */
public record FieldRef(String path, Member member, long offset, long bitOffset) {
    /** sizeof the member's type. */
    public long size() {
        return member.size();
    }
}
