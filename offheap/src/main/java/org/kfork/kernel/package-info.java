/**
 * The off-heap kernel: the structs' layouts ({@code struct}), one package per kernel source file
 * ({@code mm}, {@code rcu}...), and {@link org.kfork.kernel.KernelText}, the modeled kernel image
 * that gives the Java functions stored as function pointers in RAM their addresses.
 */
package org.kfork.kernel;
