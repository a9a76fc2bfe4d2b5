/** The heap twin of {@code org.kfork.kernel.cgroup}: kernel/cgroup/cgroup.c's fork and exit part. */
package org.kfork.heap.cgroup;
