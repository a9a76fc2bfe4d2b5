package org.kfork.script;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.kfork.api.ExecImage;
import org.kfork.api.Kernel;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.UapiCloneArgs;
import org.kfork.uapi.UapiSiginfo;

/**
 * Turns a line that makes a system call into the {@link Job} its task's thread runs: the
 * arguments are evaluated on the runner's thread (variables, pids in the caller's namespace); the
 * job writes what goes through memory into the caller's scratch area, makes the call, reads what
 * the kernel wrote back, and formats the transcript line as strace would.
 */
final class Syscalls {
    private static final long[] NO_TID = {};
    private static final int CLONE3_FIELDS = UapiCloneArgs.SIZEOF / 8;

    private Syscalls() {
    }

    /** The job of a system-call line, made by {@code caller}. */
    static Job job(ScriptRunner r, ScriptLine line, int caller) {
        String name = line.spec().name();
        switch (name) {
            case "fork":
            case "vfork":
            case "getpid":
            case "getppid":
            case "gettid":
                return simple(line, caller, name);
            case "clone":
                return clone(r, line, caller);
            case "clone3":
                return clone3(r, line, caller);
            case "unshare": {
                long flags = r.value(line, "flags");
                return job(line, caller, 0, (k, c) -> {
                    long ret = k.unshare(c, flags);
                    if (ret == 0 && (flags & CloneFlags.CLONE_NEWPID) != 0) {
                        r.registry().unsharedPidNs(c);
                    }
                    return done(c, "unshare", Strace.cloneFlagsWord(flags), ret);
                });
            }
            case "execve": {
                ExecImage image = ScriptImages.image(line.arg("image").word());
                String q = Strace.quoted(image.name());
                return job(line, caller, 0, (k, c) -> done(c, "execve", q + ", [" + q + "], NULL", k.execve(c, image)));
            }
            case "exit":
            case "exit_group": {
                int code = (int) r.value(line, "code");
                return job(line, caller, 0, (k, c) -> {
                    long ret = name.equals("exit") ? k.exit(c, code) : k.exitGroup(c, code);
                    return Job.Outcome.of(ret, Strace.line(c, name, Integer.toString(code),
                        Strace.resultNoReturn(ret)), ret == 0 || ret == Kernel.KILLED);
                });
            }
            case "wait4":
                return wait4(r, line, caller);
            case "waitid":
                return waitid(r, line, caller);
            case "kill": {
                int pid = (int) r.pid(line, "pid", caller);
                long sig = r.value(line, "sig");
                return job(line, caller, 0, (k, c) ->
                    done(c, "kill", pid + ", " + Strace.signal(sig), k.kill(c, pid, (int) sig)));
            }
            case "sigaction": {
                long sig = r.value(line, "sig");
                long handler = r.value(line, "handler");
                long flags = r.value(line, "flags");
                long mask = r.value(line, "mask");
                String args = Strace.signal(sig) + ", " + Strace.sigaction(handler, flags, mask) + ", NULL, 8";
                return job(line, caller, 0, (k, c) -> done(c, "rt_sigaction", args,
                    k.sigaction(c, (int) sig, handler, flags, mask)));
            }
            case "setrlimit": {
                long resource = r.value(line, "resource");
                long cur = r.value(line, "cur");
                long max = line.arg("max") != null ? r.value(line, "max") : cur;
                String args = "0, " + Strace.resource(resource) + ", " + Strace.rlimit(cur, max) + ", NULL";
                return job(line, caller, 0, (k, c) -> done(c, "prlimit64", args, k.setrlimit(c, (int) resource, cur, max)));
            }
            case "set_tid_address": {
                long tidptr = r.value(line, "tidptr");
                return job(line, caller, 0, (k, c) -> done(c, name, Strace.addr(tidptr), k.setTidAddress(c, tidptr)));
            }
            default:
                return mm(r, line, caller, name);
        }
    }

    private static Job mm(ScriptRunner r, ScriptLine line, int caller, String name) {
        long addr = r.value(line, "addr");
        long len = r.value(line, "len");
        String head = Strace.addr(addr) + ", " + Strace.udec(len);
        switch (name) {
            case "mmap": {
                long prot = r.value(line, "prot");
                long flags = r.value(line, "flags");
                long fd = r.value(line, "fd");
                long off = r.value(line, "off");
                String args = head + ", " + Strace.prot(prot) + ", " + Strace.mapFlags(flags) + ", " + (int) fd
                    + ", " + Strace.hex(off);
                return job(line, caller, 0, (k, c) -> {
                    long ret = k.mmap(c, addr, len, (int) prot, (int) flags, (int) fd, off);
                    return Job.Outcome.of(ret, Strace.line(c, name, args, Strace.resultHex(ret)), false);
                });
            }
            case "munmap":
                return job(line, caller, 0, (k, c) -> done(c, name, head, k.munmap(c, addr, len)));
            case "mlock":
                return job(line, caller, 0, (k, c) -> done(c, name, head, k.mlock(c, addr, len)));
            case "munlock":
                return job(line, caller, 0, (k, c) -> done(c, name, head, k.munlock(c, addr, len)));
            case "mprotect": {
                long prot = r.value(line, "prot");
                return job(line, caller, 0, (k, c) ->
                    done(c, name, head + ", " + Strace.prot(prot), k.mprotect(c, addr, len, (int) prot)));
            }
            case "madvise": {
                long advice = r.value(line, "advice");
                return job(line, caller, 0, (k, c) ->
                    done(c, name, head + ", " + Strace.madvise(advice), k.madvise(c, addr, len, (int) advice)));
            }
            default:
                throw line.error("no system call '" + name + "'");
        }
    }

    private static Job simple(ScriptLine line, int caller, String name) {
        boolean vfork = name.equals("vfork");
        return new Job(line, caller, 0, vfork, false, (k, c) -> {
            long ret = switch (name) {
                case "fork" -> k.fork(c);
                case "vfork" -> k.vfork(c);
                case "getpid" -> k.getpid(c);
                case "getppid" -> k.getppid(c);
                default -> k.gettid(c);
            };
            return done(c, name, "", ret);
        });
    }

    private static Job clone(ScriptRunner r, ScriptLine line, int caller) {
        long flags = r.value(line, "flags");
        long stack = r.value(line, "stack");
        long parentTid = r.value(line, "parent_tid");
        long childTid = r.value(line, "child_tid");
        long tls = r.value(line, "tls");
        boolean vfork = (flags & CloneFlags.CLONE_VFORK) != 0;
        return new Job(line, caller, flags & ~CloneFlags.CSIGNAL, vfork, false, (k, c) -> {
            long ret = k.clone(c, flags, stack, parentTid, childTid, tls);
            List<String> args = new ArrayList<>();
            args.add("child_stack=" + Strace.addr(stack));
            args.add("flags=" + Strace.cloneFlags(flags));
            if ((flags & (CloneFlags.CLONE_PARENT_SETTID | CloneFlags.CLONE_PIDFD)) != 0) {
                // strace reads the tid (or pidfd) the kernel stored, once the call has succeeded.
                int[] stored = ret > 0 ? readInts(k, c, parentTid, 1) : null;
                args.add("parent_tid=" + (stored != null ? "[" + stored[0] + "]" : Strace.addr(parentTid)));
            }
            if ((flags & CloneFlags.CLONE_SETTLS) != 0) {
                args.add("tls=" + Strace.addr(tls));
            }
            if ((flags & (CloneFlags.CLONE_CHILD_SETTID | CloneFlags.CLONE_CHILD_CLEARTID)) != 0) {
                args.add("child_tidptr=" + Strace.addr(childTid));
            }
            return Job.Outcome.of(ret, Strace.line(c, "clone", args, Strace.result(ret)), false);
        });
    }

    /**
     * clone3: the struct (and its tail) is written at the scratch area's start, the set_tid array
     * a page further, and the call reads them through copy_struct_from_user like a real one.
     * Absent: set_tid_size is the list's length, the set_tid pointer is the array's address when
     * there is a list (else set_tid_ptr, else 0).
     */
    private static Job clone3(ScriptRunner r, ScriptLine line, int caller) {
        long[] f = new long[CLONE3_FIELDS];
        String[] names = {"flags", "pidfd", "child_tid", "parent_tid", "exit_signal", "stack", "stack_size", "tls"};
        for (int i = 0; i < names.length; i++) {
            f[i] = r.value(line, names[i]);
        }
        long[] tids = NO_TID;
        Arg list = line.arg("set_tid");
        if (list != null) {
            tids = new long[list.exprs().size()];
            for (int i = 0; i < tids.length; i++) {
                tids[i] = r.eval(list.exprs().get(i));
            }
        }
        f[8] = line.arg("set_tid_ptr") != null ? r.value(line, "set_tid_ptr") : list != null ? Scratch.SET_TID : 0;
        f[9] = line.arg("set_tid_size") != null ? r.value(line, "set_tid_size") : tids.length;
        f[10] = r.value(line, "cgroup");
        long size = r.value(line, "size");
        Arg tailArg = line.arg("tail");
        byte[] tail = tailArg != null ? tailArg.bytes() : new byte[0];
        long flags = f[0];
        boolean vfork = (flags & CloneFlags.CLONE_VFORK) != 0;
        long[] setTid = tids;
        return new Job(line, caller, flags, vfork, false, (k, c) -> {
            // The struct, its tail, and zeros up to size (within the area), so that what the kernel
            // reads past the struct is what the line says and nothing left by an earlier call.
            long span = Math.max(UapiCloneArgs.SIZEOF + tail.length,
                Long.compareUnsigned(size, Scratch.CLONE_ARGS_AREA) > 0 ? Scratch.CLONE_ARGS_AREA : size);
            ByteBuffer buf = ByteBuffer.allocate((int) span).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < CLONE3_FIELDS; i++) {
                buf.putLong(i * 8, f[i]);
            }
            buf.put(UapiCloneArgs.SIZEOF, tail);
            write(line, k, c, Scratch.CLONE_ARGS, buf.array(), "clone_args");
            if (list != null) {
                // At least 32 entries (the most the kernel reads), zero past the list.
                ByteBuffer a = ByteBuffer.allocate(4 * Math.max(setTid.length, 32)).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < setTid.length; i++) {
                    a.putInt(4 * i, (int) setTid[i]);
                }
                write(line, k, c, Scratch.SET_TID, a.array(), "the set_tid array");
            }
            String args = clone3Args(k, c, f, size, buf.array());
            long ret = k.clone3(c, Scratch.CLONE_ARGS, size);
            return Job.Outcome.of(ret, Strace.line(c, "clone3", args, Strace.result(ret)), false);
        });
    }

    /** clone3's arguments as strace shows them on entry: the struct as far as {@code size} covers it. */
    private static String clone3Args(Kernel k, int caller, long[] written, long size, byte[] buf) {
        long[] seen = new long[CLONE3_FIELDS];
        for (int i = 0; i < CLONE3_FIELDS; i++) {
            seen[i] = Long.compareUnsigned(8L * i + 8, size) <= 0 ? written[i] : 0;
        }
        int[] setTid = null;
        if (seen[8] != 0 && seen[9] != 0 && Long.compareUnsigned(seen[9], 32) <= 0) {
            setTid = readInts(k, caller, seen[8], (int) seen[9]);
        }
        byte[] tail = null;
        if (Long.compareUnsigned(size, UapiCloneArgs.SIZEOF) > 0) {
            int end = (int) Math.min(Long.compareUnsigned(size, 4096) > 0 ? 4096 : size, buf.length);
            tail = new byte[Math.max(0, end - UapiCloneArgs.SIZEOF)];
            System.arraycopy(buf, UapiCloneArgs.SIZEOF, tail, 0, tail.length);
        }
        return Strace.clone3Args(Scratch.CLONE_ARGS, seen, size, setTid, tail);
    }

    private static Job wait4(ScriptRunner r, ScriptLine line, int caller) {
        int pid = (int) r.pid(line, "pid", caller);
        int options = (int) r.value(line, "options");
        return job(line, caller, 0, (k, c) -> {
            long ret = k.wait4(c, pid, Scratch.WSTATUS, options, 0);
            int[] status = ret > 0 ? readInts(k, c, Scratch.WSTATUS, 1) : null;
            String st = status != null ? Strace.waitStatus(status[0]) : Strace.addr(Scratch.WSTATUS);
            return done(c, "wait4", pid + ", " + st + ", " + Strace.waitOptions(options, false) + ", NULL", ret);
        });
    }

    private static Job waitid(ScriptRunner r, ScriptLine line, int caller) {
        int idtype = (int) r.value(line, "idtype");
        int id = (int) r.pid(line, "id", caller);
        int options = (int) r.value(line, "options");
        return job(line, caller, 0, (k, c) -> {
            // waitid writes six fields and leaves si_utime and si_stime as they were: zero them.
            k.writeUser(c, Scratch.SIGINFO, new byte[UapiSiginfo.SIZEOF], 0, UapiSiginfo.SIZEOF);
            long ret = k.waitid(c, idtype, id, Scratch.SIGINFO, options, 0);
            String info = Strace.addr(Scratch.SIGINFO);
            byte[] si = new byte[UapiSiginfo.SI_STIME + 8];
            if (ret == 0 && k.readUser(c, Scratch.SIGINFO, si, 0, si.length) == 0) {
                ByteBuffer b = ByteBuffer.wrap(si).order(ByteOrder.LITTLE_ENDIAN);
                info = Strace.siginfo(b.getInt(UapiSiginfo.SI_SIGNO), b.getInt(UapiSiginfo.SI_CODE),
                    b.getInt(UapiSiginfo.SI_PID), b.getInt(UapiSiginfo.SI_UID), b.getInt(UapiSiginfo.SI_STATUS),
                    b.getLong(UapiSiginfo.SI_UTIME), b.getLong(UapiSiginfo.SI_STIME));
            }
            return done(c, "waitid", Strace.idtype(idtype) + ", " + id + ", " + info + ", "
                + Strace.waitOptions(options, true) + ", NULL", ret);
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    private static Job job(ScriptLine line, int caller, long cloneFlags, Job.Action action) {
        return new Job(line, caller, cloneFlags, false, false, action);
    }

    private static Job.Outcome done(int caller, String name, String args, long ret) {
        return Job.Outcome.of(ret, Strace.line(caller, name, args, Strace.result(ret)), ret == Kernel.KILLED);
    }

    /** copy_to_user into the caller's scratch area; a fault is a script error (was it unmapped?). */
    private static void write(ScriptLine line, Kernel k, int caller, long addr, byte[] bytes,
                              String what) {
        long ret = k.writeUser(caller, addr, bytes, 0, bytes.length);
        if (ret != 0) {
            throw line.error("cannot write " + what + " at " + Strace.addr(addr) + " in [" + caller
                + "]'s scratch area: " + Errno.name((int) ret) + " (the runner needs " + Strace.addr(Scratch.BASE)
                + "-" + Strace.addr(Scratch.BASE + Scratch.SIZE) + " mapped and writable)");
        }
    }

    /** {@code n} ints read from the caller's memory, or null when the read faults. */
    private static int[] readInts(Kernel k, int caller, long addr, int n) {
        byte[] bytes = new byte[4 * n];
        if (k.readUser(caller, addr, bytes, 0, bytes.length) != 0) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = b.getInt(4 * i);
        }
        return out;
    }
}
