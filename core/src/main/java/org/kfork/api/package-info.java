/**
 * The user-space view of a modeled kernel ({@link org.kfork.api.Kernel}): its system calls and
 * its /proc views, implemented by both the off-heap kernel and the heap twin, chosen by name
 * ({@link org.kfork.api.Kernels}). Scripts ({@code kfork run}), the differential tests and the
 * benchmarks all drive kernels through it.
 */
package org.kfork.api;
