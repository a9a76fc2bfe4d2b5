package org.kfork.script;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kfork.mm.Mman;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/** The script language: every value form, every line form, and every error with its line and column. */
class ScriptParserTest {
    /** Parses a script and evaluates one argument of its last line, with no variables but $scratch. */
    private static long value(String line, String arg) {
        Script s = ScriptParser.parse("t", line);
        ScriptLine l = s.lines().get(s.lines().size() - 1);
        return evaluator().eval(l.arg(arg).expr());
    }

    /** A runner only for its evaluator: expressions without variables need no kernel. */
    private static ScriptRunner evaluator() {
        return new ScriptRunner(new FakeKernel(ScriptRunner.config(1L << 30, 1)), s -> { }, ScriptRunner.DEFAULT_TIMEOUT);
    }

    private static ScriptError error(String script) {
        return assertThrows(ScriptError.class, () -> ScriptParser.parse("t", script), script);
    }

    // ---------------------------------------------------------------------------------------------
    // Values
    // ---------------------------------------------------------------------------------------------

    @Test
    void numbers() {
        assertEquals(43, value("exit 43", "code"));
        assertEquals(0x1f, value("exit 0x1f", "code"));
        assertEquals(0xABC, value("exit 0XaBc", "code"));
        assertEquals(10, value("exit 010", "code"), "decimal, not octal");
        assertEquals(-1, value("exit -1", "code"));
        assertEquals(-4096, value("munmap 0 -4096", "len"));
        assertEquals(-0x1000, value("munmap 0 -0x1000", "len"));
        assertEquals(0xbadc0ded00000000L, value("mmap 0xbadc0ded00000000 4096", "addr"));
        assertEquals(-1L, value("mmap 0xffffffffffffffff 4096", "addr"));
        assertEquals(-1L, value("mmap 18446744073709551615 4096", "addr"), "64 bits written unsigned");
        assertEquals(Long.MIN_VALUE, value("mmap 9223372036854775808 4096", "addr"));
    }

    @Test
    void namesJoinedWithBar() {
        assertEquals(CloneFlags.CLONE_VM | CloneFlags.CLONE_FS | Signals.SIGCHLD,
            value("clone CLONE_VM|CLONE_FS|SIGCHLD", "flags"));
        assertEquals(Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED,
            value("mmap 0x10000 4096 PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED", "flags"));
        assertEquals(Mman.PROT_READ | 0x40, value("mmap 0 4096 PROT_READ|0x40", "prot"), "names and numbers mix");
        assertEquals(Integer.toUnsignedLong(Wait.__WCLONE) | Wait.__WALL, value("wait4 -1 __WCLONE|__WALL", "options"),
            "__WCLONE keeps its 32 bits unsigned");
        assertEquals(Wait.WUNTRACED, value("waitid P_ALL 0 WSTOPPED", "options"), "aliases are names too");
        assertEquals(Signals.SIGRTMIN + 3, value("kill 1 SIGRTMIN+3", "sig"));
        assertEquals(Wait.P_PIDFD, value("waitid P_PIDFD 3", "idtype"));
        assertEquals(-1L, value("setrlimit RLIMIT_NPROC RLIM_INFINITY", "cur"));
        assertEquals(Signals.SIG_IGN, value("sigaction SIGCHLD SIG_IGN", "handler"));
        assertEquals(Signals.SA_RESTART | Signals.SA_NOCLDWAIT, value("sigaction SIGCHLD 0x401000 SA_RESTART|SA_NOCLDWAIT", "flags"));
        assertEquals(Mman.MADV_WIPEONFORK, value("madvise 0 4096 MADV_WIPEONFORK", "advice"));
        assertEquals(CloneFlags.CLONE_CLEAR_SIGHAND, value("clone3 flags=CLONE_CLEAR_SIGHAND", "flags"));
    }

    @Test
    void setsMakeBitsOfNames() {
        assertEquals(Signals.sigmask(Signals.SIGUSR1) | Signals.sigmask(Signals.SIGCHLD),
            value("sigaction SIGCHLD SIG_DFL 0 SIGUSR1|SIGCHLD", "mask"));
        assertEquals(0x3, value("sigaction SIGCHLD SIG_DFL 0 3", "mask"), "a number is the raw word");
        assertEquals(Capabilities.capToMask(Capabilities.CAP_SYS_ADMIN) | Capabilities.capToMask(Capabilities.CAP_SYS_RESOURCE),
            value("cred uid=1000 caps=CAP_SYS_ADMIN|CAP_SYS_RESOURCE", "caps"));
        assertEquals(0, value("cred uid=1000 caps=none", "caps"));
        assertEquals(Capabilities.CAP_FULL_SET, value("cred uid=1000 caps=all", "caps"));
    }

    @Test
    void variablesWithOffsets() {
        assertEquals(0x10000, value("munmap $scratch 4096", "addr"));
        assertEquals(0x14000, value("munmap $scratch+0x4000 4096", "addr"));
        assertEquals(0x10000 - 4096, value("munmap $scratch-4096 4096", "addr"));
        assertEquals(0x10000 + 1 - 2, value("munmap $scratch+1-2 4096", "addr"));
        assertEquals(-0x10000, value("kill -$scratch 0", "pid"));
        Script s = ScriptParser.parse("t", "$a = mmap 0 8192\nmunmap $a+4096 4096\n");
        Expr e = s.lines().get(1).arg("addr").expr();
        assertTrue(e instanceof Expr.Bin b && b.op() == '+' && b.left() instanceof Expr.Var v && v.name().equals("a")
            && v.column() == 8, e.toString());
    }

    @Test
    void commaListsAndHexBytes() {
        ScriptLine l = ScriptParser.parse("t", "$p = getpid\nclone3 set_tid=1,42,$p tail=0x00ff01").lines().get(1);
        assertEquals(3, l.arg("set_tid").exprs().size());
        assertEquals(42, ((Expr.Num) l.arg("set_tid").exprs().get(1)).value());
        assertEquals(21, l.arg("set_tid").exprs().get(2).column());
        assertArrayEquals(new byte[] {0, (byte) 0xff, 1}, l.arg("tail").bytes());
        assertArrayEquals(new byte[] {(byte) 0xab}, ScriptParser.parse("t", "clone3 tail=AB").lines().get(0).arg("tail").bytes());
        assertEquals(1, ScriptParser.parse("t", "clone3 set_tid=1").lines().get(0).arg("set_tid").exprs().size());
    }

    // ---------------------------------------------------------------------------------------------
    // Lines
    // ---------------------------------------------------------------------------------------------

    @Test
    void linesCommentsBindingsAndExpectations() {
        Script s = ScriptParser.parse("f.kfork", """
            # a comment line

            $c = fork   => >0     # trailing comment
            $d=vfork
            \tas $c
            exit 3 => ?
            kill $c SIGKILL => -ESRCH
            getpid => $c
            mmap 0 4096 => 0x7f0000000000\r
            """);
        assertEquals("f.kfork", s.source());
        List<ScriptLine> l = s.lines();
        assertEquals(7, l.size());
        assertEquals(3, l.get(0).number());
        assertEquals("c", l.get(0).bind());
        assertEquals(1, l.get(0).bindColumn());
        assertEquals(6, l.get(0).column());
        assertEquals(Expectation.Type.POSITIVE, l.get(0).expect().type());
        assertEquals(16, l.get(0).expect().column());
        assertEquals("d", l.get(1).bind());
        assertEquals("vfork", l.get(1).spec().name());
        assertEquals(2, l.get(2).column(), "a tab is one column");
        assertNull(l.get(2).expect());
        assertEquals(Expectation.Type.NO_RETURN, l.get(3).expect().type());
        assertEquals(Errno.ESRCH, l.get(4).expect().errno());
        assertEquals(Expectation.Type.VALUE, l.get(5).expect().type());
        assertTrue(l.get(5).expect().value() instanceof Expr.Var);
        assertEquals(0x7f0000000000L, ((Expr.Num) l.get(6).expect().value()).value(), "a CRLF line ends cleanly");
    }

    @Test
    void keywordAndPositionalArguments() {
        ScriptLine a = ScriptParser.parse("t", "mmap 0 8192 prot=PROT_READ flags=MAP_SHARED|MAP_ANONYMOUS").lines().get(0);
        assertEquals(List.of("addr", "len", "prot", "flags"), List.copyOf(a.args().keySet()));
        ScriptLine b = ScriptParser.parse("t", "clone3 exit_signal=SIGCHLD flags=CLONE_VM").lines().get(0);
        assertEquals(List.of("exit_signal", "flags"), List.copyOf(b.args().keySet()));
        assertNull(b.arg("size"), "an absent argument takes its default when the line runs");
        assertEquals(88, evaluator().value(b, "size"));
        assertEquals(-1, evaluator().value(ScriptParser.parse("t", "mmap len=4096").lines().get(0), "fd"));
    }

    @Test
    void scriptCommands() {
        List<ScriptLine> l = ScriptParser.parse("t", """
            $p = fork
            as $p
            as 2
            cred uid=1000 gid=100 caps=none
            cred 0
            sysctl kernel.threads-max
            sysctl vm.overcommit_memory=2 => 0
            cat /proc/$p/status
            cat /proc/1/maps
            cat /proc/self/status => >0
            cat /proc/$p/status ShdPnd => 0
            peek $scratch+0x3800 => 0
            """).lines();
        assertEquals("as", l.get(1).spec().name());
        assertEquals("kernel.threads-max", l.get(5).arg("name").word());
        assertNull(l.get(5).arg("value"));
        assertEquals(2, ((Expr.Num) l.get(6).arg("value").expr()).value());
        assertEquals(29, l.get(6).arg("value").column());
        assertEquals("status", l.get(7).arg("file").word());
        assertTrue(l.get(7).arg("pid").expr() instanceof Expr.Var);
        assertEquals(11, l.get(7).arg("pid").column());
        assertEquals("maps", l.get(8).arg("file").word());
        assertEquals("self", l.get(9).arg("pid").word());
        assertNull(l.get(9).arg("field"));
        assertEquals("ShdPnd", l.get(10).arg("field").word());
        assertEquals(21, l.get(10).arg("field").column());
        assertEquals("peek", l.get(11).spec().name());
        assertTrue(l.get(11).spec().command());
    }

    @Test
    void everyCallOfTheIssueTableParses() {
        for (String call : CallSpec.all().keySet()) {
            assertTrue(CallSpec.lookup(call) != null);
        }
        assertEquals(List.of("as", "cat", "clone", "clone3", "cred", "execve", "exit", "exit_group", "fork", "getpid",
            "getppid", "gettid", "kill", "madvise", "mlock", "mmap", "mprotect", "munlock", "munmap", "peek", "set_tid_address",
            "setrlimit", "sigaction", "sysctl", "unshare", "vfork", "wait4", "waitid"), List.copyOf(CallSpec.all().keySet()));
        assertEquals("flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, "
            + "cgroup, size, tail, set_tid_ptr", CallSpec.lookup("clone3").paramNames());
        assertEquals("flags, stack, parent_tid, child_tid, tls", CallSpec.lookup("clone").paramNames());
        assertEquals("addr, len, prot, flags, fd, off", CallSpec.lookup("mmap").paramNames());
    }

    // ---------------------------------------------------------------------------------------------
    // Errors, each with its line and column
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiterString = " ~ ", quoteCharacter = '`', textBlock = """
        forkk                            ~ 1 ~ 1  ~ unknown call 'forkk'; did you mean fork?
        `  clone3 flagz=0`               ~ 1 ~ 10 ~ unknown argument 'flagz' of clone3; it takes flags, pidfd
        mmap 0 4096 PROT_READ MAP_PRIVATE -1 0 7 ~ 1 ~ 40 ~ too many arguments: mmap takes 6 (addr, len, prot, flags, fd, off)
        mmap len=4096 0                  ~ 1 ~ 15 ~ a positional argument after len=4096
        munmap 0x1000                    ~ 1 ~ 1  ~ missing argument 'len' of munmap (munmap addr, len)
        clone3 flags=CLONE_VMM           ~ 1 ~ 14 ~ unknown name 'CLONE_VMM'; did you mean CLONE_VM?
        mmap 0 4096 MAP_PRIVATE          ~ 1 ~ 13 ~ prot takes PROT_* names, not MAP_PRIVATE
        clone CLONE_VM|PROT_READ         ~ 1 ~ 16 ~ flags takes CLONE_* or SIG* names, not PROT_READ
        exit SIGCHLD                     ~ 1 ~ 6  ~ code takes numbers and $variables, not names like SIGCHLD
        kill $p 9                        ~ 1 ~ 6  ~ $p is not bound on an earlier line
        `$p = kill $p 0`                 ~ 1 ~ 11 ~ $p is not bound on an earlier line
        mmap 0 0x                        ~ 1 ~ 8  ~ '0x' needs hex digits
        mmap 0 12ab                      ~ 1 ~ 10 ~ '12ab' is not a decimal number
        mmap 0 0x12g                     ~ 1 ~ 12 ~ '0x12g' is not a hex number
        mmap 0 18446744073709551616      ~ 1 ~ 8  ~ 18446744073709551616 does not fit in 64 bits
        mmap 0 0x10000000000000000       ~ 1 ~ 8  ~ 0x10000000000000000 does not fit in 64 bits
        mmap 0 4096,8192                 ~ 1 ~ 12 ~ len takes one value; only set_tid takes a list
        `clone3 set_tid=1,,2`            ~ 1 ~ 18 ~ empty element in the list of set_tid
        clone3 tail=0g                   ~ 1 ~ 14 ~ 'g' is not a hex digit
        clone3 tail=abc                  ~ 1 ~ 13 ~ hex bytes take an even number of digits, not 3
        clone3 tail=0x                   ~ 1 ~ 13 ~ expected hex bytes, such as 00ff or 0x00ff
        execve bash                      ~ 1 ~ 8  ~ unknown image 'bash'; the images are a.out, init, sleep, true
        fork =>                          ~ 1 ~ 7  ~ expected a result after '=>'
        fork => -EFOO                    ~ 1 ~ 10 ~ unknown errno 'EFOO'
        fork => -1                       ~ 1 ~ 9  ~ => -1 reads as -EPERM; write the errno's name: => -EPERM
        fork => >=0                      ~ 1 ~ 9  ~ the only comparison is >0
        fork => 1 2                      ~ 1 ~ 10 ~ an expectation is one word
        `as 1 => 1`                      ~ 1 ~ 6  ~ 'as' makes no call, so it has no result to expect
        `$x = as 1`                      ~ 1 ~ 1  ~ 'as' binds no variable
        `$1 = fork`                      ~ 1 ~ 2  ~ expected a variable name after '$'
        `$x fork`                        ~ 1 ~ 4  ~ expected '=' after $x
        `$x =`                           ~ 1 ~ 5  ~ expected a call after '$x ='
        `=> 1`                           ~ 1 ~ 1  ~ expected a call before '=>'
        sysctl kernel.foo                ~ 1 ~ 8  ~ unknown sysctl 'kernel.foo'; the model has kernel.pid_max
        sysctl kernel.pid_max=           ~ 1 ~ 23 ~ missing value after 'kernel.pid_max='
        sysctl kernel.pid_max 5          ~ 1 ~ 1  ~ sysctl takes one argument: NAME or NAME=VALUE
        cat /proc/1/stat                 ~ 1 ~ 13 ~ cat shows /proc/PID/FILE, FILE one of maps, status, not 'stat'
        cat /proc/1/maps Size            ~ 1 ~ 18 ~ only /proc/PID/status takes a FIELD
        cat /proc/1/status Vm-Size       ~ 1 ~ 20 ~ only /proc/PID/status takes a FIELD
        cat /proc/1/status a b           ~ 1 ~ 1  ~ cat takes one file: /proc/PID/status [FIELD]
        peek                             ~ 1 ~ 1  ~ missing argument 'addr' of peek
        cat /etc/passwd                  ~ 1 ~ 5  ~ cat shows /proc/PID/FILE
        cat /proc//status                ~ 1 ~ 11 ~ expected a pid, a $variable or self after /proc/
        cat /proc/$q/maps                ~ 1 ~ 11 ~ $q is not bound on an earlier line
        mmap 0 4096 PROT_READ|           ~ 1 ~ 23 ~ expected a number, a name or a $variable after '|'
        kill 1 SIGKILL+                  ~ 1 ~ 16 ~ expected a number, a name or a $variable after '+'
        clone3 flags=                    ~ 1 ~ 14 ~ missing value after 'flags='
        clone3 flags=1 flags=2           ~ 1 ~ 16 ~ flags is given twice
        fork 1                           ~ 1 ~ 6  ~ fork takes no arguments
        fork x=1                         ~ 1 ~ 6  ~ fork takes no arguments
        mmap 0 4096 @                    ~ 1 ~ 13 ~ expected a number, a name or a $variable, not '@'
        sigaction SIGCHLD SIG_IGN 0 CAP_KILL ~ 1 ~ 29 ~ mask takes SIG* names, not CAP_KILL
        cred uid=0 caps=SIGKILL          ~ 1 ~ 17 ~ caps takes CAP_* names, not SIGKILL
        getpid $                         ~ 1 ~ 8  ~ getpid takes no arguments
        kill 1 $                         ~ 1 ~ 8  ~ expected a variable name after '$'
        kill 1 9)                        ~ 1 ~ 9  ~ unexpected ')' after a value
        `# comment\n\n  bogus`           ~ 3 ~ 3  ~ unknown call 'bogus'
        """)
    void errorsNameTheirLineAndColumn(String script, int line, int column, String message) {
        ScriptError e = error(script.replace("\\n", "\n"));
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().startsWith(message), "'" + e.getMessage() + "' should start with '" + message + "'");
        assertEquals("t:" + line + ":" + column + ": " + e.getMessage(), e.describe("t"));
    }

    @Test
    void aListOfMoreThanAPageOfPidsIsAnError() {
        String many = "1,".repeat(Scratch.SET_TID_MAX) + "1";
        ScriptError e = error("clone3 set_tid=" + many);
        assertEquals(16, e.column());
        assertEquals("set_tid holds at most 1024 pids", e.getMessage());
        ScriptError t = error("clone3 tail=" + "00".repeat(Scratch.TAIL_MAX + 1));
        assertTrue(t.getMessage().startsWith("at most 8104 bytes fit"), t.getMessage());
    }

    @Test
    void closeMatchesSuggest() {
        assertTrue(ScriptParser.close("frok", "fork"), "swap");
        assertTrue(ScriptParser.close("fok", "fork"), "deletion");
        assertTrue(ScriptParser.close("forkk", "fork"), "insertion");
        assertTrue(ScriptParser.close("fard", "fork") == false);
        assertTrue(ScriptParser.close("fork", "fork") == false, "no suggestion of itself");
        assertEquals("", ScriptParser.suggest("zzzzzz"));
    }
}
