package org.kfork.kernel;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import org.kfork.machine.Machine;

/**
 * The modeled kernel text of one machine: the kernel functions the port stores as function
 * pointers in RAM (an rcu_head's {@code func}, later a work_struct's) are Java objects registered
 * at boot, each given an address in the kernel image, {@link #START_KERNEL} + 16 * i, and a name,
 * as kallsyms would show them. A pointer read back from RAM is resolved with {@link #resolve}; an
 * address that names no registered function of the expected type resolves to null, which the
 * caller reports as the kernel bug it is (a corrupted or reused object).
 *
 * <p>Registration is rare (boot) and takes a lock; resolution is a bounds check and an array load
 * from a volatile snapshot, safe from any thread.
 */
public final class KernelText implements AutoCloseable {
    /** __START_KERNEL on x86_64: __START_KERNEL_map + CONFIG_PHYSICAL_START (16 MiB). */
    public static final long START_KERNEL = 0xffff_ffff_8100_0000L;
    /** Bytes between two registered functions (the kernel aligns functions to 16). */
    public static final int FUNCTION_ALIGN = 16;
    /** At most this many functions per machine (1 MiB of text). */
    public static final int MAX_FUNCTIONS = 1 << 16;

    private static final Map<Machine, KernelText> BY_MACHINE = new IdentityHashMap<>();

    private final Machine machine;
    /** Registered functions by index; replaced (copy on write) under the lock. */
    private volatile Object[] functions = new Object[0];
    private volatile String[] names = new String[0];

    private KernelText(Machine machine) {
        this.machine = machine;
    }

    /** The kernel text of {@code machine}, created on first use. */
    public static KernelText of(Machine machine) {
        synchronized (BY_MACHINE) {
            KernelText t = BY_MACHINE.get(machine);
            if (t == null) {
                if (machine.isClosed()) {
                    throw new IllegalStateException("machine is closed: " + machine);
                }
                t = new KernelText(machine);
                BY_MACHINE.put(machine, t);
                machine.onClose(t);
            }
            return t;
        }
    }

    /**
     * Places {@code fn} in the kernel text under {@code name}.
     *
     * @return its address, 16-aligned in [{@link #START_KERNEL}, START_KERNEL + 1 MiB)
     */
    public synchronized long register(String name, Object fn) {
        if (name == null || name.isEmpty() || fn == null) {
            throw new IllegalArgumentException("a kernel function needs a name and a body: " + name);
        }
        final int i = functions.length;
        if (i == MAX_FUNCTIONS) {
            throw new IllegalStateException("kernel text full: " + MAX_FUNCTIONS + " functions");
        }
        final Object[] f = Arrays.copyOf(functions, i + 1);
        final String[] n = Arrays.copyOf(names, i + 1);
        f[i] = fn;
        n[i] = name;
        names = n;
        functions = f; // published last: a reader that sees the function also sees its name
        return START_KERNEL + (long) FUNCTION_ALIGN * i;
    }

    /**
     * The function at {@code addr} if it is a registered one of type {@code type}, else null.
     */
    public <T> T resolve(long addr, Class<T> type) {
        final Object[] f = functions;
        final long off = addr - START_KERNEL;
        if (off < 0 || (off & (FUNCTION_ALIGN - 1)) != 0 || off / FUNCTION_ALIGN >= f.length) {
            return null;
        }
        final Object fn = f[(int) (off / FUNCTION_ALIGN)];
        return type.isInstance(fn) ? type.cast(fn) : null;
    }

    /** The symbol at {@code addr} as the kernel prints it ({@code name+0x0/0x10}), or its hex. */
    public String symbol(long addr) {
        final Object[] f = functions;
        final String[] n = names;
        final long off = addr - START_KERNEL;
        if (off >= 0 && off / FUNCTION_ALIGN < f.length) {
            return n[(int) (off / FUNCTION_ALIGN)] + "+0x" + Long.toHexString(off % FUNCTION_ALIGN) + "/0x10";
        }
        return "0x" + Long.toHexString(addr);
    }

    /** Functions registered. */
    public int size() {
        return functions.length;
    }

    /** Forgets this machine's text (the machine is closing). */
    @Override
    public void close() {
        synchronized (BY_MACHINE) {
            BY_MACHINE.remove(machine);
        }
    }
}
