package org.kfork.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.kfork.kernel.struct.CloneArgs;
import org.kfork.kernel.struct.Siginfo;
import org.kfork.uapi.UapiCloneArgs;
import org.kfork.uapi.UapiSiginfo;

/**
 * The user-space layouts core keeps for code without the layout engine (UapiCloneArgs,
 * UapiSiginfo) are the off-heap layouts of the same structs, which are pinned to gcc and the
 * reference: a field moved on one side fails here.
 */
class UapiLayoutTest {
    @Test
    void cloneArgs() {
        assertEquals(CloneArgs.SIZEOF, UapiCloneArgs.SIZEOF);
        assertEquals(CloneArgs.FLAGS, UapiCloneArgs.FLAGS);
        assertEquals(CloneArgs.PIDFD, UapiCloneArgs.PIDFD);
        assertEquals(CloneArgs.CHILD_TID, UapiCloneArgs.CHILD_TID);
        assertEquals(CloneArgs.PARENT_TID, UapiCloneArgs.PARENT_TID);
        assertEquals(CloneArgs.EXIT_SIGNAL, UapiCloneArgs.EXIT_SIGNAL);
        assertEquals(CloneArgs.STACK, UapiCloneArgs.STACK);
        assertEquals(CloneArgs.STACK_SIZE, UapiCloneArgs.STACK_SIZE);
        assertEquals(CloneArgs.TLS, UapiCloneArgs.TLS);
        assertEquals(CloneArgs.SET_TID, UapiCloneArgs.SET_TID);
        assertEquals(CloneArgs.SET_TID_SIZE, UapiCloneArgs.SET_TID_SIZE);
        assertEquals(CloneArgs.CGROUP, UapiCloneArgs.CGROUP);
    }

    @Test
    void siginfo() {
        assertEquals(Siginfo.SIZEOF, UapiSiginfo.SIZEOF);
        assertEquals(Siginfo.SI_SIGNO, UapiSiginfo.SI_SIGNO);
        assertEquals(Siginfo.SI_ERRNO, UapiSiginfo.SI_ERRNO);
        assertEquals(Siginfo.SI_CODE, UapiSiginfo.SI_CODE);
        assertEquals(Siginfo.SI_PID, UapiSiginfo.SI_PID);
        assertEquals(Siginfo.SI_UID, UapiSiginfo.SI_UID);
        assertEquals(Siginfo.SI_STATUS, UapiSiginfo.SI_STATUS);
        assertEquals(Siginfo.SI_UTIME, UapiSiginfo.SI_UTIME);
        assertEquals(Siginfo.SI_STIME, UapiSiginfo.SI_STIME);
    }
}
