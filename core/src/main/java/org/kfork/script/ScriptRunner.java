package org.kfork.script;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.KernelPanicException;
import org.kfork.api.TaskView;
import org.kfork.sched.Limits;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;

/**
 * Runs a fork script on a kernel and writes its transcript, one line per call.
 *
 * <p><b>Threads.</b> Each task is driven by a Java thread of its own ({@link TaskDriver}); a line
 * goes to the thread of the task that makes it, and the runner waits for the call to return before
 * it reads the next line. vfork (and clone or clone3 with CLONE_VFORK) is the exception: its line
 * is done as soon as the child exists (the kernel's process-events listener says so from inside
 * the call), its variable is bound then, and the parent's thread stays blocked in the call while
 * the next lines run. Its transcript line is printed when it returns: after each line the runner
 * waits for every blocked vfork whose child has exited or exec'd (or whose caller has a SIGKILL
 * pending) to return, and prints those lines in the order they were made, so the transcript is the
 * same on every run.
 *
 * <p><b>No hang.</b> Every wait has a timeout ({@link #DEFAULT_TIMEOUT} unless told otherwise). A
 * call that does not return in time, a line made by a task still blocked in vfork, and a script
 * that ends with a vfork parent still blocked are script errors naming the line. When a run stops,
 * the runner makes each blocked vfork's child exit so that the parent's thread returns, then stops
 * its threads (daemons, so a call the kernel never returns from cannot keep the JVM alive).
 *
 * <p>A runner is used once: it registers a process-events listener with its kernel, and the Kernel
 * API has no way to remove one.
 */
public final class ScriptRunner {
    /** How long a line's call may take before the run stops with a script error. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** A variable: its value as the caller saw it, and the task it names (0 for none). */
    private record Binding(long value, int task) {
    }

    /** Ends a run early with a result other than a script error. */
    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient RunResult result;

        Stop(RunResult result) {
            super(result.message(), null, false, false);
            this.result = result;
        }
    }

    private final Kernel kernel;
    private final Consumer<String> out;
    private final long timeoutNanos;
    private final TaskRegistry registry = new TaskRegistry();
    private final Map<Integer, TaskDriver> drivers = new HashMap<>();
    private final Map<String, Binding> bindings = new HashMap<>();
    /** vfork-like jobs not printed yet, in line order. */
    private final List<Job> inflight = new ArrayList<>();
    /** The value each early-bound vfork line gave its variable. */
    private final Map<Job, Long> earlyValues = new HashMap<>();
    /** How many drivers each pid has had, to name their threads apart. */
    private final Map<Integer, Integer> generations = new HashMap<>();
    private int current = 1;
    /** The line being run, for a failure that is not a call's. */
    private int lineNo;
    private boolean used;

    /**
     * A runner on a booted kernel.
     *
     * @param kernel  the kernel, booted with {@link #config} so that its processes have the scratch area
     * @param out     where transcript lines go, one per call
     * @param timeout how long a call may take
     */
    public ScriptRunner(Kernel kernel, Consumer<String> out, Duration timeout) {
        this.kernel = kernel;
        this.out = out;
        this.timeoutNanos = timeout.toNanos();
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        for (Map.Entry<String, Long> e : ScriptParser.PREDEFINED.entrySet()) {
            bindings.put(e.getKey(), new Binding(e.getValue(), 0));
        }
        kernel.addProcEventListener(registry);
    }

    /**
     * The configuration a script's kernel boots with: that RAM and those CPUs, the default seed, and
     * pid 1 running the runner's init image (its scratch area).
     */
    public static KernelConfig config(long ramBytes, int nrCpus) {
        return KernelConfig.DEFAULT.withRam(ramBytes).withCpus(nrCpus).withInit(ScriptImages.init());
    }

    /** Runs a script: every line, in order, until the end or the first failure. */
    public RunResult run(Script script) {
        if (used) {
            throw new IllegalStateException("a ScriptRunner runs one script");
        }
        used = true;
        try {
            for (ScriptLine line : script.lines()) {
                lineNo = line.number();
                step(line);
                settle();
            }
            finishRun();
            return RunResult.RAN;
        } catch (ScriptError e) {
            return RunResult.scriptError(e);
        } catch (Stop s) {
            return s.result;
        } catch (KernelPanicException e) {
            return panicked(lineNo, e);
        } catch (RuntimeException e) {
            // Thrown on this thread by the kernel's introspection (procStatus, tasks, sysctl).
            return kernelFailed(lineNo, "the kernel threw " + e, e);
        } finally {
            cleanup();
        }
    }

    TaskRegistry registry() {
        return registry;
    }

    // ---------------------------------------------------------------------------------------------
    // Lines
    // ---------------------------------------------------------------------------------------------

    private void step(ScriptLine line) {
        switch (line.spec().name()) {
            case "as":
                current = task(line, line.arg("task"));
                return;
            case "sysctl":
                sysctl(line);
                return;
            case "cat":
                cat(line);
                return;
            case "cred":
                submit(line, cred(line));
                return;
            case "peek":
                submit(line, peek(line));
                return;
            default:
                submit(line, Syscalls.job(this, line, current));
        }
    }

    private void submit(ScriptLine line, Job job) {
        driver(job.caller, line).submit(job);
        if (!job.vforkLike) {
            if (!waitFor(job.done)) {
                throw line.error(job.callName() + " by [" + job.caller + "] did not return within "
                    + millis() + " ms; a line's call must return before the next line is read "
                    + "(only vfork and CLONE_VFORK leave their caller blocked)");
            }
            complete(job);
            return;
        }
        if (!waitFor(CompletableFuture.anyOf(job.done, job.child))) {
            throw line.error(job.callName() + " by [" + job.caller + "] neither returned nor created a child within "
                + millis() + " ms");
        }
        if (job.done.isDone()) {
            complete(job);
            return;
        }
        // The child exists and the parent waits for it: bind now, print when the parent resumes.
        int child = job.child.join();
        if (line.bind() != null) {
            long value = pidIn(child, job.caller, line, line.bindColumn(), "$" + line.bind());
            bindings.put(line.bind(), new Binding(value, child));
            earlyValues.put(job, value);
        }
        inflight.add(job);
    }

    private Job cred(ScriptLine line) {
        long uid = value(line, "uid");
        long gid = line.arg("gid") != null ? value(line, "gid") : uid;
        long caps = line.arg("caps") != null ? value(line, "caps") : uid == 0 ? Capabilities.CAP_FULL_SET : 0;
        String args = "uid=" + (int) uid + ", gid=" + (int) gid + ", caps=" + Capabilities.describe(caps);
        return new Job(line, current, 0, false, false, (k, c) -> {
            long ret = k.setCred(c, (int) uid, (int) gid, caps);
            return Job.Outcome.of(ret, Strace.line(c, "cred", args, Strace.result(ret)), false);
        });
    }

    /**
     * peek ADDR: the 32-bit word at ADDR in the current task's memory, read by that task
     * (copy_from_user), as an unsigned value; -EFAULT when it cannot be read. It shows what the
     * kernel stored through a user pointer: a tid, a pidfd, a cleared clear_child_tid.
     */
    private Job peek(ScriptLine line) {
        long addr = value(line, "addr");
        return new Job(line, current, 0, false, false, (k, c) -> {
            byte[] word = new byte[Integer.BYTES];
            long ret = k.readUser(c, addr, word, 0, word.length);
            if (ret == 0) {
                ret = ByteBuffer.wrap(word).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffff_ffffL;
            }
            return Job.Outcome.of(ret, Strace.line(c, "peek", Strace.addr(addr), Strace.result(ret)), false);
        });
    }

    private void sysctl(ScriptLine line) {
        String name = line.arg("name").word();
        long ret;
        String args;
        if (line.arg("value") != null) {
            long v = value(line, "value");
            ret = kernel.sysctl(name, v);
            args = Strace.quoted(name) + ", " + v;
        } else {
            ret = kernel.sysctl(name);
            args = Strace.quoted(name);
        }
        finish(line, ret, Strace.line(current, "sysctl", args, Strace.result(ret)), false, 0);
    }

    private void cat(ScriptLine line) {
        Arg pidArg = line.arg("pid");
        String file = line.arg("file").word();
        String text;
        String path;
        if (pidArg == null) { // a file of /proc itself
            text = file.equals("meminfo") ? kernel.meminfo() : kernel.slabinfo();
            path = "/proc/" + file;
        } else {
            int pid = "self".equals(pidArg.word()) ? current : task(line, pidArg);
            text = file.equals("status") ? kernel.procStatus(pid) : kernel.procMaps(pid);
            // A variable or a number shows as the pid it names; self stays self, as strace shows the path.
            path = "/proc/" + ("self".equals(pidArg.word()) ? "self" : Integer.toString(pid)) + "/" + file;
            if (line.arg("field") != null) {
                catField(line, path, text, line.arg("field").word());
                return;
            }
        }
        long ret = text == null ? -Errno.ENOENT : text.getBytes(StandardCharsets.UTF_8).length;
        List<String> lines = new ArrayList<>();
        lines.add(Strace.line(current, "cat", Strace.quoted(path), Strace.result(ret)));
        if (text != null && !text.isEmpty()) {
            lines.addAll(List.of((text.endsWith("\n") ? text.substring(0, text.length() - 1) : text).split("\n", -1)));
        }
        finish(line, ret, String.join("\n", lines), false, 0);
    }

    /** Fields of /proc/PID/status whose value is a hexadecimal mask. */
    private static final Set<String> HEX_FIELDS = Set.of("SigPnd", "ShdPnd", "SigBlk",
        "SigIgn", "SigCgt", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb");

    /**
     * cat /proc/PID/status FIELD: the call line, whose result is the field's first number (hex for
     * the signal and capability masks, decimal otherwise: Threads, NSpid's first level, VmSize in
     * kB), or -ENOENT without such a file or field; then the field's line as the kernel prints it.
     */
    private void catField(ScriptLine line, String path, String text, String field) {
        String found = null;
        if (text != null) {
            for (String l : text.split("\n")) {
                if (l.startsWith(field + ":")) {
                    found = l;
                    break;
                }
            }
        }
        long ret = -Errno.ENOENT;
        if (found != null) {
            String v = found.substring(field.length() + 1).strip();
            int end = 0;
            boolean hex = HEX_FIELDS.contains(field);
            while (end < v.length() && Character.digit(v.charAt(end), hex ? 16 : 10) >= 0) {
                end++;
            }
            if (end == 0) {
                throw line.error(field + " of " + path + " holds no number: '" + v + "'");
            }
            ret = Long.parseUnsignedLong(v.substring(0, end), hex ? 16 : 10);
        }
        String call = Strace.line(current, "cat", Strace.quoted(path) + ", " + Strace.quoted(field), Strace.result(ret));
        finish(line, ret, found != null ? call + "\n" + found : call, false, 0);
    }

    /** Prints a done job's line, binds its variable, and checks its expectation. */
    private void complete(Job job) {
        Job.Outcome o = job.done.join();
        ScriptLine line = job.line;
        if (o.scriptError() != null) {
            throw o.scriptError();
        }
        if (o.kernelError() instanceof KernelPanicException p) {
            throw new Stop(panicked(line.number(), p));
        }
        if (o.kernelError() != null) {
            throw new Stop(kernelFailed(line.number(), line.spec().name() + ": the kernel threw "
                + o.kernelError(), o.kernelError()));
        }
        int child = 0;
        if (line.spec().createsTask() && o.ret() > 0 && job.child.isDone()) {
            child = job.child.join();
            registry.task(child).nr.put(registry.task(job.caller).ns.level, (int) o.ret());
        }
        Long early = earlyValues.remove(job);
        if (early != null && o.ret() > 0 && o.ret() != early) {
            throw new Stop(kernelFailed(line.number(), line.spec().name() + " returned " + o.ret()
                + ", but its child [" + child + "] was " + early + " in [" + job.caller + "]'s namespace when it was created", null));
        }
        if (o.noReturn()) {
            TaskDriver d = drivers.remove(job.caller);
            if (d != null) {
                d.stop();
            }
        }
        if (early != null) {
            // Bound when the child appeared; keep that binding.
            out.accept(o.text());
            check(line, o.ret(), o.noReturn(), o.text());
            return;
        }
        finish(line, o.ret(), o.text(), o.noReturn(), child);
    }

    private void finish(ScriptLine line, long ret, String text, boolean noReturn, int child) {
        for (String l : text.split("\n", -1)) {
            out.accept(l);
        }
        if (line.bind() != null) {
            bindings.put(line.bind(), new Binding(ret, child));
        }
        check(line, ret, noReturn, text);
    }

    private void check(ScriptLine line, long ret, boolean noReturn, String text) {
        Expectation x = line.expect();
        if (x == null) {
            return;
        }
        boolean ok = switch (x.type()) {
            case NO_RETURN -> noReturn;
            case POSITIVE -> !noReturn && ret > 0;
            case ERRNO -> !noReturn && ret == -x.errno();
            case VALUE -> !noReturn && ret == eval(x.value());
        };
        if (!ok) {
            String first = text.split("\n", 2)[0];
            String got = first.substring(first.lastIndexOf(") = ") + 4);
            throw new Stop(new RunResult(RunResult.Status.EXPECTATION_FAILED, line.number(), x.column(),
                line.spec().name() + ": expected " + x.text() + ", got " + got, null));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Blocked calls
    // ---------------------------------------------------------------------------------------------

    /** Prints the blocked calls that have returned, after waiting for those that are about to. */
    private void settle() {
        for (Job job : new ArrayList<>(inflight)) {
            if (!job.done.isDone() && aboutToReturn(job) && !waitFor(job.done)) {
                throw new Stop(kernelFailed(job.line.number(), job.callName() + " by [" + job.caller
                    + "] did not return within " + millis() + " ms of its child exiting or exec'ing", null));
            }
            if (job.done.isDone()) {
                inflight.remove(job);
                complete(job);
            }
        }
        for (TaskDriver d : new ArrayList<>(drivers.values())) {
            if (registry.exited(d.pid()) && !d.busy()) {
                drivers.remove(d.pid());
                d.stop();
            }
        }
    }

    /** A vfork parent returns once its child has exited or exec'd, or it is being killed. */
    private boolean aboutToReturn(Job job) {
        Integer child = job.child.getNow(null);
        if (child != null && (registry.exited(child) || registry.execed(child))) {
            return true;
        }
        return registry.exited(job.caller) || sigkillPending(job.caller);
    }

    /** Whether /proc/PID/status shows SIGKILL pending for the task or its thread group. */
    private boolean sigkillPending(int pid) {
        String status = kernel.procStatus(pid);
        if (status == null) {
            return true;
        }
        for (String l : status.split("\n")) {
            if (l.startsWith("SigPnd:") || l.startsWith("ShdPnd:")) {
                try {
                    long set = Long.parseUnsignedLong(l.substring(7).strip(), 16);
                    if ((set & Signals.sigmask(Signals.SIGKILL)) != 0) {
                        return true;
                    }
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        return false;
    }

    private void finishRun() {
        settle();
        for (Job job : new ArrayList<>(inflight)) {
            if (!waitFor(job.done)) {
                Integer child = job.child.getNow(null);
                throw new ScriptError(job.line.number(), job.line.column(), "the script ended while [" + job.caller
                    + "] is still inside " + job.callName() + ": it returns only when its child [" + child
                    + "] exits or calls execve");
            }
            settle();
        }
    }

    /** The driver of {@code pid}, once its last call has returned. */
    private TaskDriver driver(int pid, ScriptLine line) {
        TaskDriver d = drivers.get(pid);
        if (d != null && d.busy()) {
            Job j = d.current();
            if (!waitFor(j.done)) {
                String why = j.vforkLike
                    ? ", which returns only when its child [" + j.child.getNow(null) + "] exits or calls execve: "
                        + "make the child do that first (as $child, then exit or execve)"
                    : "";
                throw line.error("[" + pid + "] is still inside " + j.callName() + " (line " + j.line.number() + ")" + why);
            }
            settle();
        }
        if (d == null || d.stopped()) {
            d = newDriver(pid);
        }
        return d;
    }

    private TaskDriver newDriver(int pid) {
        int gen = generations.merge(pid, 1, Integer::sum);
        TaskDriver d = new TaskDriver(pid, kernel, "kfork-task-" + pid + (gen == 1 ? "" : "." + gen));
        drivers.put(pid, d);
        return d;
    }

    /** When a run stops: lets blocked vfork parents return (their children exit), then ends the threads. */
    private void cleanup() {
        for (Job job : inflight) {
            Integer child = job.child.getNow(null);
            TaskDriver d = child == null ? null : drivers.get(child);
            if (!job.done.isDone() && child != null && !registry.exited(child) && (d == null || !d.busy())) {
                Job exit = new Job(null, child, 0, false, true, (k, c) -> Job.Outcome.of(k.exitGroup(c, 0), null, true));
                try {
                    if (d == null || d.stopped()) {
                        d = newDriver(child);
                    }
                    d.submit(exit);
                    waitFor(exit.done);
                } catch (RuntimeException e) {
                    // Best effort: the run has already failed.
                }
            }
            waitFor(job.done);
        }
        for (TaskDriver d : drivers.values()) {
            d.stop();
        }
        for (TaskDriver d : drivers.values()) {
            try {
                d.join(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        drivers.clear();
    }

    private boolean waitFor(CompletableFuture<?> f) {
        try {
            f.get(timeoutNanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a call", e);
        }
    }

    private long millis() {
        return TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
    }

    /** A run the kernel's panic ended: the panic's text, and that the machine is dead. */
    private static RunResult panicked(int line, KernelPanicException e) {
        return new RunResult(RunResult.Status.PANICKED, line, 0, e.getMessage()
            + (e.getMessage().startsWith("Kernel panic") ? " (the machine is dead)" : ""), e);
    }

    private static RunResult kernelFailed(int line, String message, Throwable cause) {
        return new RunResult(RunResult.Status.KERNEL_FAILED, line, 0,
            message + " (a bug: a call gives a result or -errno, never an exception)", cause);
    }

    // ---------------------------------------------------------------------------------------------
    // Values
    // ---------------------------------------------------------------------------------------------

    /** The value of an expression: 64-bit arithmetic on numbers, names and variables. */
    long eval(Expr e) {
        if (e instanceof Expr.Num n) {
            return n.value();
        }
        if (e instanceof Expr.Sym s) {
            return s.value();
        }
        if (e instanceof Expr.Var v) {
            return bindings.get(v.name()).value();
        }
        if (e instanceof Expr.Neg n) {
            return -eval(n.operand());
        }
        Expr.Bin b = (Expr.Bin) e;
        long l = eval(b.left());
        long r = eval(b.right());
        return switch (b.op()) {
            case '+' -> l + r;
            case '-' -> l - r;
            default -> l | r;
        };
    }

    /** The value of argument {@code name}, or its default. */
    long value(ScriptLine line, String name) {
        Arg a = line.arg(name);
        if (a != null) {
            return eval(a.expr());
        }
        Param p = line.spec().param(name);
        return p != null && p.absent() == Param.Absent.DEFAULT ? p.dflt() : 0;
    }

    /**
     * A pid argument: a task variable alone ({@code $c}, or {@code -$c} for its process group) is
     * that task's pid in the caller's namespace; anything else is its value.
     */
    long pid(ScriptLine line, String name, int caller) {
        Arg a = line.arg(name);
        if (a == null) {
            return value(line, name);
        }
        Expr e = a.expr();
        boolean negated = e instanceof Expr.Neg n && n.operand() instanceof Expr.Var;
        Expr.Var v = negated ? (Expr.Var) ((Expr.Neg) e).operand() : e.aloneVar();
        if (v != null && bindings.get(v.name()).task() != 0) {
            long pid = pidIn(bindings.get(v.name()).task(), caller, line, v.column(), "$" + v.name());
            return negated ? -pid : pid;
        }
        return eval(e);
    }

    /** The task an {@code as} or a /proc path names: a task variable's task, else a pid of the initial namespace. */
    private int task(ScriptLine line, Arg a) {
        Expr e = a.expr();
        Expr.Var v = e.aloneVar();
        if (v != null && bindings.get(v.name()).task() != 0) {
            return bindings.get(v.name()).task();
        }
        long n = eval(e);
        if (n < 1 || n > Limits.PID_MAX_LIMIT) {
            String what = v != null ? "$" + v.name() + " is " + Strace.result(n) + "," : n + " is";
            throw new ScriptError(line.number(), a.column(), what + " not a task (a pid is 1 to " + Limits.PID_MAX_LIMIT + ")");
        }
        return (int) n;
    }

    /** The pid of task {@code target} in the namespace of {@code viewer}. */
    private long pidIn(int target, int viewer, ScriptLine line, int column, String what) {
        TaskRegistry.Task t = registry.task(target);
        TaskRegistry.Ns ns = registry.task(viewer).ns;
        if (!t.ns.within(ns)) {
            throw new ScriptError(line.number(), column, what + " ([" + target + "]) is in no pid namespace [" + viewer
                + "] can see; write a number to pass one");
        }
        Integer n = t.nr.get(ns.level);
        if (n != null) {
            return n;
        }
        for (TaskView v : kernel.tasks()) {
            if (v.pid() == target && v.nsLevel() == ns.level) {
                t.nr.put(ns.level, v.nsPid());
                return v.nsPid();
            }
        }
        String status = kernel.procStatus(target);
        for (String l : status == null ? new String[0] : status.split("\n")) {
            String[] f = l.strip().split("\\s+");
            if (f[0].equals("NSpid:") && f.length > ns.level + 1) {
                int nr = Integer.parseInt(f[ns.level + 1]);
                t.nr.put(ns.level, nr);
                return nr;
            }
        }
        throw new ScriptError(line.number(), column, "cannot tell the pid of " + what + " ([" + target
            + "]) in [" + viewer + "]'s namespace");
    }
}
