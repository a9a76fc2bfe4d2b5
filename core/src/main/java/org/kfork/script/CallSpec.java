package org.kfork.script;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.kfork.mm.Mman;
import org.kfork.script.Param.Kind;
import org.kfork.uapi.UapiCloneArgs;
import org.kfork.uapi.Wait;

/**
 * What a script line can start with: a system call of the Kernel API, or a script command
 * ({@code as}, {@code cred}, {@code sysctl}, {@code cat}, {@code peek}), with its arguments in positional order.
 *
 * @param name    the word that starts the line
 * @param params  the arguments, in the order positional arguments fill them
 * @param command true for a script command, false for a system call
 */
public record CallSpec(String name, List<Param> params, boolean command) {
    private static final Map<String, CallSpec> TABLE = build();

    /** A copy of the parameters. */
    public CallSpec {
        params = List.copyOf(params);
    }

    /** The spec of {@code name}, or null. */
    public static CallSpec lookup(String name) {
        return TABLE.get(name);
    }

    /** Every call and command, by name. */
    public static Map<String, CallSpec> all() {
        return TABLE;
    }

    /** The parameter called {@code key}, or null. */
    public Param param(String key) {
        for (Param p : params) {
            if (p.name().equals(key)) {
                return p;
            }
        }
        return null;
    }

    /** Whether the call creates a task that its variable then names. */
    public boolean createsTask() {
        return name.equals("fork") || name.equals("vfork") || name.equals("clone") || name.equals("clone3");
    }

    /** The parameter names, comma separated, for messages. */
    public String paramNames() {
        List<String> names = new ArrayList<>();
        for (Param p : params) {
            names.add(p.name());
        }
        return String.join(", ", names);
    }

    private static Map<String, CallSpec> build() {
        Map<String, CallSpec> t = new TreeMap<>();
        for (String n : new String[] {"fork", "vfork", "getpid", "getppid", "gettid"}) {
            call(t, n);
        }
        call(t, "clone",
            Param.required("flags", Kind.INT, Family.CLONE, Family.SIGNAL),
            Param.dflt("stack", Kind.INT, 0),
            Param.dflt("parent_tid", Kind.INT, 0),
            Param.dflt("child_tid", Kind.INT, 0),
            Param.dflt("tls", Kind.INT, 0));
        call(t, "clone3",
            Param.dflt("flags", Kind.INT, 0, Family.CLONE),
            Param.dflt("pidfd", Kind.INT, 0),
            Param.dflt("child_tid", Kind.INT, 0),
            Param.dflt("parent_tid", Kind.INT, 0),
            Param.dflt("exit_signal", Kind.INT, 0, Family.SIGNAL),
            Param.dflt("stack", Kind.INT, 0),
            Param.dflt("stack_size", Kind.INT, 0),
            Param.dflt("tls", Kind.INT, 0),
            Param.computed("set_tid", Kind.LIST),
            Param.computed("set_tid_size", Kind.INT),
            Param.dflt("cgroup", Kind.INT, 0),
            Param.dflt("size", Kind.INT, UapiCloneArgs.SIZEOF),
            Param.computed("tail", Kind.BYTES),
            Param.computed("set_tid_ptr", Kind.INT));
        call(t, "unshare", Param.required("flags", Kind.INT, Family.CLONE));
        call(t, "execve", Param.required("image", Kind.WORD));
        call(t, "exit", Param.dflt("code", Kind.INT, 0));
        call(t, "exit_group", Param.dflt("code", Kind.INT, 0));
        call(t, "wait4", Param.dflt("pid", Kind.PID, -1), Param.dflt("options", Kind.INT, 0, Family.WAIT));
        call(t, "waitid",
            Param.required("idtype", Kind.INT, Family.IDTYPE),
            Param.dflt("id", Kind.PID, 0),
            Param.dflt("options", Kind.INT, Wait.WEXITED, Family.WAIT));
        call(t, "kill", Param.required("pid", Kind.PID), Param.required("sig", Kind.INT, Family.SIGNAL));
        call(t, "sigaction",
            Param.required("sig", Kind.INT, Family.SIGNAL),
            Param.required("handler", Kind.INT, Family.HANDLER),
            Param.dflt("flags", Kind.INT, 0, Family.SA),
            Param.dflt("mask", Kind.SIGSET, 0, Family.SIGNAL));
        call(t, "setrlimit",
            Param.required("resource", Kind.INT, Family.RLIMIT),
            Param.required("cur", Kind.INT, Family.RLIM),
            Param.computed("max", Kind.INT, Family.RLIM));
        call(t, "set_tid_address", Param.required("tidptr", Kind.INT));
        call(t, "mmap",
            Param.dflt("addr", Kind.INT, 0),
            Param.required("len", Kind.INT),
            Param.dflt("prot", Kind.INT, Mman.PROT_READ | Mman.PROT_WRITE, Family.PROT),
            Param.dflt("flags", Kind.INT, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, Family.MAP),
            Param.dflt("fd", Kind.INT, -1),
            Param.dflt("off", Kind.INT, 0));
        for (String n : new String[] {"munmap", "mlock", "munlock"}) {
            call(t, n, Param.required("addr", Kind.INT), Param.required("len", Kind.INT));
        }
        call(t, "mprotect",
            Param.required("addr", Kind.INT), Param.required("len", Kind.INT),
            Param.required("prot", Kind.INT, Family.PROT));
        call(t, "madvise",
            Param.required("addr", Kind.INT), Param.required("len", Kind.INT),
            Param.required("advice", Kind.INT, Family.MADV));

        command(t, "as", Param.required("task", Kind.INT));
        command(t, "cred",
            Param.required("uid", Kind.INT),
            Param.computed("gid", Kind.INT),
            Param.computed("caps", Kind.CAPSET, Family.CAP));
        command(t, "sysctl", Param.required("name", Kind.WORD), Param.computed("value", Kind.INT));
        command(t, "cat", Param.required("path", Kind.WORD), Param.computed("field", Kind.WORD));
        command(t, "peek", Param.required("addr", Kind.INT));
        return Collections.unmodifiableMap(t);
    }

    private static void call(Map<String, CallSpec> t, String name, Param... params) {
        t.put(name, new CallSpec(name, List.of(params), false));
    }

    private static void command(Map<String, CallSpec> t, String name, Param... params) {
        t.put(name, new CallSpec(name, List.of(params), true));
    }
}
