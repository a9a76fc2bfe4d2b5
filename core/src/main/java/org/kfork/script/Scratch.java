package org.kfork.script;

import org.kfork.api.ExecImage;
import org.kfork.mm.Mman;
import org.kfork.uapi.UapiCloneArgs;
import org.kfork.uapi.UapiSiginfo;

/**
 * The runner's scratch area: 4 pages of private, writable, anonymous memory at 0x10000 in every
 * process of a script (pid 1 boots with it, fork copies it, every image the runner gives execve
 * maps it), where the runner writes a call's arguments and reads what the kernel wrote back, with
 * the calling task's copy_to_user and copy_from_user. It is a VMA like any other: it shows in
 * /proc/PID/maps and counts in map_count and VmSize.
 *
 * <pre>
 * 0x10000  struct clone_args (88 bytes), then clone3's tail      2 pages
 * 0x12000  clone3's set_tid array, pid_t[] (up to 1024)          1 page
 * 0x13000  wait4's int status
 * 0x13080  waitid's siginfo_t (128 bytes)
 * 0x13100  free for the script ($scratch+0x3100 to $scratch+0x3fff: tid pointers...)
 * </pre>
 */
public final class Scratch {
    /** Where it starts: {@code $scratch} in a script. */
    public static final long BASE = 0x10000;
    /** Its size: 4 pages. */
    public static final long SIZE = 4 * Mman.PAGE_SIZE;
    /** clone3's struct clone_args. */
    public static final long CLONE_ARGS = BASE;
    /** Bytes for clone_args and its tail: the struct, then up to {@code 8192 - 88} bytes of tail. */
    public static final int CLONE_ARGS_AREA = (int) (2 * Mman.PAGE_SIZE);
    /** clone3's set_tid array. */
    public static final long SET_TID = BASE + 2 * Mman.PAGE_SIZE;
    /** Entries the set_tid area holds. */
    public static final int SET_TID_MAX = (int) (Mman.PAGE_SIZE / 4);
    /** wait4's status word. */
    public static final long WSTATUS = BASE + 3 * Mman.PAGE_SIZE;
    /** waitid's siginfo_t. */
    public static final long SIGINFO = WSTATUS + 0x80;
    /** The first byte the runner never writes. */
    public static final long FREE = SIGINFO + UapiSiginfo.SIZEOF;
    /** The tail's most bytes. */
    public static final int TAIL_MAX = CLONE_ARGS_AREA - UapiCloneArgs.SIZEOF;

    /** The mapping every image of the runner holds. */
    public static final ExecImage.Mapping MAPPING = new ExecImage.Mapping(BASE, SIZE,
        Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0);

    private Scratch() {
    }
}
