package org.kfork.cli;

import java.io.PrintWriter;
import org.kfork.api.KernelView;
import org.kfork.proc.Pstree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kfork pstree [--ns PID]}: the process tree, as {@code pstree -pnA} draws it. */
@Command(name = "pstree",
    description = {"Draw the process tree, as pstree -pnA does: comm(pid), threads as {comm}(tid), children in pid order.",
        "Pids are those of the initial pid namespace, or with --ns of the namespace task PID is in."},
    defaultValueProvider = RunCommand.Defaults.class)
final class PstreeCommand extends ViewCommand {
    @Option(names = "--ns", paramLabel = "PID",
        description = "draw the processes of the pid namespace of task PID (a pid of the initial namespace)")
    Integer ns;

    @Override
    void check() {
        if (ns != null) {
            checkPid("--ns", ns);
        }
    }

    @Override
    void show(KernelView view, PrintWriter out) {
        out.print(Pstree.format(PsCommand.nsView(view.tasks(), ns)));
    }
}
