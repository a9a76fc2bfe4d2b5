package org.kfork.script;

import java.util.Set;
import org.kfork.script.Param.Kind;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Signals;

/**
 * Reads one value of a script line (no spaces, no list commas), by recursive descent:
 *
 * <pre>
 * value := sum ('|' sum)*
 * sum   := ['-'] atom (('+' | '-') atom)*
 * atom  := NUMBER | NAME | '$' NAME
 * </pre>
 *
 * A NUMBER is decimal or 0x hex, up to 64 bits (written unsigned; {@code -} negates). A NAME is
 * turned into its value for the parameter at hand: in a signal set a SIG* name is its bit, in a
 * capability set a CAP_* name is its bit (and {@code none}, {@code all} are the empty and the full
 * set); elsewhere a name is its uapi value, and must be of a family the parameter accepts.
 */
final class Values {
    private final ScriptParser parser;
    private final Param param;
    private final String text;
    private final int column;
    private int p;

    Values(ScriptParser parser, Param param, String text, int column) {
        this.parser = parser;
        this.param = param;
        this.text = text;
        this.column = column;
    }

    /** The whole text as one value. */
    Expr whole() {
        Expr e = or();
        if (p < text.length()) {
            char c = text.charAt(p);
            throw err(p, c == ',' ? param.name() + " takes one value; only set_tid takes a list"
                : "unexpected '" + c + "' after a value (values join with +, - and |)");
        }
        return e;
    }

    private Expr or() {
        Expr e = sum();
        while (p < text.length() && text.charAt(p) == '|') {
            p++;
            e = new Expr.Bin('|', e, sum(), e.column());
        }
        return e;
    }

    private Expr sum() {
        Expr e;
        if (p < text.length() && text.charAt(p) == '-') {
            int at = p++;
            e = new Expr.Neg(atom(), column + at);
        } else {
            e = atom();
        }
        while (p < text.length() && (text.charAt(p) == '+' || text.charAt(p) == '-')) {
            char op = text.charAt(p++);
            e = new Expr.Bin(op, e, atom(), e.column());
        }
        return e;
    }

    private Expr atom() {
        if (p >= text.length()) {
            throw err(p, "expected a number, a name or a $variable" + (p == 0 ? "" : " after '" + text.charAt(p - 1) + "'"));
        }
        char c = text.charAt(p);
        int start = p;
        if (c >= '0' && c <= '9') {
            return number(start);
        }
        if (c == '$') {
            p++;
            int nameStart = p;
            while (p < text.length() && isNameChar(text.charAt(p))) {
                p++;
            }
            String name = text.substring(nameStart, p);
            if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
                throw err(start, "expected a variable name after '$'");
            }
            if (!parser.isBound(name)) {
                throw err(start, "$" + name + " is not bound on an earlier line");
            }
            return new Expr.Var(name, column + start);
        }
        if (Character.isLetter(c) || c == '_') {
            while (p < text.length() && isNameChar(text.charAt(p))) {
                p++;
            }
            String name = text.substring(start, p);
            return new Expr.Sym(name, nameValue(name, start), column + start);
        }
        throw err(start, "expected a number, a name or a $variable, not '" + c + "'");
    }

    private Expr number(int start) {
        boolean hex = text.startsWith("0x", start) || text.startsWith("0X", start);
        int digitsStart = hex ? start + 2 : start;
        p = digitsStart;
        while (p < text.length() && isNameChar(text.charAt(p))) {
            p++;
        }
        String digits = text.substring(digitsStart, p);
        if (digits.isEmpty()) {
            throw err(start, "'0x' needs hex digits");
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), hex ? 16 : 10) < 0) {
                throw err(digitsStart + i, "'" + text.substring(start, p) + "' is not a "
                    + (hex ? "hex" : "decimal") + " number");
            }
        }
        try {
            return new Expr.Num(Long.parseUnsignedLong(digits, hex ? 16 : 10), column + start);
        } catch (NumberFormatException e) {
            throw err(start, text.substring(start, p) + " does not fit in 64 bits");
        }
    }

    private long nameValue(String name, int at) {
        if (param.kind() == Kind.CAPSET) {
            if (name.equals("none")) {
                return 0;
            }
            if (name.equals("all")) {
                return Capabilities.CAP_FULL_SET;
            }
        }
        Symbols.Symbol sym = Symbols.lookup(name);
        Set<Family> accepted = param.families();
        if (sym == null) {
            throw err(at, "unknown name '" + name + "'" + suggestName(name));
        }
        if (!accepted.contains(sym.family())) {
            if (accepted.isEmpty()) {
                throw err(at, param.name() + " takes numbers and $variables, not names like " + name);
            }
            throw err(at, param.name() + " takes " + patterns(accepted) + " names, not " + name);
        }
        switch (param.kind()) {
            case SIGSET:
                return Signals.sigmask((int) sym.value());
            case CAPSET:
                return Capabilities.capToMask((int) sym.value());
            default:
                return sym.value();
        }
    }

    private static String patterns(Set<Family> families) {
        StringBuilder out = new StringBuilder();
        for (Family f : Family.values()) {
            if (families.contains(f)) {
                (out.length() == 0 ? out : out.append(" or ")).append(f.pattern());
            }
        }
        return out.toString();
    }

    private static String suggestName(String name) {
        String best = null;
        for (String known : Symbols.all().keySet()) {
            if (ScriptParser.close(name, known)) {
                best = known;
            }
        }
        return best == null ? "" : "; did you mean " + best + "?";
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private ScriptError err(int at, String message) {
        return parser.error(column + at, message);
    }
}
