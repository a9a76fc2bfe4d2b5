package org.kfork.script;

/**
 * A mistake in a fork script, found when it is parsed or while it runs: it names the line and the
 * column (both from 1) where the mistake is, so that {@code kfork run} can print
 * {@code FILE:LINE:COLUMN: message} and exit 2.
 */
public final class ScriptError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    /**
     * A script error.
     *
     * @param line    the line, from 1
     * @param column  the column, from 1
     * @param message what is wrong, without the position
     */
    public ScriptError(int line, int column, String message) {
        super(message);
        this.line = line;
        this.column = column;
    }

    /** @return the line, from 1 */
    public int line() {
        return line;
    }

    /** @return the column, from 1 */
    public int column() {
        return column;
    }

    /** {@code NAME:LINE:COLUMN: message}, the form compilers use. */
    public String describe(String source) {
        return source + ":" + line + ":" + column + ": " + getMessage();
    }
}
