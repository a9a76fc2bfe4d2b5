package org.kfork.script;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kfork.script.Param.Kind;
import org.kfork.uapi.Errno;

/**
 * Reads a fork script: one call a line, {@code [$name =] call arg... [=> expectation]}, with
 * {@code #} comments. The whole script is read before anything runs, so that a mistake anywhere
 * is a {@link ScriptError} naming its line and column before the first call; names are turned into
 * their values here, and every variable must be bound on an earlier line.
 *
 * <p>Values (see docs/scripts.md): decimal or {@code 0x} numbers up to 64 bits, with a leading
 * {@code -}; symbolic names of the families the argument accepts; {@code $variables}; joined by
 * {@code +}, {@code -} and {@code |}; and comma lists for set_tid.
 */
public final class ScriptParser {
    /** The variables every script has: {@code $scratch}, the runner's scratch area. */
    public static final Map<String, Long> PREDEFINED = Map.of("scratch", Scratch.BASE);

    /** The sysctls the model has. */
    public static final List<String> SYSCTLS = List.of("kernel.pid_max", "kernel.threads-max",
        "vm.max_map_count", "vm.overcommit_memory", "vm.overcommit_ratio");

    /** The /proc/PID files {@code cat} shows. */
    public static final List<String> PROC_FILES = List.of("maps", "status");

    /** The files of /proc itself that {@code cat} shows. */
    public static final List<String> PROC_GLOBAL_FILES = List.of("meminfo", "slabinfo");

    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SYSCTL_NAME = Pattern.compile("[a-z0-9_.-]+");
    private static final Param CAT_PID = Param.required("pid", Kind.INT);
    private static final Param SYSCTL_VALUE = Param.computed("value", Kind.INT);

    private final String source;
    private final Set<String> bound = new HashSet<>(PREDEFINED.keySet());
    private int lineNo;

    private ScriptParser(String source) {
        this.source = source;
    }

    /**
     * Parses a whole script.
     *
     * @param source the script's name for messages
     * @param text   the script
     * @return its lines
     * @throws ScriptError at the first mistake
     */
    public static Script parse(String source, String text) {
        ScriptParser p = new ScriptParser(source);
        List<ScriptLine> lines = new ArrayList<>();
        String[] raw = text.split("\r?\n", -1);
        for (int i = 0; i < raw.length; i++) {
            p.lineNo = i + 1;
            ScriptLine line = p.line(raw[i]);
            if (line != null) {
                lines.add(line);
            }
        }
        return new Script(source, lines);
    }

    // ---------------------------------------------------------------------------------------------
    // A line
    // ---------------------------------------------------------------------------------------------

    private ScriptLine line(String raw) {
        int hash = raw.indexOf('#');
        String content = hash >= 0 ? raw.substring(0, hash) : raw;
        if (content.isBlank()) {
            return null;
        }
        int arrow = content.indexOf("=>");
        String stmt = arrow >= 0 ? content.substring(0, arrow) : content;
        int p = skipSpace(stmt, 0);
        String bind = null;
        int bindColumn = 0;
        if (p < stmt.length() && stmt.charAt(p) == '$') {
            bindColumn = p + 1;
            Matcher m = IDENT.matcher(stmt).region(p + 1, stmt.length());
            if (!m.lookingAt()) {
                throw error(p + 2, "expected a variable name after '$' (letters, digits and _)");
            }
            bind = m.group();
            p = skipSpace(stmt, m.end());
            if (p >= stmt.length() || stmt.charAt(p) != '=') {
                throw error(p + 1, "expected '=' after $" + bind + " (a line is [$name =] call arg...)");
            }
            p = skipSpace(stmt, p + 1);
            if (p >= stmt.length()) {
                throw error(p + 1, "expected a call after '$" + bind + " ='");
            }
        }
        List<Word> words = words(stmt, p);
        if (words.isEmpty()) {
            throw error(arrow + 1, "expected a call before '=>'");
        }
        Word first = words.get(0);
        CallSpec spec = CallSpec.lookup(first.text);
        if (spec == null) {
            throw error(first.column, "unknown call '" + first.text + "'" + suggest(first.text));
        }
        if (bind != null && spec.name().equals("as")) {
            throw error(bindColumn, "'as' binds no variable");
        }
        Map<String, Arg> args = switch (spec.name()) {
            case "sysctl" -> sysctlArgs(spec, words);
            case "cat" -> catArgs(spec, words);
            default -> args(spec, words);
        };
        Expectation expect = null;
        if (arrow >= 0) {
            if (spec.name().equals("as")) {
                throw error(arrow + 1, "'as' makes no call, so it has no result to expect");
            }
            expect = expectation(content, arrow + 2);
        }
        if (bind != null) {
            bound.add(bind);
        }
        return new ScriptLine(lineNo, raw, spec, first.column, bind, bindColumn, args, expect);
    }

    /** A word of a line and the column it starts at. */
    private record Word(String text, int column) {
    }

    private static List<Word> words(String s, int from) {
        List<Word> words = new ArrayList<>();
        int p = skipSpace(s, from);
        while (p < s.length()) {
            int end = p;
            while (end < s.length() && !Character.isWhitespace(s.charAt(end))) {
                end++;
            }
            words.add(new Word(s.substring(p, end), p + 1));
            p = skipSpace(s, end);
        }
        return words;
    }

    private static int skipSpace(String s, int p) {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
        return p;
    }

    // ---------------------------------------------------------------------------------------------
    // Arguments
    // ---------------------------------------------------------------------------------------------

    private Map<String, Arg> args(CallSpec spec, List<Word> words) {
        Map<String, Arg> args = new LinkedHashMap<>();
        int positional = 0;
        Word firstKeyword = null;
        for (Word w : words.subList(1, words.size())) {
            int eq = w.text.indexOf('=');
            Param param;
            String value;
            int column;
            if (eq > 0 && IDENT.matcher(w.text.substring(0, eq)).matches()) {
                String key = w.text.substring(0, eq);
                param = spec.param(key);
                if (param == null) {
                    throw error(w.column, spec.params().isEmpty()
                        ? spec.name() + " takes no arguments"
                        : "unknown argument '" + key + "' of " + spec.name() + "; it takes " + spec.paramNames());
                }
                value = w.text.substring(eq + 1);
                column = w.column + eq + 1;
                if (value.isEmpty()) {
                    throw error(column, "missing value after '" + key + "='");
                }
                if (firstKeyword == null) {
                    firstKeyword = w;
                }
            } else {
                if (firstKeyword != null) {
                    throw error(w.column, "a positional argument after " + firstKeyword.text
                        + ": give positional arguments first, or name this one (key=value)");
                }
                if (positional >= spec.params().size()) {
                    throw error(w.column, spec.params().isEmpty()
                        ? spec.name() + " takes no arguments"
                        : "too many arguments: " + spec.name() + " takes " + spec.params().size()
                            + " (" + spec.paramNames() + ")");
                }
                param = spec.params().get(positional++);
                value = w.text;
                column = w.column;
            }
            if (args.containsKey(param.name())) {
                throw error(w.column, param.name() + " is given twice");
            }
            args.put(param.name(), value(param, value, column));
        }
        for (Param p : spec.params()) {
            if (p.absent() == Param.Absent.REQUIRED && !args.containsKey(p.name())) {
                throw error(words.get(0).column, "missing argument '" + p.name() + "' of " + spec.name()
                    + " (" + spec.name() + " " + spec.paramNames() + ")");
            }
        }
        if (spec.name().equals("execve")) {
            Arg image = args.get("image");
            if (ScriptImages.image(image.word()) == null) {
                throw error(image.column(), "unknown image '" + image.word() + "'; the images are "
                    + String.join(", ", ScriptImages.names()));
            }
        }
        return args;
    }

    private Map<String, Arg> sysctlArgs(CallSpec spec, List<Word> words) {
        if (words.size() != 2) {
            throw error(words.get(0).column, "sysctl takes one argument: NAME or NAME=VALUE");
        }
        Word w = words.get(1);
        int eq = w.text.indexOf('=');
        String name = eq >= 0 ? w.text.substring(0, eq) : w.text;
        if (!SYSCTL_NAME.matcher(name).matches() || !SYSCTLS.contains(name)) {
            throw error(w.column, "unknown sysctl '" + name + "'; the model has " + String.join(", ", SYSCTLS));
        }
        Map<String, Arg> args = new LinkedHashMap<>();
        args.put("name", new Arg(spec.param("name"), w.column, null, null, name));
        if (eq >= 0) {
            if (eq + 1 == w.text.length()) {
                throw error(w.column + eq + 1, "missing value after '" + name + "='");
            }
            args.put("value", value(SYSCTL_VALUE, w.text.substring(eq + 1), w.column + eq + 1));
        }
        return args;
    }

    private Map<String, Arg> catArgs(CallSpec spec, List<Word> words) {
        if (words.size() != 2 && words.size() != 3) {
            throw error(words.get(0).column, "cat takes one file: /proc/PID/status [FIELD], /proc/PID/maps,"
                + " /proc/meminfo or /proc/slabinfo");
        }
        Word w = words.get(1);
        String path = w.text;
        if (path.startsWith("/proc/") && PROC_GLOBAL_FILES.contains(path.substring(6))) {
            if (words.size() == 3) {
                throw error(words.get(2).column, "only /proc/PID/status takes a FIELD, a name such as ShdPnd or Threads");
            }
            Map<String, Arg> args = new LinkedHashMap<>();
            args.put("path", new Arg(spec.param("path"), w.column, null, null, path));
            args.put("file", new Arg(spec.param("path"), w.column + 6, null, null, path.substring(6)));
            return args;
        }
        int slash = path.startsWith("/proc/") ? path.indexOf('/', 6) : -1;
        if (slash < 0) {
            throw error(w.column, "cat shows /proc/PID/FILE, FILE one of " + String.join(", ", PROC_FILES)
                + ", or /proc/" + String.join(", /proc/", PROC_GLOBAL_FILES) + ", not '" + path + "'");
        }
        String pid = path.substring(6, slash);
        String file = path.substring(slash + 1);
        if (!PROC_FILES.contains(file)) {
            throw error(w.column + slash + 1, "cat shows /proc/PID/FILE, FILE one of "
                + String.join(", ", PROC_FILES) + ", not '" + file + "'");
        }
        Map<String, Arg> args = new LinkedHashMap<>();
        args.put("path", new Arg(spec.param("path"), w.column, null, null, path));
        args.put("file", new Arg(spec.param("path"), w.column + slash + 1, null, null, file));
        if (words.size() == 3) {
            Word f = words.get(2);
            if (!file.equals("status") || !f.text.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw error(f.column, "only /proc/PID/status takes a FIELD, a name such as ShdPnd or Threads");
            }
            args.put("field", new Arg(spec.param("field"), f.column, null, null, f.text));
        }
        if (pid.equals("self")) {
            args.put("pid", new Arg(CAT_PID, w.column + 6, null, null, "self"));
        } else {
            if (pid.isEmpty()) {
                throw error(w.column + 6, "expected a pid, a $variable or self after /proc/");
            }
            args.put("pid", value(CAT_PID, pid, w.column + 6));
        }
        return args;
    }

    /** The value of one argument, read as its parameter says. */
    private Arg value(Param param, String text, int column) {
        switch (param.kind()) {
            case WORD:
                return new Arg(param, column, null, null, text);
            case BYTES:
                return new Arg(param, column, null, hexBytes(text, column), null);
            case LIST: {
                List<Expr> list = new ArrayList<>();
                int start = 0;
                for (int comma = text.indexOf(',', start); ; comma = text.indexOf(',', start)) {
                    int end = comma < 0 ? text.length() : comma;
                    if (end == start) {
                        throw error(column + start, "empty element in the list of " + param.name());
                    }
                    list.add(new Values(this, param, text.substring(start, end), column + start).whole());
                    if (comma < 0) {
                        break;
                    }
                    start = comma + 1;
                }
                if (list.size() > Scratch.SET_TID_MAX) {
                    throw error(column, param.name() + " holds at most " + Scratch.SET_TID_MAX + " pids");
                }
                return new Arg(param, column, list, null, null);
            }
            default: {
                int comma = text.indexOf(',');
                if (comma >= 0) {
                    throw error(column + comma, param.name() + " takes one value; only set_tid takes a list");
                }
                return new Arg(param, column, List.of(new Values(this, param, text, column).whole()), null, null);
            }
        }
    }

    private byte[] hexBytes(String text, int column) {
        int p = text.startsWith("0x") || text.startsWith("0X") ? 2 : 0;
        int digits = text.length() - p;
        if (digits == 0) {
            throw error(column, "expected hex bytes, such as 00ff or 0x00ff");
        }
        for (int i = p; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                throw error(column + i, "'" + text.charAt(i) + "' is not a hex digit");
            }
        }
        if (digits % 2 != 0) {
            throw error(column, "hex bytes take an even number of digits, not " + digits);
        }
        if (digits / 2 > Scratch.TAIL_MAX) {
            throw error(column, "at most " + Scratch.TAIL_MAX + " bytes fit after the struct in the scratch area");
        }
        byte[] bytes = new byte[digits / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(text.substring(p + 2 * i, p + 2 * i + 2), 16);
        }
        return bytes;
    }

    // ---------------------------------------------------------------------------------------------
    // Expectations
    // ---------------------------------------------------------------------------------------------

    private Expectation expectation(String content, int from) {
        int p = skipSpace(content, from);
        String text = content.substring(p).strip();
        int column = p + 1;
        if (text.isEmpty()) {
            throw error(from, "expected a result after '=>': -ENAME, a value, >0 or ?");
        }
        if (text.indexOf(' ') >= 0 || text.indexOf('\t') >= 0) {
            throw error(column + text.indexOf(text.indexOf(' ') >= 0 ? ' ' : '\t'),
                "an expectation is one word: -ENAME, a value, >0 or ?");
        }
        if (text.equals("?")) {
            return new Expectation(Expectation.Type.NO_RETURN, null, 0, text, column);
        }
        if (text.equals(">0")) {
            return new Expectation(Expectation.Type.POSITIVE, null, 0, text, column);
        }
        if (text.startsWith(">")) {
            throw error(column, "the only comparison is >0");
        }
        if (text.startsWith("-E")) {
            int errno = Errno.number(text.substring(1));
            if (errno == 0) {
                throw error(column + 1, "unknown errno '" + text.substring(1) + "'");
            }
            return new Expectation(Expectation.Type.ERRNO, null, errno, text, column);
        }
        Expr value = new Values(this, Param.required("=>", Kind.INT), text, column).whole();
        if (value instanceof Expr.Neg n && n.operand() instanceof Expr.Num num
            && num.value() >= 1 && num.value() <= Errno.MAX_ERRNO) {
            throw error(column, "=> " + text + " reads as -" + Errno.name((int) num.value())
                + "; write the errno's name: => -" + Errno.name((int) num.value()));
        }
        return new Expectation(Expectation.Type.VALUE, value, 0, text, column);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers for Values
    // ---------------------------------------------------------------------------------------------

    /** A script error at this line. */
    ScriptError error(int column, String message) {
        return new ScriptError(lineNo, column, message);
    }

    /** Whether {@code $name} is bound by an earlier line (or predefined). */
    boolean isBound(String name) {
        return bound.contains(name);
    }

    /** ", did you mean X?" when a known call or name is one edit or a transposition away. */
    static String suggest(String word) {
        String best = null;
        for (String known : CallSpec.all().keySet()) {
            if (close(word, known)) {
                best = known;
            }
        }
        return best == null ? "" : "; did you mean " + best + "?";
    }

    /** Within one insertion, deletion, substitution or swap of two neighbours. */
    static boolean close(String a, String b) {
        if (a.equals(b) || Math.abs(a.length() - b.length()) > 1) {
            return false;
        }
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        if (a.length() == b.length()) {
            if (a.substring(i + 1).equals(b.substring(i + 1))) {
                return true;
            }
            return i + 1 < a.length() && a.charAt(i) == b.charAt(i + 1) && a.charAt(i + 1) == b.charAt(i)
                && a.substring(i + 2).equals(b.substring(i + 2));
        }
        return a.length() > b.length() ? a.substring(i + 1).equals(b.substring(i))
            : a.substring(i).equals(b.substring(i + 1));
    }
}
