package org.kfork.cli;

import org.kfork.proc.PidNsView;
import org.kfork.proc.Ps;
import picocli.CommandLine.Command;

/** {@code kfork ps [--ns PID]}: every task, as {@code ps -eL -o pid,lwp,ppid,s,comm} shows it. */
@Command(name = "ps",
    description = {"List every task (each thread on its line), as ps -eL -o pid,lwp,ppid,s,comm shows it.",
        "Pids are those of the initial pid namespace, or with --ns of the namespace task PID is in."},
    defaultValueProvider = RunCommand.Defaults.class)
final class PsCommand extends NsViewCommand {
    @Override
    String format(PidNsView view) {
        return Ps.format(view);
    }
}
