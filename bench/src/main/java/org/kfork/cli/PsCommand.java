package org.kfork.cli;

import java.io.PrintWriter;
import java.util.List;
import org.kfork.api.KernelView;
import org.kfork.api.TaskView;
import org.kfork.proc.PidNsView;
import org.kfork.proc.Ps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kfork ps [--ns PID]}: every task, as {@code ps -eL -o pid,lwp,ppid,s,comm} shows it. */
@Command(name = "ps",
    description = {"List every task (each thread on its line), as ps -eL -o pid,lwp,ppid,s,comm shows it.",
        "Pids are those of the initial pid namespace, or with --ns of the namespace task PID is in."},
    defaultValueProvider = RunCommand.Defaults.class)
final class PsCommand extends ViewCommand {
    @Option(names = "--ns", paramLabel = "PID",
        description = "show the tasks and pids of the pid namespace of task PID (a pid of the initial namespace)")
    Integer ns;

    @Override
    void check() {
        if (ns != null) {
            checkPid("--ns", ns);
        }
    }

    @Override
    void show(KernelView view, PrintWriter out) {
        out.print(Ps.format(nsView(view.tasks(), ns)));
    }

    /** The tasks seen from the namespace of task {@code ns}, or from the initial one when null. */
    static PidNsView nsView(List<TaskView> tasks, Integer ns) {
        long inum = ns == null ? PidNsView.initNs(tasks) : PidNsView.nsOf(tasks, ns);
        if (inum < 0) {
            throw ns == null ? new IllegalStateException("the kernel has no task") : noSuchProcess(ns);
        }
        return PidNsView.of(tasks, inum);
    }
}
