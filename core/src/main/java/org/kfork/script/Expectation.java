package org.kfork.script;

/**
 * What a line expects of its call's result ({@code => ...}); the run fails (exit 1) when the
 * result differs.
 *
 * @param type   the form
 * @param value  the expected value ({@link Type#VALUE}), else null
 * @param errno  the expected errno, positive ({@link Type#ERRNO}), else 0
 * @param text   the expectation as written, for messages
 * @param column where it starts, from 1
 */
public record Expectation(Type type, Expr value, int errno, String text, int column) {
    /** The forms of an expectation. */
    public enum Type {
        /** {@code => ?}: the call does not return (exit, exit_group, a task killed in a call). */
        NO_RETURN,
        /** {@code => >0}: a result above zero. */
        POSITIVE,
        /** {@code => -EINVAL}: that error. */
        ERRNO,
        /** {@code => 43}, {@code => $c}: that value. */
        VALUE,
    }
}
