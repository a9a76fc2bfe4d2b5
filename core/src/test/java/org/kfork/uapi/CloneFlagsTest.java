package org.kfork.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.uapi.CloneFlags.*;
import static org.kfork.uapi.Signals.SIGCHLD;
import static org.kfork.uapi.Signals.SIGKILL;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CloneFlagsTest {
    @Test
    void describeNamesFlagsThenTheExitSignal() {
        assertEquals("CLONE_VM|CLONE_FS|SIGCHLD", describe(CLONE_VM | CLONE_FS | SIGCHLD));
        assertEquals("SIGCHLD", describe(SIGCHLD));
        assertEquals("CLONE_VM|CLONE_VFORK|SIGCHLD", describe(CLONE_VFORK | CLONE_VM | SIGCHLD));
        assertEquals("CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM"
                + "|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID",
            describe(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM
                | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID));
        assertEquals("CLONE_IO|CLONE_CLEAR_SIGHAND|CLONE_INTO_CGROUP",
            describe(CLONE_IO | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP));
        assertEquals("SIGRTMAX", describe(64));
        assertEquals("0", describe(0));
    }

    @Test
    void describeShowsBitsWithoutANameAsHex() {
        // Above CLONE_INTO_CGROUP nothing is named in 5.12.
        assertEquals("CLONE_VM|SIGKILL|0x400000000", describe(CLONE_VM | SIGKILL | (1L << 34)));
        assertEquals("0x8000000000000000", describe(Long.MIN_VALUE));
        // A low byte above _NSIG is no signal: CLONE_NEWTIME's 0x80, or 65.
        assertEquals("0x80", describe(CLONE_NEWTIME));
        assertEquals("CLONE_FS|0x41", describe(CLONE_FS | 65));
    }

    @Test
    void everyFlagDescribesAsItsOwnName() throws Exception {
        for (Field f : CloneFlags.class.getFields()) {
            String name = f.getName();
            if (!name.startsWith("CLONE_") || name.equals("CLONE_LEGACY_FLAGS") || name.equals("CLONE_NEWTIME")
                || name.startsWith("CLONE_ARGS_SIZE")) {
                continue;
            }
            assertEquals(long.class, f.getType(), name + " must be a long (no sign extension)");
            long flag = f.getLong(null);
            assertEquals(1, Long.bitCount(flag), name + " is one bit");
            assertEquals(name, describe(flag));
        }
    }

    @Test
    void flagsDoNotSignExtend() {
        assertEquals(0x80000000L, CLONE_IO);
        assertEquals(0L, CLONE_LEGACY_FLAGS & (CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP));
        long word = CLONE_IO | CLONE_INTO_CGROUP;
        assertEquals(0L, word & ~(CLONE_LEGACY_FLAGS | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP));
        assertTrue(CLONE_ARGS_SIZE_VER0 < CLONE_ARGS_SIZE_VER1 && CLONE_ARGS_SIZE_VER1 < CLONE_ARGS_SIZE_VER2);
    }

    @Test
    void exitSignalIsTheLowByte() {
        assertEquals(SIGCHLD, exitSignal(CLONE_VM | SIGCHLD));
        assertEquals(0, exitSignal(CLONE_VM | CLONE_INTO_CGROUP));
        assertEquals(0xff, exitSignal(-1L));
    }

    /** describe() loses nothing: parsing its text back gives the same word, for random words. */
    @Test
    void describeRoundTripsRandomWords() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            long flags = random.nextLong();
            switch (i % 4) {
                case 0 -> flags &= CLONE_LEGACY_FLAGS;              // what legacy clone sees
                case 1 -> flags &= CLONE_LEGACY_FLAGS | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP;
                case 2 -> flags = (flags & ~CSIGNAL) | random.nextInt(66); // signals 0..65
                default -> { }
            }
            String text = describe(flags);
            assertEquals(flags, parse(text), "seed " + seed + ": " + Long.toHexString(flags) + " -> " + text);
        }
    }

    /** The inverse of describe(), written independently from the field names and Signals. */
    private static long parse(String text) throws Exception {
        if (text.equals("0")) {
            return 0;
        }
        long flags = 0;
        for (String part : text.split("\\|")) {
            if (part.startsWith("0x")) {
                flags |= Long.parseUnsignedLong(part.substring(2), 16);
            } else if (part.startsWith("CLONE_")) {
                Field f = CloneFlags.class.getField(part);
                assertTrue(Modifier.isStatic(f.getModifiers()));
                flags |= f.getLong(null);
            } else if (part.startsWith("SIGRTMIN+")) {
                flags |= Signals.SIGRTMIN + Integer.parseInt(part.substring("SIGRTMIN+".length()));
            } else {
                flags |= Signals.class.getField(part).getInt(null);
            }
        }
        return flags;
    }
}
