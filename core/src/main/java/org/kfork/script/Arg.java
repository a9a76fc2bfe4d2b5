package org.kfork.script;

import java.util.List;

/**
 * One argument as a line gives it.
 *
 * @param param  the parameter it fills
 * @param column where its value starts, from 1
 * @param exprs  its value: one expression, or the elements of a list ({@link Param.Kind#LIST})
 * @param bytes  its bytes ({@link Param.Kind#BYTES}), else null
 * @param word   its text ({@link Param.Kind#WORD}), else null
 */
public record Arg(Param param, int column, List<Expr> exprs, byte[] bytes, String word) {
    /** A copy of the list. */
    public Arg {
        exprs = exprs == null ? List.of() : List.copyOf(exprs);
    }

    /** The one expression of a value that is not a list. */
    public Expr expr() {
        return exprs.get(0);
    }
}
