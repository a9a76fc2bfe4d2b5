/**
 * Fork scripts ({@code kfork run}, docs/scripts.md): a scenario written one system call a line,
 * run on any {@link org.kfork.api.Kernel} with a transcript in strace's form.
 * {@link org.kfork.script.ScriptParser} reads a script whole (every mistake a
 * {@link org.kfork.script.ScriptError} with its line and column), {@link org.kfork.script.ScriptRunner}
 * runs it with a Java thread per task, and {@link org.kfork.script.Strace} formats each call. The
 * package needs nothing of the command line; the {@code kfork run} command in bench wraps it.
 */
package org.kfork.script;
