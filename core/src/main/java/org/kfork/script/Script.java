package org.kfork.script;

import java.util.List;

/**
 * A parsed fork script: the lines that do something, in order (comments and blank lines are
 * gone; each line keeps its number).
 *
 * @param source the script's name for messages (a file name, or "-" for standard input)
 * @param lines  its lines
 */
public record Script(String source, List<ScriptLine> lines) {
    /** A copy of the lines. */
    public Script {
        lines = List.copyOf(lines);
    }
}
