package org.kfork.machine.layout;

/**
 * A pointer (data or function): 8 bytes, 8-aligned on LP64. Only its spelling differs between
 * pointer types; in modeled RAM every pointer is a modeled kernel virtual address.
 *
 * @param name the C spelling, e.g. {@code struct list_head *} or {@code fnptr}
 */
public record PointerType(String name) implements CType {
    @Override
    public long size() {
        return 8;
    }

    @Override
    public int align() {
        return 8;
    }

    @Override
    public String toString() {
        return name;
    }
}
