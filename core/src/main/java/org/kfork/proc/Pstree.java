package org.kfork.proc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code pstree -pnA} prints (psmisc): the processes of the viewer's namespace as a tree of
 * parents and children, each shown as {@code comm(pid)}, its threads as {@code {comm}(tid)},
 * children in pid order, drawn with ASCII ({@code ---} one child, {@code -+-} the first of several,
 * {@code |-} the next, {@code `-} the last). A process whose parent the namespace cannot see (the
 * namespace's init, an orphan of a dead init) starts a tree of its own.
 */
public final class Pstree {
    private Pstree() {
    }

    /** The text: one tree after another, roots in pid order. */
    public static String format(PidNsView view) {
        final Map<Integer, PidNsView.Entry> leaders = new HashMap<>();
        for (PidNsView.Entry e : view.entries()) {
            if (e.leader()) {
                leaders.put(e.tgid(), e);
            }
        }
        final Map<Integer, List<PidNsView.Entry>> children = new HashMap<>();
        final List<PidNsView.Entry> roots = new ArrayList<>();
        for (PidNsView.Entry e : view.entries()) {
            if (!e.leader()) {
                // a thread hangs under its process; one whose leader is gone hangs from the root
                (leaders.containsKey(e.tgid()) ? children.computeIfAbsent(e.tgid(), k -> new ArrayList<>()) : roots).add(e);
            } else if (e.ppid() != 0 && leaders.containsKey(e.ppid())) {
                children.computeIfAbsent(e.ppid(), k -> new ArrayList<>()).add(e);
            } else {
                roots.add(e);
            }
        }
        final Comparator<PidNsView.Entry> byPid = Comparator.comparingInt(PidNsView.Entry::pid);
        roots.sort(byPid);
        children.values().forEach(l -> l.sort(byPid));
        final StringBuilder sb = new StringBuilder();
        for (PidNsView.Entry r : roots) {
            for (String line : draw(r, children)) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    private static String label(PidNsView.Entry e) {
        return (e.leader() ? e.task().comm() : "{" + e.task().comm() + "}") + "(" + e.pid() + ")";
    }

    /** The lines of the subtree at {@code e}. */
    private static List<String> draw(PidNsView.Entry e, Map<Integer, List<PidNsView.Entry>> children) {
        final String label = label(e);
        final List<PidNsView.Entry> kids = e.leader() ? children.getOrDefault(e.tgid(), List.of()) : List.of();
        final List<String> out = new ArrayList<>();
        if (kids.isEmpty()) {
            out.add(label);
            return out;
        }
        final String pad = " ".repeat(label.length());
        for (int k = 0; k < kids.size(); k++) {
            final List<String> sub = draw(kids.get(k), children);
            final boolean last = k == kids.size() - 1;
            final String first = kids.size() == 1 ? "---" : k == 0 ? "-+-" : last ? " `-" : " |-";
            final String more = kids.size() == 1 || last ? "   " : " | ";
            for (int i = 0; i < sub.size(); i++) {
                final String head = out.isEmpty() ? label : pad;
                out.add(head + (i == 0 ? first : more) + sub.get(i));
            }
        }
        return out;
    }
}
