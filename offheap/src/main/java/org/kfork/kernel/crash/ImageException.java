package org.kfork.kernel.crash;

/**
 * A machine image that cannot be read as asked: not an image, truncated, of another layout
 * version, or an address or list in it that leads outside it or nowhere. The message names the
 * file and, where there is one, the address. An IllegalStateException, so the command line reports
 * it in one line and exits 1.
 */
public final class ImageException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public ImageException(String message) {
        super(message);
    }

    /** An error caused by {@code cause} (an I/O error reading the file). */
    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
