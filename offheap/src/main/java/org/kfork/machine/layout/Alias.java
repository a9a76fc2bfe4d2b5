package org.kfork.machine.layout;

/**
 * A typedef ({@code typedef struct spinlock spinlock_t}) or a qualified type ({@code volatile long
 * int}): another name for a type, with its size and alignment.
 *
 * @param name   the new name
 * @param target the aliased type
 */
public record Alias(String name, CType target) implements CType {
    @Override
    public long size() {
        return target.size();
    }

    @Override
    public int align() {
        return target.align();
    }

    @Override
    public String toString() {
        return name;
    }
}
