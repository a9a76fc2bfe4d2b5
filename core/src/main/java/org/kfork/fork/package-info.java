/**
 * What the off-heap port of kernel/fork.c ({@code org.kfork.kernel.fork}) and its heap twin
 * ({@code org.kfork.heap.fork}) share: the checks of copy_process, clone3 and unshare that read
 * only their arguments ({@link org.kfork.fork.CloneRules}).
 */
package org.kfork.fork;
