package org.kfork.heap;

import java.util.function.IntFunction;

import org.kfork.uapi.Errno;

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

    /**
     * The sentinels of one type, one per errno, made at first use by {@code make} (given the
     * positive errno): what a type's {@code errPtr(err)} returns.
     *
     * @param <T> the type whose functions return ERR_PTRs
     */
    public static final class Sentinels<T> {
        private final IntFunction<T> make;
        private final Object[] byErrno = new Object[Errno.MAX_ERRNO + 1];

        /** Sentinels made by {@code make}, which must return an object implementing {@link Value}. */
        public Sentinels(IntFunction<T> make) {
            this.make = make;
        }

        /**
         * ERR_PTR(err) for this type.
         *
         * @throws IllegalArgumentException unless {@code err} is a negative errno (-1 to -MAX_ERRNO)
         */
        @SuppressWarnings("unchecked")
        public synchronized T of(int err) {
            if (err >= 0 || err < -Errno.MAX_ERRNO) {
                throw new IllegalArgumentException("not a negative errno: " + err);
            }
            Object p = byErrno[-err];
            if (p == null) {
                p = make.apply(-err);
                if (!(p instanceof Value)) {
                    throw new IllegalStateException("an ERR_PTR sentinel must implement ErrPtr.Value: " + p);
                }
                byErrno[-err] = p;
            }
            return (T) p;
        }
    }
}
