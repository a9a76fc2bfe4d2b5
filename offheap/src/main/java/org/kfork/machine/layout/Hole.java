package org.kfork.machine.layout;

/**
 * Unused bytes inside a struct: between two members (a hole) or after the last one (tail padding).
 *
 * @param offset the first unused byte
 * @param size   how many bytes are unused
 * @param after  the member the hole follows (null for a hole at offset 0, which cannot happen in C)
 */
public record Hole(long offset, long size, Member after) {
}
