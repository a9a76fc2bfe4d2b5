package org.kfork.script;

import java.util.EnumSet;
import java.util.Set;

/**
 * One argument of a call or a script command: its name (the key of {@code key=value}), how its
 * value is read, the families of names it accepts, and what it is when the line leaves it out.
 *
 * @param name     the key
 * @param kind     how the value is read
 * @param families the names it accepts (a number is always accepted)
 * @param absent   what an absent argument is
 * @param dflt     the value of an absent argument when {@code absent} is {@link Absent#DEFAULT}
 */
public record Param(String name, Kind kind, Set<Family> families, Absent absent, long dflt) {
    /** How a value is read. */
    public enum Kind {
        /** A 64-bit value. */
        INT,
        /** A pid: a task variable alone is that task's pid in the caller's namespace. */
        PID,
        /** A signal set: SIG* names are their bits (sigmask). */
        SIGSET,
        /** A capability set: CAP_* names are their bits; {@code none} and {@code all}. */
        CAPSET,
        /** A comma list of 32-bit values (clone3's set_tid). */
        LIST,
        /** Bytes in hex, in the order written (clone3's tail). */
        BYTES,
        /** A bare word: an image name, a sysctl name, a /proc path. */
        WORD,
    }

    /** What an absent argument is. */
    public enum Absent {
        /** The line must give it. */
        REQUIRED,
        /** {@link Param#dflt}. */
        DEFAULT,
        /** Worked out by the call from the other arguments (documented with the call). */
        COMPUTED,
    }

    /** A copy of the families, so that the record holds its own. */
    public Param {
        families = families.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(families));
    }

    static Param required(String name, Kind kind, Family... families) {
        return new Param(name, kind, set(families), Absent.REQUIRED, 0);
    }

    static Param dflt(String name, Kind kind, long value, Family... families) {
        return new Param(name, kind, set(families), Absent.DEFAULT, value);
    }

    static Param computed(String name, Kind kind, Family... families) {
        return new Param(name, kind, set(families), Absent.COMPUTED, 0);
    }

    private static Set<Family> set(Family... families) {
        return families.length == 0 ? Set.of() : EnumSet.of(families[0], families);
    }
}
