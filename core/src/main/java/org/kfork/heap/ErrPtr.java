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
     * The sentinels of one type: one per errno, made at its first use. A type that needs ERR_PTR
     * declares a subclass implementing {@link Value} and keeps one of these.
     *
     * @param <T> the type whose functions return the sentinels
     */
    public static final class Sentinels<T> {
        private final IntFunction<? extends T> factory;
        private final Object[] byErrno = new Object[Errno.MAX_ERRNO + 1];

        /** Sentinels made by {@code factory} (given the positive errno; its result implements Value). */
        public Sentinels(IntFunction<? extends T> factory) {
            this.factory = factory;
        }

        /** ERR_PTR({@code err}): the sentinel of a negative errno from -1 to -MAX_ERRNO. */
        @SuppressWarnings("unchecked")
        public synchronized T of(long err) {
            if (err >= 0 || err < -Errno.MAX_ERRNO) {
                throw new IllegalArgumentException("not a negative errno: " + err);
            }
            Object p = byErrno[(int) -err];
            if (p == null) {
                p = factory.apply((int) -err);
                if (!(p instanceof Value)) {
                    throw new IllegalStateException("a sentinel must implement ErrPtr.Value: " + p);
                }
                byErrno[(int) -err] = p;
            }
            return (T) p;
        }
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
