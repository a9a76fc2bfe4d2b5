/**
 * kernel/cgroup/cgroup.c of Linux 5.12, the part fork and exit go through: a task's css_set
 * reference and its place on the css_set's task list ({@link org.kfork.kernel.cgroup.Cgroups}).
 * The heap twin is {@code org.kfork.heap.cgroup}.
 */
package org.kfork.kernel.cgroup;
