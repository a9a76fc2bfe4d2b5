package org.kfork.mm;

/**
 * A snapshot of one VMA for tests and views: {@code [start, end)}, vm_flags, vm_pgoff, the file's
 * path (null for anonymous memory) and whether it has an anon_vma.
 */
public record VmaInfo(long start, long end, long flags, long pgoff, String file, boolean hasAnonVma) {
    /** vma_pages. */
    public long pages() {
        return (end - start) >>> Mman.PAGE_SHIFT;
    }

    @Override
    public String toString() {
        return String.format("%x-%x %s pgoff=%d%s%s", start, end, VmFlags.describe(flags), pgoff,
            file == null ? "" : " " + file, hasAnonVma ? " anon_vma" : "");
    }
}
