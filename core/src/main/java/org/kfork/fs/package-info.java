/**
 * The rules of the file half that both kernels share (fs/file_table.c, fs/file.c, fs/fs_struct.c):
 * f_mode bits and their arithmetic, the fd table's sizing rules. The off-heap rooms are in
 * {@code org.kfork.kernel.fs}, the heap twins in {@code org.kfork.heap.fs}.
 */
package org.kfork.fs;
