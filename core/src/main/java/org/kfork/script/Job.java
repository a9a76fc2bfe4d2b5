package org.kfork.script;

import java.util.concurrent.CompletableFuture;
import org.kfork.api.Kernel;

/**
 * One line's call, handed from the runner's thread to the thread of the task that makes it. The
 * task's thread runs the {@link Action} (write the arguments into the scratch area, make the call,
 * format the transcript line) and completes {@link #done}; if the call creates a task, the
 * process-events listener completes {@link #child} from inside the call, which is how
 * {@code $c = vfork} binds while the parent is still blocked.
 */
final class Job {
    /** The work of a line, run on the calling task's thread. */
    interface Action {
        Outcome run(Kernel kernel, int caller);
    }

    /** What the call gave: its result and transcript line, or why there is none. */
    record Outcome(long ret, String text, boolean noReturn, ScriptError scriptError, Throwable kernelError) {
        static Outcome of(long ret, String text, boolean noReturn) {
            return new Outcome(ret, text, noReturn, null, null);
        }
    }

    final ScriptLine line;
    final int caller;
    /** The clone flags of the call, for the listener's pid-namespace bookkeeping (0 for fork, vfork). */
    final long cloneFlags;
    /** Whether the call leaves its caller blocked until its child exits or execs. */
    final boolean vforkLike;
    /** Whether the runner made it itself (cleanup): not printed. */
    final boolean hidden;
    final Action action;
    final CompletableFuture<Outcome> done = new CompletableFuture<>();
    /** The pid (initial namespace) of the task the call created. */
    final CompletableFuture<Integer> child = new CompletableFuture<>();

    Job(ScriptLine line, int caller, long cloneFlags, boolean vforkLike, boolean hidden, Action action) {
        this.line = line;
        this.caller = caller;
        this.cloneFlags = cloneFlags;
        this.vforkLike = vforkLike;
        this.hidden = hidden;
        this.action = action;
    }

    /** The call's name, for messages. */
    String callName() {
        return line != null ? line.spec().name() : "cleanup";
    }
}
