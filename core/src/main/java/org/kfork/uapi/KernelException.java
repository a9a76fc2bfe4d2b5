package org.kfork.uapi;

/**
 * A kernel call failed with an errno. Thrown by {@link Errno#check(String, long)} for Java callers
 * who prefer an exception to the kernel's negative return value. Unchecked: the call itself
 * never throws it, the caller asks for it.
 */
public final class KernelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String op;
    private final int errno;

    /**
     * An exception for {@code errno} returned by {@code op}.
     *
     * @param op    the failed operation (for example "fork"), or null when unknown
     * @param errno the positive errno, for example {@link Errno#ENOMEM}
     */
    public KernelException(String op, int errno) {
        super(message(op, errno));
        if (errno <= 0 || errno > Errno.MAX_ERRNO) {
            throw new IllegalArgumentException("not an errno: " + errno);
        }
        this.op = op;
        this.errno = errno;
    }

    /** @return the positive errno, for example 12 for ENOMEM */
    public int errno() {
        return errno;
    }

    /** @return the errno's name, for example "ENOMEM" */
    public String name() {
        return Errno.name(errno);
    }

    /** @return the failed operation, or null when the caller did not name it */
    public String op() {
        return op;
    }

    /** @return the value the kernel returned: {@code -errno} */
    public long returnValue() {
        return -errno;
    }

    private static String message(String op, int errno) {
        String text = Errno.name(errno) + " (" + (-errno) + ")";
        return op == null ? text : op + ": " + text;
    }
}
