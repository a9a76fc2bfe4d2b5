/** Architecture constants (x86_64) that code in the core module needs: {@link org.kfork.arch.X86_64}. */
package org.kfork.arch;
