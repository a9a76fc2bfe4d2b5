package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct vm_operations_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A mapping's methods, which vm_ops points to: open when a VMA is duplicated or split, close
 * when it goes. The model calls those two; the other slots of the model's tables are NULL. Each
 * non-NULL slot holds a kernel-text address (org.kfork.kernel.KernelText).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/mm.h:568; set_policy and get_policy with CONFIG_NUMA) with the reference config, and ComputedLayoutTest pins it
 * to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | open                           fnptr                                   |
 * |     8 |    8 | close                          fnptr                                   |
 * |    16 |    8 | may_split                      fnptr                                   |
 * |    24 |    8 | mremap                         fnptr                                   |
 * |    32 |    8 | mprotect                       fnptr                                   |
 * |    40 |    8 | fault                          fnptr                                   |
 * |    48 |    8 | huge_fault                     fnptr                                   |
 * |    56 |    8 | map_pages                      fnptr                                   |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | pagesize                       fnptr                                   |
 * |    72 |    8 | page_mkwrite                   fnptr                                   |
 * |    80 |    8 | pfn_mkwrite                    fnptr                                   |
 * |    88 |    8 | access                         fnptr                                   |
 * |    96 |    8 | name                           fnptr                                   |
 * |   104 |    8 | set_policy                     fnptr                                   |
 * |   112 |    8 | get_policy                     fnptr                                   |
 * |   120 |    8 | find_special_page              fnptr                                   |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 128, alignof 8
 * </pre>
 */
public final class VmOperationsStruct {
    /** The engine's layout of {@code struct vm_operations_struct}. */
    public static final StructLayout LAYOUT = Struct.named("vm_operations_struct")
        .field("open", CTypes.FNPTR)
        .field("close", CTypes.FNPTR)
        .field("may_split", CTypes.FNPTR)
        .field("mremap", CTypes.FNPTR)
        .field("mprotect", CTypes.FNPTR)
        .field("fault", CTypes.FNPTR)
        .field("huge_fault", CTypes.FNPTR)
        .field("map_pages", CTypes.FNPTR)
        .field("pagesize", CTypes.FNPTR)
        .field("page_mkwrite", CTypes.FNPTR)
        .field("pfn_mkwrite", CTypes.FNPTR)
        .field("access", CTypes.FNPTR)
        .field("name", CTypes.FNPTR)
        .field("set_policy", CTypes.FNPTR)
        .field("get_policy", CTypes.FNPTR)
        .field("find_special_page", CTypes.FNPTR)
        .build();

    /** sizeof(struct vm_operations_struct): 128. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct vm_operations_struct): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code fnptr open;} at offset 0 (8 bytes). */
    public static final long OPEN = LAYOUT.offsetOf("open");

    /** {@code fnptr close;} at offset 8 (8 bytes). */
    public static final long CLOSE = LAYOUT.offsetOf("close");

    /** {@code fnptr may_split;} at offset 16 (8 bytes). */
    public static final long MAY_SPLIT = LAYOUT.offsetOf("may_split");

    /** {@code fnptr mremap;} at offset 24 (8 bytes). */
    public static final long MREMAP = LAYOUT.offsetOf("mremap");

    /** {@code fnptr mprotect;} at offset 32 (8 bytes). */
    public static final long MPROTECT = LAYOUT.offsetOf("mprotect");

    /** {@code fnptr fault;} at offset 40 (8 bytes). */
    public static final long FAULT = LAYOUT.offsetOf("fault");

    /** {@code fnptr huge_fault;} at offset 48 (8 bytes). */
    public static final long HUGE_FAULT = LAYOUT.offsetOf("huge_fault");

    /** {@code fnptr map_pages;} at offset 56 (8 bytes). */
    public static final long MAP_PAGES = LAYOUT.offsetOf("map_pages");

    /** {@code fnptr pagesize;} at offset 64 (8 bytes). */
    public static final long PAGESIZE = LAYOUT.offsetOf("pagesize");

    /** {@code fnptr page_mkwrite;} at offset 72 (8 bytes). */
    public static final long PAGE_MKWRITE = LAYOUT.offsetOf("page_mkwrite");

    /** {@code fnptr pfn_mkwrite;} at offset 80 (8 bytes). */
    public static final long PFN_MKWRITE = LAYOUT.offsetOf("pfn_mkwrite");

    /** {@code fnptr access;} at offset 88 (8 bytes). */
    public static final long ACCESS = LAYOUT.offsetOf("access");

    /** {@code fnptr name;} at offset 96 (8 bytes). */
    public static final long NAME = LAYOUT.offsetOf("name");

    /** {@code fnptr set_policy;} at offset 104 (8 bytes). */
    public static final long SET_POLICY = LAYOUT.offsetOf("set_policy");

    /** {@code fnptr get_policy;} at offset 112 (8 bytes). */
    public static final long GET_POLICY = LAYOUT.offsetOf("get_policy");

    /** {@code fnptr find_special_page;} at offset 120 (8 bytes). */
    public static final long FIND_SPECIAL_PAGE = LAYOUT.offsetOf("find_special_page");

    private VmOperationsStruct() {
    }
}
