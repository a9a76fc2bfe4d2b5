package org.kfork.script;

/**
 * How a script run ended, and the exit code {@code kfork run} gives for it.
 *
 * @param status  how it ended
 * @param line    the line it ended at (0 when it ran to the end)
 * @param column  the column, for a script error (else 0)
 * @param message what went wrong (null when it ran)
 * @param cause   the exception the kernel threw, for {@link Status#KERNEL_FAILED} and
 *                {@link Status#PANICKED} (else null)
 */
public record RunResult(Status status, int line, int column, String message, Throwable cause) {
    /** How a run ended. */
    public enum Status {
        /** Every line ran and every expectation held (failed calls are results, not errors). */
        RAN(0),
        /** A line's result was not what it expected. */
        EXPECTATION_FAILED(1),
        /** The kernel threw an exception from a call: a bug, never a result. */
        KERNEL_FAILED(1),
        /** The script is wrong: it does not parse, or asks for what cannot be done (a call that never returns...). */
        SCRIPT_ERROR(2),
        /**
         * The kernel panicked (the script made the global init exit: "Attempted to kill init!"),
         * as 5.12 does; the machine is dead, so the run stops. A defined outcome, not a bug.
         */
        PANICKED(3);

        private final int exitCode;

        Status(int exitCode) {
            this.exitCode = exitCode;
        }

        /** The exit code of {@code kfork run}. */
        public int exitCode() {
            return exitCode;
        }
    }

    static final RunResult RAN = new RunResult(Status.RAN, 0, 0, null, null);

    static RunResult scriptError(ScriptError e) {
        return new RunResult(Status.SCRIPT_ERROR, e.line(), e.column(), e.getMessage(), null);
    }

    /** The exit code of {@code kfork run}: 0, 1, 2 or 3. */
    public int exitCode() {
        return status.exitCode();
    }

    /**
     * One line for standard error: {@code FILE:LINE:COLUMN: message} for a script error,
     * {@code FILE:LINE: message} for the others; null when the script ran.
     */
    public String describe(String source) {
        switch (status) {
            case RAN:
                return null;
            case SCRIPT_ERROR:
                return source + ":" + line + ":" + column + ": " + message;
            default:
                return source + ":" + line + ": " + message;
        }
    }
}
