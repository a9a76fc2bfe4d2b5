package org.kfork.cli;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.KernelProvider;
import org.kfork.api.ProcEventListener;
import org.kfork.uapi.Errno;

/**
 * A kernel named "echo" for the command-line tests only (registered in the test resources): fork
 * hands out pids 2, 3... and tells the listeners, getpid answers the caller, kill of 999 is -ESRCH,
 * getppid throws, every other call returns 0. It tests the plumbing of {@code kfork run} (reading,
 * printing, exit codes), not a kernel; the runner itself is tested in core.
 */
public final class EchoKernelProvider implements KernelProvider {
    /** The configuration the last kernel booted with. */
    static volatile KernelConfig lastConfig;

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public Kernel boot(KernelConfig config) {
        lastConfig = config;
        List<ProcEventListener> listeners = new CopyOnWriteArrayList<>();
        AtomicInteger nextPid = new AtomicInteger(2);
        return (Kernel) Proxy.newProxyInstance(Kernel.class.getClassLoader(), new Class<?>[] {Kernel.class},
            (proxy, method, args) -> {
                switch (method.getName()) {
                    case "name":
                        return "echo";
                    case "config":
                        return config;
                    case "addProcEventListener":
                        listeners.add((ProcEventListener) args[0]);
                        return null;
                    case "fork": {
                        int caller = (int) args[0];
                        int child = nextPid.getAndIncrement();
                        for (ProcEventListener l : listeners) {
                            l.fork(caller, caller, child, child);
                        }
                        return (long) child;
                    }
                    case "getpid":
                        return (long) (int) args[0];
                    case "getppid":
                        throw new IllegalStateException("echo has no parents");
                    case "kill":
                        return (int) args[1] == 999 ? (long) -Errno.ESRCH : 0L;
                    case "procStatus":
                        return "Pid:\t" + args[0] + "\n";
                    case "tasks":
                        return List.of();
                    case "close":
                    case "rcuBarrier":
                        return null;
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    case "toString":
                        return "echo kernel";
                    default:
                        return method.getReturnType() == long.class ? 0L : null;
                }
            });
    }
}
