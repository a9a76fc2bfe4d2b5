package org.kfork.kernel.mm;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Mman.PAGE_SHIFT;

import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.VmAreaStruct;

/**
 * The field reads of {@code struct vm_area_struct} and {@code struct mm_struct}
 * (include/linux/mm_types.h, and mm.h's vma_pages) that the off-heap mm code makes everywhere:
 * plain loads at the layout's offsets, which the JIT inlines. The heap twin reads its fields
 * directly and needs no such class.
 */
public final class MmTypes {
    private MmTypes() {
    }

    /** vm_start. */
    public static long vmStart(long vma) {
        return getLong(vma + VmAreaStruct.VM_START);
    }

    /** vm_end. */
    public static long vmEnd(long vma) {
        return getLong(vma + VmAreaStruct.VM_END);
    }

    /** vm_next. */
    public static long vmNext(long vma) {
        return getLong(vma + VmAreaStruct.VM_NEXT);
    }

    /** vm_prev. */
    public static long vmPrev(long vma) {
        return getLong(vma + VmAreaStruct.VM_PREV);
    }

    /** vm_flags. */
    public static long vmFlags(long vma) {
        return getLong(vma + VmAreaStruct.VM_FLAGS);
    }

    /** vm_pgoff. */
    public static long vmPgoff(long vma) {
        return getLong(vma + VmAreaStruct.VM_PGOFF);
    }

    /** vm_file. */
    public static long vmFile(long vma) {
        return getLong(vma + VmAreaStruct.VM_FILE);
    }

    /** anon_vma. */
    public static long anonVma(long vma) {
        return getLong(vma + VmAreaStruct.ANON_VMA);
    }

    /** vma_pages. */
    public static long pages(long vma) {
        return (vmEnd(vma) - vmStart(vma)) >>> PAGE_SHIFT;
    }

    /** rb_subtree_gap. */
    public static long gapOf(long vma) {
        return getLong(vma + VmAreaStruct.RB_SUBTREE_GAP);
    }

    /** rb_entry(node, struct vm_area_struct, vm_rb), NULL-safe. */
    public static long vmaOf(long rb) {
        return rb == 0 ? 0 : rb - VmAreaStruct.VM_RB;
    }

    /** An unsigned long field of the mm_struct at {@code mm}. */
    public static long mmGet(long mm, long off) {
        return getLong(mm + off);
    }

    /** Adds {@code delta} to an unsigned long field of the mm_struct at {@code mm}. */
    public static void mmAdd(long mm, long off, long delta) {
        putLong(mm + off, getLong(mm + off) + delta);
    }

    /** map_count += d. */
    public static void mapCountAdd(long mm, int d) {
        putInt(mm + MmStruct.MAP_COUNT, getInt(mm + MmStruct.MAP_COUNT) + d);
    }
}
