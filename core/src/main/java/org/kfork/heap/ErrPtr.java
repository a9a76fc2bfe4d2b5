package org.kfork.heap;

/**
 * The kernel's ERR_PTR convention (include/linux/err.h) for the heap twins. A kernel function that
 * returns a pointer returns its error in the same value: the pointer, or an errno encoded as an
 * address in the last page, which no object occupies. The heap twin of such a function returns
 * its object, or a sentinel of the same type that stands for ERR_PTR(-errno): the sentinel
 * implements {@link Value}, which no live object does, so {@link #isErr} is a type test (IS_ERR)
 * and {@link #ptrErr} reads the errno back (PTR_ERR). Each type that needs it keeps one sentinel
 * per errno (for example {@code HeapMmStruct.errPtr}).
 *
 * <pre>{@code
 * HeapMmStruct child = HeapForkMm.dupMm(sys, mm, null, mode);
 * if (ErrPtr.isErr(child)) {
 *     return ErrPtr.ptrErr(child);          // -ENOMEM, -EINTR
 * }
 * }</pre>
 */
public final class ErrPtr {
    private ErrPtr() {
    }

    /** Implemented by the sentinels that stand for ERR_PTR(-errno), and by nothing else. */
    public interface Value {
        /** The errno this sentinel carries (positive). */
        int errno();
    }

    /** IS_ERR: whether {@code p} is an error sentinel rather than an object (null is not an error). */
    public static boolean isErr(Object p) {
        return p instanceof Value;
    }

    /**
     * PTR_ERR: the negative errno an error sentinel carries.
     *
     * @throws ClassCastException if {@code p} is not an error sentinel (check with {@link #isErr})
     */
    public static int ptrErr(Object p) {
        return -((Value) p).errno();
    }
}
