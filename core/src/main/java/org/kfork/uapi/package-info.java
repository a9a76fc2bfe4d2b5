/**
 * The user-space ABI of the modeled kernel, shared by both kernels: clone flags
 * ({@link org.kfork.uapi.CloneFlags}), signals ({@link org.kfork.uapi.Signals}), errno values and
 * the negative-errno return convention ({@link org.kfork.uapi.Errno},
 * {@link org.kfork.uapi.KernelException}). Values are Linux 5.12 on x86_64, pinned by a test to
 * reference/constants-5.12.csv.
 */
package org.kfork.uapi;
