package org.kfork.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void isErrorIsExactlyMinus4095ToMinus1() {
        assertFalse(Errno.isError(0));
        assertFalse(Errno.isError(1));
        assertFalse(Errno.isError(Long.MAX_VALUE));
        assertTrue(Errno.isError(-1));
        assertTrue(Errno.isError(-Errno.ENOMEM));
        assertTrue(Errno.isError(-4095));
        assertFalse(Errno.isError(-4096));
        assertFalse(Errno.isError(Long.MIN_VALUE));
        // Modeled kernel addresses are negative longs and must not read as errors.
        assertFalse(Errno.isError(0xffff_8880_0000_0000L));
        assertFalse(Errno.isError(0xffff_ffff_ffff_e000L)); // the page just below the error range
        assertTrue(Errno.isError(0xffff_ffff_ffff_f001L));  // -4095
    }

    @Test
    void checkPassesResultsThrough() {
        assertEquals(0, Errno.check(0));
        assertEquals(4242, Errno.check("fork", 4242));
        assertEquals(-4096, Errno.check(-4096));
        assertEquals(0xffff_8880_0000_1000L, Errno.check("kmalloc", 0xffff_8880_0000_1000L));
    }

    @Test
    void checkThrowsWithErrnoNameAndMessage() {
        KernelException e = assertThrows(KernelException.class, () -> Errno.check("fork", -Errno.ENOMEM));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals("ENOMEM", e.name());
        assertEquals("fork", e.op());
        assertEquals(-12, e.returnValue());
        assertEquals("fork: ENOMEM (-12)", e.getMessage());

        KernelException bare = assertThrows(KernelException.class, () -> Errno.check(-Errno.EINVAL));
        assertNull(bare.op());
        assertEquals("EINVAL (-22)", bare.getMessage());

        KernelException edge = assertThrows(KernelException.class, () -> Errno.check("x", -4095));
        assertEquals(4095, edge.errno());
        assertEquals("x: errno 4095 (-4095)", edge.getMessage());

        KernelException restart = assertThrows(KernelException.class,
            () -> Errno.check("clone", -Errno.ERESTARTNOINTR));
        assertEquals("clone: ERESTARTNOINTR (-513)", restart.getMessage());
        assertTrue(RuntimeException.class.isInstance(restart), "unchecked");
    }

    @Test
    void kernelExceptionRejectsNonErrno() {
        assertThrows(IllegalArgumentException.class, () -> new KernelException("x", 0));
        assertThrows(IllegalArgumentException.class, () -> new KernelException("x", -12));
        assertThrows(IllegalArgumentException.class, () -> new KernelException("x", 4096));
    }

    @Test
    void everyErrnoConstantIsNamedByName() throws Exception {
        Set<Integer> seen = new HashSet<>();
        int count = 0;
        for (Field f : Errno.class.getFields()) {
            if (f.getName().equals("MAX_ERRNO")) {
                continue;
            }
            int errno = f.getInt(null);
            assertEquals(f.getName(), Errno.name(errno));
            assertEquals(f.getName(), Errno.name(-errno), "a negative return value names the same errno");
            assertTrue(seen.add(errno), "two constants for " + errno);
            count++;
        }
        assertEquals(48, count);
        for (int e = 1; e <= 40; e++) {
            assertTrue(seen.contains(e), "errno " + e + " has no constant");
        }
    }

    @Test
    void strerrorGivesGlibcsTextAndStracesForTheRestartCodes() {
        assertEquals("Operation not permitted", Errno.strerror(Errno.EPERM));
        assertEquals("Resource temporarily unavailable", Errno.strerror(-Errno.EAGAIN));
        assertEquals("Cannot allocate memory", Errno.strerror(Errno.ENOMEM));
        assertEquals("Invalid argument", Errno.strerror(Errno.EINVAL));
        assertEquals("No space left on device", Errno.strerror(Errno.ENOSPC));
        assertEquals("Too many levels of symbolic links", Errno.strerror(Errno.ELOOP));
        assertEquals("Value too large for defined data type", Errno.strerror(Errno.EOVERFLOW));
        assertEquals("Too many users", Errno.strerror(Errno.EUSERS));
        assertEquals("Operation not supported", Errno.strerror(Errno.EOPNOTSUPP));
        assertEquals("To be restarted", Errno.strerror(Errno.ERESTARTNOINTR));
        assertEquals("Interrupted by signal", Errno.strerror(Errno.ERESTART_RESTARTBLOCK));
        assertEquals("Unknown error 515", Errno.strerror(Errno.ENOIOCTLCMD));
        assertEquals("Unknown error 41", Errno.strerror(41));
        assertEquals("Unknown error 0", Errno.strerror(0));
    }

    @Test
    void everyNamedErrnoHasATextAndANumberByName() throws Exception {
        for (Field f : Errno.class.getFields()) {
            if (f.getName().equals("MAX_ERRNO")) {
                continue;
            }
            int errno = f.getInt(null);
            assertEquals(errno, Errno.number(f.getName()), f.getName());
            if (errno != Errno.ENOIOCTLCMD) {
                assertFalse(Errno.strerror(errno).startsWith("Unknown"), f.getName());
            }
        }
        assertEquals(0, Errno.number("EFOO"));
        assertEquals(0, Errno.number("errno 41"));
    }

    @Test
    void unknownErrnoGetsANumber() {
        assertEquals("errno 41", Errno.name(41));
        assertEquals("errno 200", Errno.name(-200));
        assertEquals("errno 0", Errno.name(0));
        assertEquals("errno 517", Errno.name(517));
    }
}
