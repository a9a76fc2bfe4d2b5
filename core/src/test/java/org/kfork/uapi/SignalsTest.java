package org.kfork.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SignalsTest {
    @Test
    void validSignalIsZeroToNsig() {
        for (int sig = 0; sig <= Signals._NSIG; sig++) {
            assertTrue(Signals.validSignal(sig), "signal " + sig);
        }
        assertFalse(Signals.validSignal(Signals._NSIG + 1));
        assertFalse(Signals.validSignal(255));
        // unsigned long in the kernel: a negative number is huge.
        assertFalse(Signals.validSignal(-1));
        assertFalse(Signals.validSignal(Long.MIN_VALUE));
    }

    @Test
    void everySignalConstantIsNamedByName() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (Field f : Signals.class.getFields()) {
            String name = f.getName();
            if (!name.startsWith("SIG") || name.startsWith("SIG_") || name.equals("SIGIOT") || name.equals("SIGPOLL")) {
                continue; // aliases give way to SIGABRT and SIGIO; SIG_* are handlers and masks
            }
            int sig = f.getInt(null);
            assertEquals(name, Signals.name(sig));
            assertTrue(seen.add(sig), "two names for " + sig);
        }
        for (int sig = 1; sig <= 31; sig++) {
            assertTrue(seen.contains(sig), "signal " + sig + " has no constant");
        }
        assertEquals("SIGABRT", Signals.name(Signals.SIGIOT));
        assertEquals("SIGIO", Signals.name(Signals.SIGPOLL));
    }

    @Test
    void realTimeAndInvalidNames() {
        assertEquals("SIGRTMIN", Signals.name(32));
        assertEquals("SIGRTMIN+3", Signals.name(35));
        assertEquals("SIGRTMIN+31", Signals.name(63));
        assertEquals("SIGRTMAX", Signals.name(64));
        assertEquals("signal 0", Signals.name(0));
        assertEquals("signal 65", Signals.name(65));
        assertEquals("signal -1", Signals.name(-1));
    }

    @Test
    void sigsetSizes() {
        assertEquals(1, Signals._NSIG_WORDS);
        assertEquals(Signals._NSIG, Signals._NSIG_WORDS * Signals._NSIG_BPW);
        assertEquals(1L << 16, Signals.sigmask(Signals.SIGCHLD));
        assertEquals(Long.MIN_VALUE, Signals.sigmask(Signals._NSIG));
        assertThrows(IllegalArgumentException.class, () -> Signals.sigmask(0));
        assertThrows(IllegalArgumentException.class, () -> Signals.sigmask(65));
    }
}
