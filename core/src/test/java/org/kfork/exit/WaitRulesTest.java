package org.kfork.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kfork.pid.PidRules;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

class WaitRulesTest {
    @Test
    void exitCodeKeepsTheLowByteInBits8To15() {
        assertEquals(0x0300, WaitRules.exitCode(3));
        assertEquals(0xff00, WaitRules.exitCode(-1));
        assertEquals(0, WaitRules.exitCode(256));
        assertTrue(Wait.ifExited(WaitRules.exitCode(7)));
        assertEquals(7, Wait.exitStatus(WaitRules.exitCode(7)));
    }

    @Test
    void wait4RejectsUnknownBitsThenIntMin() {
        assertEquals(0, WaitRules.wait4Check(-1, Wait.WNOHANG | Wait.__WALL | Wait.__WCLONE | Wait.WUNTRACED));
        assertEquals(-Errno.EINVAL, WaitRules.wait4Check(1, Wait.WEXITED)); // waitid's bit: not wait4's
        assertEquals(-Errno.EINVAL, WaitRules.wait4Check(1, Wait.WNOWAIT));
        assertEquals(-Errno.EINVAL, WaitRules.wait4Check(Integer.MIN_VALUE, 0x100));
        assertEquals(-Errno.ESRCH, WaitRules.wait4Check(Integer.MIN_VALUE, 0));
    }

    @Test
    void wait4TypeFollowsTheSignOfPid() {
        assertEquals(PidRules.PIDTYPE_MAX, WaitRules.wait4Type(-1));
        assertEquals(PidRules.PIDTYPE_PGID, WaitRules.wait4Type(-5));
        assertEquals(5, WaitRules.wait4Nr(-5));
        assertEquals(PidRules.PIDTYPE_PGID, WaitRules.wait4Type(0));
        assertEquals(PidRules.PIDTYPE_PID, WaitRules.wait4Type(9));
        assertEquals(9, WaitRules.wait4Nr(9));
    }

    @Test
    void waitidChecksInOrder() {
        assertEquals(0, WaitRules.waitidCheck(Wait.P_ALL, 0, Wait.WEXITED));
        assertEquals(-Errno.EINVAL, WaitRules.waitidCheck(Wait.P_ALL, 0, Wait.WEXITED | Wait.WUNTRACED << 8));
        assertEquals(-Errno.EINVAL, WaitRules.waitidCheck(Wait.P_ALL, 0, Wait.WNOHANG));
        assertEquals(0, WaitRules.waitidCheck(Wait.P_ALL, 0, Wait.WSTOPPED));
        assertEquals(0, WaitRules.waitidCheck(Wait.P_ALL, 0, Wait.WCONTINUED));
        assertEquals(-Errno.EINVAL, WaitRules.waitidCheck(Wait.P_PID, 0, Wait.WEXITED));
        assertEquals(0, WaitRules.waitidCheck(Wait.P_PID, 1, Wait.WEXITED));
        assertEquals(0, WaitRules.waitidCheck(Wait.P_PGID, 0, Wait.WEXITED));
        assertEquals(-Errno.EINVAL, WaitRules.waitidCheck(Wait.P_PGID, -1, Wait.WEXITED));
        assertEquals(-Errno.EINVAL, WaitRules.waitidCheck(Wait.P_PIDFD, -1, Wait.WEXITED));
        assertEquals(-Errno.EINVAL, WaitRules.waitidCheck(4, 1, Wait.WEXITED));
        assertEquals(PidRules.PIDTYPE_PID, WaitRules.waitidType(Wait.P_PIDFD));
        assertEquals(PidRules.PIDTYPE_PGID, WaitRules.waitidType(Wait.P_PGID));
        assertEquals(PidRules.PIDTYPE_MAX, WaitRules.waitidType(Wait.P_ALL));
    }

    @Test
    void cloneChildrenOnlyWithWcloneUnlessWall() {
        assertTrue(WaitRules.eligibleExitSignal(0, false, Signals.SIGCHLD));
        assertFalse(WaitRules.eligibleExitSignal(0, false, Signals.SIGUSR1));
        assertFalse(WaitRules.eligibleExitSignal(0, false, -1));
        assertTrue(WaitRules.eligibleExitSignal(Wait.__WCLONE, false, Signals.SIGUSR1));
        assertFalse(WaitRules.eligibleExitSignal(Wait.__WCLONE, false, Signals.SIGCHLD));
        assertTrue(WaitRules.eligibleExitSignal(Wait.__WALL, false, Signals.SIGUSR1));
        assertTrue(WaitRules.eligibleExitSignal(Wait.__WALL, false, Signals.SIGCHLD));
        assertTrue(WaitRules.eligibleExitSignal(0, true, Signals.SIGUSR1));
    }

    @Test
    void zombieStatusAndItsWaitidForm() {
        assertEquals(9, WaitRules.zombieStatus(true, 9, 0x0100));
        assertEquals(0x0100, WaitRules.zombieStatus(false, 9, 0x0100));
        assertEquals(Wait.CLD_EXITED, WaitRules.infoCause(0x2a00));
        assertEquals(42, WaitRules.infoStatus(0x2a00));
        assertEquals(Wait.CLD_KILLED, WaitRules.infoCause(Signals.SIGKILL));
        assertEquals(Signals.SIGKILL, WaitRules.infoStatus(Signals.SIGKILL));
        assertEquals(Wait.CLD_DUMPED, WaitRules.infoCause(0x80 | Signals.SIGSEGV));
        assertEquals(Signals.SIGSEGV, WaitRules.infoStatus(0x80 | Signals.SIGSEGV));
    }
}
