package org.kfork.script;

/**
 * A value of a script, as parsed: a number, a symbolic name (already turned into its value for
 * the argument it stands in), a variable, and the operators {@code -x}, {@code a+b}, {@code a-b}
 * and {@code a|b}. Arithmetic is on 64-bit two's-complement words, as a C unsigned long.
 */
public sealed interface Expr permits Expr.Num, Expr.Sym, Expr.Var, Expr.Neg, Expr.Bin {
    /** The column of the expression's first character, from 1. */
    int column();

    /** A decimal or 0x number. */
    record Num(long value, int column) implements Expr {
    }

    /** A symbolic name with the value it has in its argument (a capability's bit, a signal's mask...). */
    record Sym(String name, long value, int column) implements Expr {
    }

    /** {@code $name}. */
    record Var(String name, int column) implements Expr {
    }

    /** {@code -operand}. */
    record Neg(Expr operand, int column) implements Expr {
    }

    /** {@code left op right}, op one of {@code + - |}. */
    record Bin(char op, Expr left, Expr right, int column) implements Expr {
    }

    /** The variable this expression is, alone ({@code $c}), or null. */
    default Var aloneVar() {
        return this instanceof Var v ? v : null;
    }
}
