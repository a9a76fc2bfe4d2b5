package org.kfork.alloc;

import org.kfork.machine.Mem;

/**
 * struct vm_struct (include/linux/vmalloc.h, 5.12): the record of one vmalloc area. A thread stack
 * keeps a pointer to its own in {@code task_struct.stack_vm_area}.
 *
 * <pre>
 *   offset size  field
 *        0    8  struct vm_struct *next
 *        8    8  void *addr              first byte of the area (a VMALLOC_START address)
 *       16    8  unsigned long size      bytes, including the guard page
 *       24    8  unsigned long flags     VM_ALLOC
 *       32    8  struct page **pages     the backing pages
 *       40    4  unsigned int nr_pages
 *       44    4  (hole)
 *       48    8  phys_addr_t phys_addr
 *       56    8  const void *caller
 *   sizeof 64, align 8
 * </pre>
 *
 * kfork does not model struct page, so an entry of {@code pages[]} holds the page's direct-map
 * address (its page_address()). The pages array is allocated with the record, right behind it.
 */
public final class VmStruct {
    /** vm_struct.next. */
    public static final int NEXT = 0;
    /** vm_struct.addr. */
    public static final int ADDR = 8;
    /** vm_struct.size. */
    public static final int SIZE_FIELD = 16;
    /** vm_struct.flags. */
    public static final int FLAGS = 24;
    /** vm_struct.pages. */
    public static final int PAGES = 32;
    /** vm_struct.nr_pages. */
    public static final int NR_PAGES = 40;
    /** vm_struct.phys_addr. */
    public static final int PHYS_ADDR = 48;
    /** vm_struct.caller. */
    public static final int CALLER = 56;
    /** sizeof(struct vm_struct). */
    public static final int SIZEOF = 64;

    /** VM_ALLOC: the area came from vmalloc. */
    public static final long VM_ALLOC = 0x0000_0002L;

    private VmStruct() {
    }

    /** {@code void *addr}. */
    public static long addr(long vm) {
        return Mem.getLong(vm + ADDR);
    }

    /** {@code unsigned long size}. */
    public static long size(long vm) {
        return Mem.getLong(vm + SIZE_FIELD);
    }

    /** {@code unsigned int nr_pages}. */
    public static int nrPages(long vm) {
        return Mem.getInt(vm + NR_PAGES);
    }

    /** {@code pages[i]}: the direct-map address of the i-th backing page. */
    public static long page(long vm, int i) {
        return Mem.getLong(Mem.getLong(vm + PAGES) + 8L * i);
    }
}
