package org.kfork.script;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a script that does something: {@code [$name =] call arg... [=> expectation]}.
 *
 * @param number     its line number, from 1
 * @param text       the line as written
 * @param spec       the call or script command it makes
 * @param column     where the call's name starts
 * @param bind       the variable it binds, without the {@code $}, or null
 * @param bindColumn where the variable starts, or 0
 * @param args       the arguments it gives, by parameter name, in the order written
 * @param expect     its expectation, or null
 */
public record ScriptLine(int number, String text, CallSpec spec, int column, String bind, int bindColumn,
                         Map<String, Arg> args, Expectation expect) {
    /** An unmodifiable copy of the arguments that keeps their order. */
    public ScriptLine {
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }

    /** The argument called {@code name}, or null when the line leaves it out. */
    public Arg arg(String name) {
        return args.get(name);
    }

    /** A script error at this line's call. */
    ScriptError error(String message) {
        return new ScriptError(number, column, message);
    }
}
