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
                continue; // handlers are not signals; aliases give way to SIGABRT and SIGIO
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

    @Test
    void defaultActionClasses() {
        assertTrue(Signals.sigKernelOnly(Signals.SIGKILL) && Signals.sigKernelOnly(Signals.SIGSTOP));
        assertFalse(Signals.sigKernelOnly(Signals.SIGTERM));
        for (int sig : new int[] {Signals.SIGSTOP, Signals.SIGTSTP, Signals.SIGTTIN, Signals.SIGTTOU}) {
            assertTrue(Signals.sigKernelStop(sig), Signals.name(sig));
            assertFalse(Signals.sigFatal(Signals.SIG_DFL, sig), "a stop signal is not fatal");
        }
        for (int sig : new int[] {Signals.SIGCONT, Signals.SIGCHLD, Signals.SIGWINCH, Signals.SIGURG}) {
            assertTrue(Signals.sigKernelIgnore(sig), Signals.name(sig));
            assertTrue(Signals.sigHandlerIgnored(Signals.SIG_DFL, sig));
            assertFalse(Signals.sigFatal(Signals.SIG_DFL, sig));
        }
        int coredump = 0;
        for (int sig = 1; sig < Signals.SIGRTMIN; sig++) {
            coredump += Signals.sigKernelCoredump(sig) ? 1 : 0;
        }
        assertEquals(10, coredump, "SIGQUIT ILL TRAP ABRT FPE SEGV BUS SYS XCPU XFSZ");
        assertTrue(Signals.sigFatal(Signals.SIG_DFL, Signals.SIGTERM));
        assertTrue(Signals.sigFatal(Signals.SIG_DFL, Signals.SIGKILL));
        assertTrue(Signals.sigFatal(Signals.SIG_DFL, Signals.SIGRTMIN + 5), "real-time signals terminate by default");
        assertFalse(Signals.sigFatal(0x401000L, Signals.SIGTERM), "a handler is not fatal");
        assertFalse(Signals.sigFatal(Signals.SIG_IGN, Signals.SIGTERM));
        assertTrue(Signals.sigHandlerIgnored(Signals.SIG_IGN, Signals.SIGTERM));
        assertFalse(Signals.sigHandlerIgnored(Signals.SIG_DFL, Signals.SIGTERM));
        assertFalse(Signals.siginmask(Signals.SIGRTMIN, -1L), "real-time signals are in no class mask");
        assertFalse(Signals.siginmask(0, -1L));
    }

    @Test
    void sigsetArithmetic() {
        long set = Signals.sigaddset(0, Signals.SIGHUP);
        set = Signals.sigaddset(set, Signals._NSIG);
        assertEquals(1L | Long.MIN_VALUE, set);
        assertTrue(Signals.sigismember(set, 64));
        assertFalse(Signals.sigismember(set, 2));
        assertEquals(1L, Signals.sigdelset(set, 64));
        assertEquals(Signals.sigmask(Signals.SIGCHLD), Signals.rtSigmask(Signals.SIGCHLD));
    }

    @Test
    void uapiSaFlagsAreWhatSigactionKeeps() {
        assertEquals(0, Signals.UAPI_SA_FLAGS & Signals.SA_UNSUPPORTED, "never claimed");
        assertEquals(0xdc000807L, Signals.UAPI_SA_FLAGS);
    }

    @Test
    void siginfoLayoutsAsSignalCDecidesThem() {
        assertEquals(Signals.SIL_KILL, Signals.siginfoLayout(Signals.SIGUSR1, Signals.SI_USER));
        assertEquals(Signals.SIL_KILL, Signals.siginfoLayout(Signals.SIGCHLD, Signals.SI_KERNEL));
        assertEquals(Signals.SIL_CHLD, Signals.siginfoLayout(Signals.SIGCHLD, Wait.CLD_EXITED));
        assertEquals(Signals.SIL_CHLD, Signals.siginfoLayout(Signals.SIGCHLD, Wait.CLD_CONTINUED));
        assertEquals(Signals.SIL_KILL, Signals.siginfoLayout(Signals.SIGCHLD, 7), "past NSIGCHLD and NSIGPOLL");
        assertEquals(Signals.SIL_POLL, Signals.siginfoLayout(Signals.SIGUSR1, 3), "a code of no signal's own");
        assertEquals(Signals.SIL_KILL, Signals.siginfoLayout(Signals.SIGUSR1, 7), "past NSIGPOLL");
        assertEquals(Signals.SIL_FAULT, Signals.siginfoLayout(Signals.SIGSEGV, 1));
        assertEquals(Signals.SIL_FAULT_BNDERR, Signals.siginfoLayout(Signals.SIGSEGV, 3));
        assertEquals(Signals.SIL_FAULT_PKUERR, Signals.siginfoLayout(Signals.SIGSEGV, 4));
        assertEquals(Signals.SIL_FAULT_MCEERR, Signals.siginfoLayout(Signals.SIGBUS, 4));
        assertEquals(Signals.SIL_SYS, Signals.siginfoLayout(Signals.SIGSYS, 1));
        assertEquals(Signals.SIL_TIMER, Signals.siginfoLayout(Signals.SIGALRM, Signals.SI_TIMER));
        assertEquals(Signals.SIL_POLL, Signals.siginfoLayout(Signals.SIGIO, Signals.SI_SIGIO));
        assertEquals(Signals.SIL_RT, Signals.siginfoLayout(Signals.SIGRTMIN, Signals.SI_QUEUE));
        assertEquals(Signals.SIL_RT, Signals.siginfoLayout(Signals.SIGUSR1, Signals.SI_TKILL));
        assertTrue(Signals.hasSiPidAndUid(Signals.SIGCHLD, Wait.CLD_KILLED));
        assertTrue(Signals.hasSiPidAndUid(Signals.SIGUSR1, Signals.SI_USER));
        assertFalse(Signals.hasSiPidAndUid(Signals.SIGSEGV, 1));
        assertFalse(Signals.hasSiPidAndUid(Signals.SIGALRM, Signals.SI_TIMER));
        assertTrue(Signals.siFromuser(Signals.SI_USER) && Signals.siFromuser(Signals.SI_TKILL));
        assertFalse(Signals.siFromuser(Signals.SI_KERNEL));
    }
}
