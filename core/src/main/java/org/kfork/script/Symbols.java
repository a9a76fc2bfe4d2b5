package org.kfork.script;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.kfork.mm.Mman;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/**
 * The symbolic names a script may write, read from the uapi classes themselves (so that each
 * value has one home): CLONE_*, SIG*, SIG_DFL and SIG_IGN, SA_*, MAP_*, PROT_*, MADV_*, W* and
 * __W*, P_*, RLIMIT_* and RLIM_INFINITY, CAP_*. Aliases (SIGIOT, WSTOPPED, SA_NOMASK...) are
 * names too; helper constants that are not values of an argument (CLONE_ARGS_SIZE_VER0,
 * CLONE_LEGACY_FLAGS, MAP_TYPE, MAP_HUGE_SHIFT, CAP_LAST_CAP, CAP_FULL_SET, WCOREFLAG, CLD_*) are not.
 */
public final class Symbols {
    /** One name: its family and its value (a capability's bit number, a signal's number). */
    public record Symbol(String name, Family family, long value) {
    }

    private static final Map<String, Symbol> BY_NAME = build();

    private Symbols() {
    }

    /** The symbol of that name, or null. */
    public static Symbol lookup(String name) {
        return BY_NAME.get(name);
    }

    /** Every name, sorted. */
    public static Map<String, Symbol> all() {
        return Collections.unmodifiableMap(BY_NAME);
    }

    /** The names of a family, sorted. */
    public static List<String> names(Family family) {
        List<String> names = new ArrayList<>();
        for (Symbol s : BY_NAME.values()) {
            if (s.family() == family) {
                names.add(s.name());
            }
        }
        return names;
    }

    private static Map<String, Symbol> build() {
        Map<String, Symbol> map = new TreeMap<>();
        for (Field f : CloneFlags.class.getFields()) {
            String n = f.getName();
            if (n.startsWith("CLONE_") && !n.startsWith("CLONE_ARGS_SIZE") && !n.equals("CLONE_LEGACY_FLAGS")) {
                put(map, f, Family.CLONE);
            }
        }
        for (Field f : Signals.class.getFields()) {
            String n = f.getName();
            if (n.equals("SIG_DFL") || n.equals("SIG_IGN")) {
                put(map, f, Family.HANDLER);
            } else if (n.startsWith("SIG") && Character.isUpperCase(n.charAt(3))) {
                put(map, f, Family.SIGNAL);
            } else if (n.startsWith("SA_")) {
                put(map, f, Family.SA);
            }
        }
        for (Field f : Mman.class.getFields()) {
            String n = f.getName();
            if (n.startsWith("MAP_") && !n.equals("MAP_TYPE") && !n.equals("MAP_HUGE_SHIFT") && !n.equals("LEGACY_MAP_MASK")) {
                put(map, f, Family.MAP);
            } else if (n.startsWith("PROT_")) {
                put(map, f, Family.PROT);
            } else if (n.startsWith("MADV_")) {
                put(map, f, Family.MADV);
            }
        }
        for (Field f : Wait.class.getFields()) {
            String n = f.getName();
            if ((n.startsWith("W") || n.startsWith("__W")) && !n.equals("WCOREFLAG")) {
                put(map, f, Family.WAIT);
            } else if (n.startsWith("P_")) {
                put(map, f, Family.IDTYPE);
            }
        }
        for (Field f : Resource.class.getFields()) {
            String n = f.getName();
            if (n.startsWith("RLIMIT_")) {
                put(map, f, Family.RLIMIT);
            } else if (n.equals("RLIM_INFINITY")) {
                put(map, f, Family.RLIM);
            }
        }
        for (Field f : Capabilities.class.getFields()) {
            String n = f.getName();
            // the capabilities are the int constants (bit numbers); CAP_LAST_CAP names the last
            // of them again, and the long constants are sets, not capabilities
            if (n.startsWith("CAP_") && f.getType() == int.class && !n.equals("CAP_LAST_CAP")) {
                put(map, f, Family.CAP);
            }
        }
        return map;
    }

    private static void put(Map<String, Symbol> map, Field f, Family family) {
        int m = f.getModifiers();
        if (!Modifier.isStatic(m) || !Modifier.isFinal(m)) {
            return;
        }
        long value;
        try {
            if (f.getType() == int.class) {
                int v = f.getInt(null);
                // An unsigned C int (__WCLONE, SA_RESETHAND as int) keeps its 32 bits, not a sign.
                value = family == Family.WAIT || family == Family.MAP || family == Family.PROT
                    ? Integer.toUnsignedLong(v) : v;
            } else if (f.getType() == long.class) {
                value = f.getLong(null);
            } else {
                return;
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        Symbol before = map.put(f.getName(), new Symbol(f.getName(), family, value));
        if (before != null) {
            throw new IllegalStateException("two homes for " + f.getName());
        }
    }
}
